/* fault.c — the page-fault protocol (X.2 7.1): the kernel calls the pager on the faulting
 * thread's behalf with label -2, MR1 = fault address, MR2 = fault IP, accepting mappings
 * anywhere in the thread's space; the thread's MR0-MR2 and BR0 are saved around the call. */
#include "core/fault.h"
#include "core/ipc.h"
#include "core/thread.h"
#include "core/space.h"
#include "debug/kdb.h"
#include "arch.h"
#include <sigma4/utcb.h>

#define LABEL_PAGEFAULT     (-2)
#define LABEL_EXCEPTION     (-5)
#define LABEL_IOFAULT       (-8)
#define EXC_MSG_WORDS       20
#define ACCEPT_EVERYTHING   0x10ULL         /* acceptor: the complete address space */

static uint64_t label_tag(int64_t label, unsigned low, unsigned u)
{
    return ((uint64_t)label << 20) | ((uint64_t)low << 16) | u;
}

/* Call the pager on t's behalf with a fault message (label, access bits, MR1, MR2) and
 * timeouts (Ipc's Timeouts word); the caller's MR0-2 and BR0 survive.  Returns 0 or the IPC
 * error code. */
static unsigned pager_call(struct tcb *t, int64_t label, unsigned access, uint64_t mr1,
                           uint64_t mr2, uint64_t timeouts)
{
    if (t->pager == TID_NIL || !t->utcb)
        return IPC_ERR_NOPARTNER;
    uint64_t *u = t->utcb;
    uint64_t saved[3] = { u[0], u[1], u[2] }, br0 = u[UTCB_BR(0)];
    u[1] = mr1;
    u[2] = mr2;
    u[UTCB_BR(0)] = ACCEPT_EVERYTHING;
    uint64_t tag = label_tag(label, access, 2);
    u[0] = tag;
    ipc(t, t->pager, t->pager, timeouts, &tag);
    u[0] = saved[0], u[1] = saved[1], u[2] = saved[2];
    u[UTCB_BR(0)] = br0;
    return (tag & MSGTAG_E) ? (t->ipc_error >> 1) & 7 : 0;
}

void fault_io(struct tcb *t, uint64_t fpage, uint64_t ip)
{
    if (t->space->sigma0) {                         /* sigma0 owns every port */
        if (arch_map_io_fpage(t->space, t->space, fpage) == 0)
            return;
    }
    if (pager_call(t, LABEL_IOFAULT, 6, fpage, ip, 0)) {
        kdb_report_fault(t, "IO fault (no pager or pager IPC failed)", (fpage >> 16) & 0xFFFF, ip, 0);
        thread_halt(t);
    }
}

void fault_page(struct tcb *t, uint64_t addr, uint64_t ip, unsigned access)
{
    uint64_t page = addr & ~(PAGE_SIZE - 1);
    if (t->space->sigma0) {
        if (phys_is_conventional(page) && space_map_page(t->space, page, page, PT_R | PT_W | PT_X) == 0)
            return;
        kdb_report_fault(t, "#PF outside sigma0's memory", addr, ip, access);
        thread_halt(t);
        return;
    }
    if (t->pager == TID_NIL || !t->utcb) {
        kdb_report_fault(t, "#PF page fault (no pager)", addr, ip, access);
        thread_halt(t);
        return;
    }
    if (pager_call(t, LABEL_PAGEFAULT, access, addr, ip, 0)) {
        kdb_report_fault(t, "#PF page fault (pager IPC failed)", addr, ip, access);
        thread_halt(t);
    }
}

void fault_exception(struct tcb *t, unsigned vector, uint64_t error, const char *what)
{
    uint64_t *u = t->utcb, regs[EXC_REG_WORDS];
    arch_exc_regs_get(t, regs);
    uint64_t handler = u ? u[UTCB_EXCEPTION_HANDLER] : TID_NIL;
    if (handler == TID_NIL) {
        kdb_report_fault(t, what, regs[0], regs[0], error);
        thread_halt(t);
        return;
    }
    uint64_t saved[EXC_MSG_WORDS + 1], br0 = u[UTCB_BR(0)];
    for (int i = 0; i <= EXC_MSG_WORDS; i++)
        saved[i] = u[i];
    for (int i = 0; i < EXC_REG_WORDS; i++)
        u[1 + i] = regs[i];
    u[19] = vector;
    u[20] = error;
    u[UTCB_BR(0)] = 0;                              /* no mappings in the reply */
    uint64_t tag = label_tag(LABEL_EXCEPTION, 0, EXC_MSG_WORDS);
    u[0] = tag;
    ipc(t, handler, handler, 0, &tag);
    if (!(tag & MSGTAG_E))
        arch_exc_regs_set(t, &u[1]);
    for (int i = 0; i <= EXC_MSG_WORDS; i++)
        u[i] = saved[i];
    u[UTCB_BR(0)] = br0;
    if (tag & MSGTAG_E) {
        kdb_report_fault(t, "exception (handler IPC failed)", regs[0], regs[0], error);
        thread_halt(t);
    }
}

unsigned fault_string_page(struct tcb *t, uint64_t addr, unsigned access, uint16_t timeout)
{
    /* t may be in the middle of its own IPC: keep that IPC's bookkeeping. */
    uint64_t from = t->ipc_from, tag = t->ipc_tag, err = t->ipc_error, partner = t->ipc_partner;
    uint64_t spec = t->ipc_rcv_spec;
    uint16_t rcv_timeout = t->ipc_rcv_timeout;
    unsigned res = pager_call(t, LABEL_PAGEFAULT, access, addr, arch_user_get(t, UREG_IP),
                              ((uint64_t)timeout << 16) | timeout);
    t->ipc_from = from, t->ipc_tag = tag, t->ipc_error = err, t->ipc_partner = partner;
    t->ipc_rcv_spec = spec, t->ipc_rcv_timeout = rcv_timeout;
    return res;
}
