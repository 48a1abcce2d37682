/* fault.c — the page-fault protocol (X.2 7.1): the kernel calls the pager on the faulting
 * thread's behalf with label -2, MR1 = fault address, MR2 = fault IP, accepting mappings
 * anywhere in the thread's space; the thread's MR0-MR2 and BR0 are saved around the call.
 * Extended protocol (a per-thread switch, virt-extensions.md): the thread's registers follow
 * as a control transfer item (MR3..MR21), MR0-MR21 are saved, and the pager's reply — at most
 * 21 words — may carry a control transfer item that sets the thread's registers.
 *
 * Cancellation: every message here is sent on the thread's behalf, not by a system call of
 * its own, so there is no IPC result to hand it.  When ExchangeRegisters cancels the call in
 * either phase (the s or r bit, by the pager or by a thread of the space), the thread is left
 * as it was before the event — registers and MRs unchanged — and returns to user mode: it
 * re-executes the faulting instruction, which faults again if nothing was mapped.  This holds
 * for page faults, IO faults and exception messages alike (docs/design/ipc.md).  Other
 * failures (the pager or handler deleted) still halt the thread. */
#include "config.h"
#include "core/fault.h"
#include "core/kmsg.h"
#include "core/ipc.h"
#include "core/thread.h"
#include "core/space.h"
#include "debug/kdb.h"
#include "arch.h"
#include <sigma4/utcb.h>

#define EXC_MSG_WORDS       20
#define ACCEPT_EVERYTHING   0x10ULL         /* acceptor: the complete address space */
#define PF_EXT_WORDS        (2 + 1 + EXC_REG_WORDS)  /* MR1..MR21 of an extended message */

/* Did the kernel message end because ExchangeRegisters cancelled it (either phase)? */
static bool cancelled(unsigned err)
{
    return err == IPC_ERR_CANCELED || err == IPC_ERR_ABORTED;
}

/* Call the pager on t's behalf with a fault message (label, access bits, MR1, MR2; with the
 * extended protocol the registers after them) and timeouts (Ipc's Timeouts word); t's MRs,
 * BR0 and IPC bookkeeping survive.  Returns 0 or the IPC error code. */
static unsigned pager_call(struct tcb *t, int64_t label, unsigned access, uint64_t mr1,
                           uint64_t mr2, uint64_t timeouts)
{
    if (t->pager == TID_NIL || !t->utcb)
        return IPC_ERR_NOPARTNER;
    bool ext = CONFIG_EXT_PAGEFAULT && (t->flags & TF_EXT_PAGEFAULT) && label == LABEL_PAGEFAULT;
    /* With control transfer items a reply may carry one (up to MR21): save that much. */
    unsigned words = CONFIG_CTRLXFER || ext ? PF_EXT_WORDS : 2;
    struct kmsg_saved saved;
    kmsg_save(t, &saved, words);
    t->utcb[1] = mr1;
    t->utcb[2] = mr2;
    uint64_t tag = kmsg_tag(label, access, 2);
    if (ext)
        tag = kmsg_append_regs(t, tag, 3);
    unsigned err = kmsg_call(t, t->pager, tag, ACCEPT_EVERYTHING, words, timeouts, NULL);
    kmsg_restore(t, &saved);
    return err;
}

/* The exception IPC; with `addr`, MR21 carries it (u = 21). */
static void exception_call(struct tcb *t, unsigned vector, uint64_t error, const char *what,
                           const uint64_t *addr)
{
    uint64_t *u = t->utcb, regs[EXC_REG_WORDS];
    arch_exc_regs_get(t, regs);
    uint64_t handler = u ? u[UTCB_EXCEPTION_HANDLER] : TID_NIL;
    if (handler == TID_NIL) {
        kdb_report_fault(t, what, regs[0], regs[0], error);
        thread_halt(t);
        return;
    }
    struct kmsg_saved saved;
    kmsg_save(t, &saved, EXC_MSG_WORDS + 1);
    for (int i = 0; i < EXC_REG_WORDS; i++)
        u[1 + i] = regs[i];
    u[19] = vector;
    u[20] = error;
    if (addr)
        u[21] = *addr;
    uint64_t reply;
    unsigned err = kmsg_call(t, handler, kmsg_tag(LABEL_EXCEPTION, 0, EXC_MSG_WORDS + (addr != 0)),
                             0 /* no mappings in the reply */, EXC_MSG_WORDS, 0, &reply);
    if (!err && MSGTAG_U(reply) >= EXC_REG_WORDS)
        arch_exc_regs_set(t, &u[1]);                /* the X.2 reply: the registers */
    kmsg_restore(t, &saved);
    if (err && !cancelled(err)) {
        kdb_report_fault(t, "exception (handler IPC failed)", regs[0], regs[0], error);
        thread_halt(t);
    }
}

void fault_io(struct tcb *t, uint64_t fpage, uint64_t ip)
{
    if (t->space->sigma0) {                         /* sigma0 owns every port */
        if (arch_map_io_fpage(t->space, t->space, fpage) == 0)
            return;
    }
    unsigned err = pager_call(t, LABEL_IOFAULT, 6, fpage, ip, 0);
    if (err && !cancelled(err)) {
        kdb_report_fault(t, "IO fault (no pager or pager IPC failed)", (fpage >> 16) & 0xFFFF, ip, 0);
        thread_halt(t);
    }
}

void fault_page(struct tcb *t, uint64_t addr, uint64_t ip, unsigned access)
{
    uint64_t page = addr & ~(PAGE_SIZE - 1);
    if (t->space->sigma0) {
        if (!phys_is_sigma0(page)) {
            kdb_report_fault(t, "#PF outside sigma0's memory", addr, ip, access);
        } else if (space_map_page(t->space, page, page, PT_R | PT_W | PT_X) == 0) {
            return;
        } else {                                    /* even the pool reserve is used up */
            kdb_report_fault(t, "#PF in sigma0's memory: no kernel memory left for the page "
                             "table", addr, ip, access);
        }
        thread_halt(t);
        return;
    }
    if (t->pager == TID_NIL || !t->utcb) {
        if (t->utcb && t->utcb[UTCB_EXCEPTION_HANDLER] != TID_NIL) {
            uint64_t error = 4 | ((access & FAULT_W) ? 2 : 0) | ((access & FAULT_X) ? 16 : 0);
            exception_call(t, 14, error, "#PF page fault (no pager)", &addr);
            return;                                 /* no pager: the exception handler */
        }
        kdb_report_fault(t, "#PF page fault (no pager)", addr, ip, access);
        thread_halt(t);
        return;
    }
    unsigned err = pager_call(t, LABEL_PAGEFAULT, access, addr, ip, 0);
    if (err && !cancelled(err)) {
        kdb_report_fault(t, "#PF page fault (pager IPC failed)", addr, ip, access);
        thread_halt(t);
    }
}

void fault_exception(struct tcb *t, unsigned vector, uint64_t error, const char *what)
{
    exception_call(t, vector, error, what, NULL);
}

void fault_limit(struct tcb *t, uint64_t addr, uint64_t error)
{
    exception_call(t, 14, error, "#PF above the thread limit", &addr);
}

unsigned fault_string_page(struct tcb *t, uint64_t addr, unsigned access, uint16_t timeout)
{
    return pager_call(t, LABEL_PAGEFAULT, access, addr, arch_user_get(t, UREG_IP),
                      ((uint64_t)timeout << 16) | timeout);
}
