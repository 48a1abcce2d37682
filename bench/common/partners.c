/* partners.c — the echo servers of the benchmarks and the pager of the new space.
 *
 * The new space shares the root task's code and data at the same addresses: its pager, a
 * thread of the root task, answers each page fault with one map item of the root task's own
 * page at the fault address.  The kernel maps the whole image of a root server when it loads
 * it, so that page is always present; faults outside the image are not answered (the faulter
 * stays blocked, the pager counts them).  The remote server thus runs partner_serve like the
 * local one, on a stack array of this program that only it uses.
 *
 * Threads: the root thread (number n) creates everything; the local server is n + 1, the pager
 * n + 2, the remote server n + 3, further threads of the root task's space n + k
 * (partner_thread) and of further new spaces n + k (partner_space, k > PARTNER_THREADS), all
 * version 1.  The pager's counters are written by the pager thread only
 * and read by the root thread (volatile; diagnostics only, no ordering needed).
 */
#include <stdio.h>
#include "partners.h"

#define UTCB_AREA       0xBF000000UL        /* the root's UTCB area, and the new space's */
#define UTCB_AREA_LOG2  18                  /* 256 KiB: 256 UTCBs of 1 KiB */
#define UTCB_SLOT(k)    ((void *)(UTCB_AREA + 1024UL * (k)))
#define STACK_SIZE      8192

/* Page-fault IPC (X.2 7.1): label -2 shifted left by 4 (low nibble rwx), u = 2, t = 0. */
#define PF_LABEL_MASK   0xFFF0UL
#define PF_LABEL        0xFFE0UL

/* Where this program is linked (mk/bench.mk passes its base address) and where it ends. */
#ifndef BENCH_IMAGE_BASE
#error "BENCH_IMAGE_BASE must be defined (mk/bench.mk)"
#endif
extern char _end[];                         /* lib/c/user.ld */

/* Stack k serves thread n + k of the root task's space; the remote server has its own. */
static char stacks[PARTNER_THREADS + 1][STACK_SIZE] __attribute__((aligned(16)));
static char remote_stack[STACK_SIZE] __attribute__((aligned(16)));

static L4_ThreadId_t remote_tid;            /* the pager's one client */
static void (*remote_fn)(void);             /* what it runs */

/* Written by the pager thread. */
static volatile L4_Word_t pager_started;    /* 1 once the start-up message was sent */
static volatile L4_Word_t pager_startup_error;  /* ErrorCode of a failed start-up send */
static volatile L4_Word_t pager_faults;     /* faults answered with a mapping */
static volatile L4_Word_t pager_refused;    /* faults outside the image, other messages */
static volatile L4_Word_t pager_last_addr, pager_last_ip, pager_last_tag;

/* A new thread starts on this: 16-byte aligned top minus 8, as after a call. */
static L4_Word_t stack_top(char *stack)
{
    return (L4_Word_t)(stack + STACK_SIZE) - 8;
}

static L4_ThreadId_t thread_no(L4_Word_t offset)
{
    return L4_GlobalId(L4_ThreadNo(L4_Myself()) + offset, 1);
}

static L4_ThreadId_t failed(const char *what)
{
    printf("bench: %s failed: ErrorCode %lu\n", what, L4_ErrorCode());
    return L4_nilthread;
}

void partner_serve(void)
{
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        if (L4_IpcFailed(tag)) {
            tag = L4_Wait(&from);           /* the client vanished: start over */
            continue;
        }
        L4_Set_MsgTag(L4_MsgTagMake(0, L4_UntypedWords(tag), 0));
        tag = L4_ReplyWait(from, &from);
    }
}

void partner_load_map_item(L4_Word_t src, L4_Word_t dest)
{
    L4_Word_t page = src & ~0xFFFUL;
    L4_Set_MsgTag(L4_MsgTagMake(0, 0, 2));
    L4_LoadMR(1, (dest & ~0xFFFUL) | 0x8);
    L4_LoadMR(2, L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible).raw);
}

int partner_in_image(L4_Word_t addr)
{
    return addr >= BENCH_IMAGE_BASE && addr < (L4_Word_t)_end;
}

static int is_page_fault(L4_MsgTag_t tag)
{
    return L4_IpcSucceeded(tag) && (L4_Label(tag) & PF_LABEL_MASK) == PF_LABEL &&
           L4_UntypedWords(tag) == 2 && L4_TypedWords(tag) == 0;
}

/* The pager: start the remote server, then serve its page faults forever. */
static __attribute__((noreturn)) void pager_main(void)
{
    L4_LoadMR(1, (L4_Word_t)remote_fn);
    L4_LoadMR(2, stack_top(remote_stack));
    L4_Set_MsgTag(L4_MsgTagMake(0, 2, 0));
    L4_MsgTag_t tag = L4_Send(remote_tid);
    pager_startup_error = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    pager_started = 1;

    L4_ThreadId_t from;
    tag = L4_Wait(&from);
    for (;;) {
        L4_Word_t addr = 0, ip = 0;
        L4_StoreMR(1, &addr);
        L4_StoreMR(2, &ip);
        pager_last_tag = tag.raw;
        pager_last_addr = addr;
        pager_last_ip = ip;
        if (!is_page_fault(tag) || !partner_in_image(addr)) {
            pager_refused++;
            tag = L4_Wait(&from);           /* no answer: the sender stays blocked */
            continue;
        }
        pager_faults++;
        partner_load_map_item(addr, addr);
        tag = L4_ReplyWait(from, &from);
    }
}

/* Thread n + k in the root task's space with UTCB slot k, at PARTNER_PRIO, started at fn on
 * stack k (ExchangeRegisters: no start-up message needed). */
L4_ThreadId_t partner_thread(unsigned k, void (*fn)(void))
{
    L4_ThreadId_t me = L4_Myself(), t = thread_no(k);
    if (k < 1 || k > PARTNER_THREADS || k == 3) {
        printf("bench: partner_thread: no thread slot %u\n", k);
        return L4_nilthread;
    }
    if (!L4_ThreadControl(t, me, me, L4_Pager(), UTCB_SLOT(k)))
        return failed("ThreadControl (local thread)");
    if (L4_Set_Priority(t, PARTNER_PRIO) == L4_SCHEDRESULT_ERROR)
        return failed("Schedule (priority of a local thread)");
    L4_Start_SpIp(t, stack_top(stacks[k]), (L4_Word_t)fn);
    return t;
}

L4_ThreadId_t partner_local(void)
{
    return partner_thread(1, partner_serve);
}

L4_ThreadId_t partner_space(unsigned k, L4_ThreadId_t pager)
{
    L4_ThreadId_t me = L4_Myself(), t = thread_no(k);
    L4_Word_t old;
    /* The X.2 idiom: the space's first thread, inactive, with its UtcbLocation; the space's
     * areas; then activation with a pager and UtcbLocation -1 ("unchanged"). */
    if (!L4_ThreadControl(t, t, me, L4_nilthread, UTCB_SLOT(0)))
        return failed("ThreadControl (new space)");
    if (!L4_SpaceControl(t, 0, L4_FpageLog2((L4_Word_t)L4_GetKernelInterface(), 12),
                         L4_FpageLog2(UTCB_AREA, UTCB_AREA_LOG2), L4_nilthread, &old))
        return failed("SpaceControl");
    if (!L4_ThreadControl(t, t, me, pager, (void *)-1))
        return failed("ThreadControl (activate in the new space)");
    if (L4_Set_Priority(t, PARTNER_PRIO) == L4_SCHEDRESULT_ERROR)
        return failed("Schedule (priority of a thread in a new space)");
    return t;
}

L4_ThreadId_t partner_remote_run(void (*fn)(void))
{
    L4_ThreadId_t t = partner_space(3, thread_no(2));
    if (L4_IsNilThread(t))
        return t;
    remote_tid = t;
    remote_fn = fn;
    /* The pager sends the start-up message: only a thread's pager may. */
    if (L4_IsNilThread(partner_thread(2, pager_main)))
        return L4_nilthread;
    return t;
}

L4_ThreadId_t partner_remote(void)
{
    return partner_remote_run(partner_serve);
}

void partner_describe(void)
{
    printf("bench: remote pager: start-up %s (ErrorCode %lu), %lu fault(s) mapped, %lu message(s)"
           " refused; last: tag %lx, address %lx, ip %lx\n",
           pager_started ? "sent" : "not sent", pager_startup_error, pager_faults, pager_refused,
           pager_last_tag, pager_last_addr, pager_last_ip);
}

int partner_first_contact(L4_ThreadId_t server)
{
    L4_Set_MsgTag(L4_MsgTagMake(0, 0, 0));
    L4_MsgTag_t tag = L4_Call_Timeouts(server, L4_TimePeriod(2000000), L4_TimePeriod(2000000));
    if (L4_IpcSucceeded(tag))
        return 1;
    printf("bench: error: the server in the new space does not answer (ErrorCode %lu)\n",
           L4_ErrorCode());
    partner_describe();
    return 0;
}
