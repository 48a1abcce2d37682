/* tutil.h — helpers for the in-system tests of threads, spaces, IPC, scheduling and
 * ExchangeRegisters: test threads in the root task's space or in new spaces, a pager for the
 * new spaces, bounded waiting, and clean-up after every test.
 *
 * Test threads live in TU_SLOTS slots.  Slot i is thread number TU_NO_BASE + i; its version
 * goes up (1..63) each time the slot is reused, so a stale id from an earlier test never
 * names a new thread.  Each slot owns a stack from a static pool and a UTCB location: in the
 * root task's space 0xBF000000 + 1024 * (i + 1) (slot 0 of the root's area is the root
 * thread's), in a new space TU_SPACE_UTCB + 1024 * i.  A thread runs fn(arg) on its slot's
 * stack; it finds fn and arg by its own thread number.  If fn returns, the thread sleeps
 * forever.  Threads in a new space run this same program: the tutil pager answers their page
 * faults by mapping the root task's page at the same address, so they share all memory with
 * the test.
 *
 * TTEST(area, name) defines a KTEST whose body runs between tu_begin() and tu_end(): every
 * thread a test creates is deleted afterwards, even when a KCHECK fails, and the root thread
 * gets back its priority 255.  Context: the root thread only (the test runner's thread).
 */
#pragma once
#include <l4/l4.h>
#include "ktest.h"

#define TU_NO_BASE      200             /* thread number of slot 0 */
#define TU_SLOTS        64              /* test threads alive at once */
#define TU_STACK_SIZE   8192
#define TU_ROOT_UTCB    0xBF000000UL    /* the root task's UTCB area (256 KiB) */
#define TU_ROOT_PRIO    255
#define TU_SPACE_KIP    0xB0000000UL    /* KIP area of the new spaces */
#define TU_SPACE_UTCB   0xB0100000UL    /* UTCB area of the new spaces */
#define TU_SPACE_UTCB_LOG2 16           /* 64 KiB: 64 UTCBs, one per slot */
#define TU_WAIT_US      10000000UL      /* TU_WAIT gives up after 10 s of SystemClock */

/* Page-fault label (X.2 7.1): -2 in the 48-bit label, shifted left by 4; low nibble rwx. */
#define TU_LABEL_PAGEFAULT      0xFFFFFFFFFFE0UL
#define TU_LABEL_EXCEPTION      0xFFFFFFFFFFB0UL    /* -5: an exception message */
#define TU_LABEL_IOFAULT        0xFFFFFFFFFF80UL    /* -8: an IO-page fault */

/* RFLAGS bits. */
#define FL_CF           0x001UL
#define FL_PF           0x004UL
#define FL_AF           0x010UL
#define FL_ZF           0x040UL
#define FL_SF           0x080UL
#define FL_TF           0x100UL
#define FL_IF           0x200UL
#define FL_DF           0x400UL
#define FL_OF           0x800UL
#define FL_IOPL         0x3000UL
#define FL_NT           0x4000UL
#define FL_AC           0x40000UL
#define FL_ID           0x200000UL
#define FL_ARITH        (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)
#define FL_PROBE        (FL_CF | FL_PF | FL_AF | FL_SF)     /* status after the probes' cmp 1, 2 */

typedef void (*tu_fn_t)(void *arg);

/* Flags of tu_create_ex. */
#define TU_INACTIVE     0x1     /* create only (no pager): the thread stays inactive */
#define TU_NOSTART      0x2     /* activate, but leave it waiting for its start-up message */
#define TU_PAGER_ME     0x4     /* its pager is the root thread (default: the root's pager) */

/* Define a test that runs between tu_begin() and tu_end() (see the file comment). */
#define TTEST(area, name)       TTEST_FLAGS(area, name, 0)
/* A TTEST the runner runs after all the others (KTEST_F_LATE). */
#define TTEST_LATE(area, name)  TTEST_FLAGS(area, name, KTEST_F_LATE)
#define TTEST_FLAGS(area, name, fl)                                             \
    static void ttest_body_##area##_##name(void);                                \
    KTEST_FLAGS(area, name, fl)                                                  \
    {                                                                            \
        tu_begin();                                                              \
        ttest_body_##area##_##name();                                            \
        tu_end();                                                                \
    }                                                                            \
    static void ttest_body_##area##_##name(void)

/* Wait, sleeping 1 ms at a time, until cond holds or TU_WAIT_US of SystemClock have passed;
 * the final value of cond.  The root thread sleeps, so lower-priority threads run meanwhile. */
#define TU_WAIT(cond) __extension__ ({                                          \
        L4_Word64_t tu_until_ = L4_SystemClock().raw + TU_WAIT_US;               \
        while (!(cond) && L4_SystemClock().raw < tu_until_)                      \
            L4_Sleep(L4_TimePeriod(1000));                                       \
        (cond); })

/* Reset the bookkeeping at the start of a test (deleting leftovers of an aborted one). */
void tu_begin(void);
/* Delete every thread the test created (new-space threads, then the pager), restore the root
 * thread's priority and time slice.  A deletion that fails marks the test failed. */
void tu_end(void);

/* The root thread's global id (also callable from test threads). */
L4_ThreadId_t tu_root(void);

/* Create a thread in the root task's space running fn(arg) at priority prio (set before it
 * starts), its pager the root's pager, started through ExchangeRegisters (L4_Start_SpIp).
 * Its global id, or nilthread (a diagnostic is printed) if a step failed. */
L4_ThreadId_t tu_create(tu_fn_t fn, void *arg, L4_Word_t prio);
/* tu_create with TU_* flags: TU_INACTIVE (no pager: inactive), TU_NOSTART (active, waiting
 * for its start-up message; see tu_start, tu_startup_message), TU_PAGER_ME. */
L4_ThreadId_t tu_create_ex(tu_fn_t fn, void *arg, L4_Word_t prio, unsigned flags);
/* Start t (created with TU_NOSTART) through ExchangeRegisters at its function and stack. */
void tu_start(L4_ThreadId_t t);
/* Send t its start-up message (u = 2, MR1 = IP, MR2 = SP) with the given label, u and send
 * timeout; the returned tag.  Only t's pager can start it this way. */
L4_MsgTag_t tu_startup_message(L4_ThreadId_t t, L4_Word_t u, L4_Time_t snd_timeout);
/* Touch every page of every slot's stack in the root task, so that threads in new spaces
 * (whose pager lends them the root task's pages) make the root task fault nothing later. */
void tu_touch_stacks(void);
/* Create (and delete) a thread in the root task's space in every free slot, so that the
 * UTCB pages the root task's space keeps exist before a test counts kernel memory; returns
 * when the deleted threads are freed. */
void tu_warm_utcbs(void);
/* The IP and SP a slot thread starts with. */
L4_Word_t tu_start_ip(void);
L4_Word_t tu_start_sp(L4_ThreadId_t t);
/* The UtcbLocation of test thread t (its local id is this + 512 in its own space). */
L4_Word_t tu_utcb_of(L4_ThreadId_t t);
/* Delete test thread t (ThreadControl with space nil) and free its slot; 1 or 0. */
L4_Word_t tu_delete(L4_ThreadId_t t);
/* Reserve a slot without creating a thread: its future global id (nilthread if none is free).
 * The slot is freed by tu_release or tu_end (which then deletes whatever has its number). */
L4_ThreadId_t tu_reserve(void);
/* Give back a slot reserved by tu_reserve whose thread does not exist (any more). */
void tu_release(L4_ThreadId_t t);

/* Create an inactive thread in a new space and set the space's KIP area (TU_SPACE_KIP) and
 * UTCB area (TU_SPACE_UTCB); its global id, or nilthread. */
L4_ThreadId_t tu_space_create(void);
/* Activate the first thread `t` of a new space (tu_space_create) to run fn(arg) at priority
 * prio, its pager the tutil pager, which sends its start-up message.  1 or 0. */
L4_Word_t tu_space_start(L4_ThreadId_t t, tu_fn_t fn, void *arg, L4_Word_t prio);
/* A new space with one thread running fn(arg) at prio; its global id or nilthread. */
L4_ThreadId_t tu_space_thread(tu_fn_t fn, void *arg, L4_Word_t prio);
/* Another thread in the space of `space`, running fn(arg) at prio; id or nilthread. */
L4_ThreadId_t tu_space_join(L4_ThreadId_t space, tu_fn_t fn, void *arg, L4_Word_t prio);

/* The tutil pager (created on first use, deleted by tu_end). */
L4_ThreadId_t tu_pager(void);
/* What the pager saw: page faults served, the first and the last one's tag, address, IP. */
struct tu_pager_log {
    volatile L4_Word_t faults;
    volatile L4_Word_t first_tag, first_addr, first_ip;
    volatile L4_Word_t last_tag, last_addr, last_ip;
    volatile L4_ThreadId_t last_from;
};
extern struct tu_pager_log tu_pager_log;

/* ---- several CPUs ------------------------------------------------------------------------ */

/* The number of CPUs online (the KIP's ProcessorInfo). */
L4_Word_t tu_ncpus(void);
/* tu_create on CPU cpu: create the thread (it starts out on the root thread's CPU), move it
 * with Schedule before it runs a single instruction, then start it.  Its global id, or
 * nilthread (a diagnostic is printed). */
L4_ThreadId_t tu_create_on(tu_fn_t fn, void *arg, L4_Word_t prio, L4_Word_t cpu);
/* Reserve a slot (as tu_reserve) whose thread, once some thread creates it in the root task's
 * space at tu_utcb_of(t) and starts it at tu_start_sp(t) / tu_start_ip(), runs fn(arg). */
L4_ThreadId_t tu_reserve_for(tu_fn_t fn, void *arg);
/* Wait like TU_WAIT, but for at most us microseconds of SystemClock. */
#define TU_WAIT_US_FOR(cond, us) __extension__ ({                               \
        L4_Word64_t tu_until_ = L4_SystemClock().raw + (us);                     \
        while (!(cond) && L4_SystemClock().raw < tu_until_)                      \
            L4_Sleep(L4_TimePeriod(1000));                                       \
        (cond); })

/* Spin, incrementing *(volatile L4_Word_t *)arg, forever. */
void tu_spin(void *arg);
/* Block forever (closed receive from nobody who will send). */
void tu_sleep_forever(void *arg);
/* Receive one message from anyone, set *(volatile L4_Word_t *)arg to 1, never answer. */
void tu_receive_and_keep(void *arg);

/* A logging test pager (thread body tu_pager_loop, arg: the struct).  A page fault the test
 * watches (`watched`) is logged in e[] (the first TU_PF_LOG_MAX of them; n counts all) and
 * answered with what `answer` puts into the message (fault number i at addr; an empty
 * message lets the thread retry), or never if it is on silent_page.  Other faults are counted in
 * `others` and get the root task's page at the same address (touched first). */
#define TU_PF_LOG_MAX   24
struct tu_fault {
    L4_Word_t tag, addr, ip, from;
};
struct tu_pager {
    int (*watched)(L4_Word_t addr);
    void (*answer)(struct tu_pager *p, L4_Word_t i, L4_Word_t addr, L4_Msg_t *msg);
    volatile L4_Word_t n, others;
    struct tu_fault e[TU_PF_LOG_MAX];
    volatile L4_Word_t silent_page;
};
void tu_pager_loop(void *arg);
/* Has p logged a fault on addr's page before entry `upto`? */
int tu_pager_seen(const struct tu_pager *p, L4_Word_t addr, L4_Word_t upto);
/* The access bits (L4_Readable...) of a logged fault. */
static inline L4_Word_t tu_fault_access(const struct tu_fault *f) { return (f->tag >> 16) & 0xF; }

/* The echo server's record and switch. */
struct tu_echo {
    volatile L4_Word_t count;           /* messages answered */
    volatile L4_Word_t last_tag, last_from, cpu;    /* of the last one, and where it ran */
    int send_only;                      /* answer by a send-only IPC, then wait (no fast path) */
};
/* Thread body (arg: struct tu_echo *): answer every message with label + 1 and each untyped
 * word + 1 (a ReplyWait loop, or see send_only); failed receives are ignored. */
void tu_echo_server(void *arg);
/* Schedule state of t (L4_SCHEDRESULT_*) without changing anything. */
L4_Word_t tu_state(L4_ThreadId_t t);
/* Free kernel memory in bytes. */
L4_Word_t tu_kmem(void);

/* ---- the CMOS real-time clock (ISA IRQ 8) as an interrupt source ---------------------------- */

#define TU_RTC_IRQ      8
static inline void tu_outb(unsigned port, unsigned v) { __asm__ volatile("outb %b0, %w1" :: "a"(v), "Nd"(port)); }
static inline unsigned tu_inb(unsigned port) { unsigned char v; __asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port)); return v; }
/* CMOS register reg (ports 0x70/0x71; the first access faults and sigma0 hands them out). */
static inline unsigned tu_cmos_read(unsigned reg) { tu_outb(0x70, reg); return tu_inb(0x71); }
static inline void tu_cmos_write(unsigned reg, unsigned v) { tu_outb(0x70, reg); tu_outb(0x71, v); }
/* Switch the RTC's periodic interrupt (1024 Hz) on or off and clear a pending flag. */
static inline void tu_rtc_periodic(int on)
{
    tu_cmos_write(0x0A, (tu_cmos_read(0x0A) & 0xF0) | 0x06);     /* rate 6: 1024 Hz */
    tu_cmos_write(0x0B, on ? tu_cmos_read(0x0B) | 0x40 : tu_cmos_read(0x0B) & ~0x40u);
    (void)tu_cmos_read(0x0C);
}
