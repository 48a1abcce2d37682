/* kdb.c — the kernel-debugger interface for user programs: console output and input,
 * kernel statistics and shutdown (sigma4 extensions, root servers only), fault records.
 *
 * Who may do what (docs/abi/kdb.md): output (PUTC, PUTS, the "enter" text) is for every
 * thread, at most KDB_PUTS_MAX bytes per call; console input and the sigma4 extensions are for
 * the root servers.  No operation waits: GETC_BLOCKING is GETC here, and libl4 repeats it in
 * user mode.  Runs with interrupts off under the shared kernel lock, so every path is bounded. */
#include "debug/kdb.h"
#include "core/kstack.h"
#include "core/kpreempt.h"
#include "debug/console.h"
#include "core/thread.h"
#include "core/space.h"
#include "core/percpu.h"
#include "mm/kmem.h"
#include "mm/account.h"
#include "core/ipc_fast.h"
#include "core/mdb.h"
#include "arch.h"
#include <sigma4/kdb.h>

bool kdb_stay;

static struct {
    uint64_t count, tid, addr, ip;
} faults;                       /* guarded by faults_lock */
static struct spinlock faults_lock = SPINLOCK_INIT("faults");

/* Print the user string at str: up to its NUL, the first byte the thread cannot read, or
 * KDB_PUTS_MAX bytes, whichever comes first.  Returns the number of bytes printed (the NUL
 * not counted).  Bounded, so a call never keeps the CPU (interrupts off) for long. */
static uint64_t puts_user(struct tcb *t, uint64_t str)
{
    char buf[128];
    uint64_t top = thread_top(t);
    unsigned total = 0;
    while (total < KDB_PUTS_MAX) {
        uint64_t at = str + total;
        if (at >= top || at < str)
            break;
        size_t want = KDB_PUTS_MAX - total < sizeof(buf) ? KDB_PUTS_MAX - total : sizeof(buf);
        if (top - at < want)
            want = (size_t)(top - at);
        size_t n = space_read_str(t->space, at, buf, want);
        if (n == 0)
            break;
        bool nul = buf[n - 1] == '\0';
        console_write(buf, nul ? n - 1 : n);
        total += (unsigned)(nul ? n - 1 : n);
        if (nul || n < want)
            break;
    }
    return total;
}

/* Sum of a per-CPU counter over the CPUs online. */
#define SUM_CPUS(field) __extension__ ({                                       \
        uint64_t sum_ = 0;                                                   \
        for (unsigned i_ = 0; i_ < ncpus_online; i_++)                       \
            sum_ += __atomic_load_n(&percpu[i_].field, __ATOMIC_RELAXED);    \
        sum_; })

static uint64_t stat(uint64_t sel)
{
    switch (sel) {
    case KDB_STAT_KMEM_FREE:       return kmem_free_bytes();
    case KDB_STAT_KMEM_TOTAL:      return kmem_total_bytes();
    case KDB_STAT_USER_FAULTS:     return faults.count;
    case KDB_STAT_LAST_FAULT_TID:  return faults.tid;
    case KDB_STAT_LAST_FAULT_ADDR: return faults.addr;
    case KDB_STAT_LAST_FAULT_IP:   return faults.ip;
    case KDB_STAT_NCPUS:           return ncpus_online;
    case KDB_STAT_TICKS:           return this_cpu()->ticks;
    case KDB_STAT_FASTPATH_IPC:    return SUM_CPUS(fastpath_ipcs);
    case KDB_STAT_CR3_LOADS:       return this_cpu()->cr3_loads;
    case KDB_STAT_MDB_NODES:       return mdb_nodes();
    case KDB_STAT_TLB_SHOOTDOWNS:  return SUM_CPUS(tlb_shootdowns);
    case KDB_STAT_CPU:             return this_cpu()->cpu;
    case KDB_STAT_KLOCK_EXCL:      return SUM_CPUS(klock_excl_count);
    case KDB_STAT_KSTACK_MAX:      return kstack_deepest();
    case KDB_STAT_KSTACK_ROOM:     return kstack_room();
    case KDB_STAT_KMEM_RESERVE:    return account_reserve_bytes();
    case KDB_STAT_KPREEMPT_POINTS: return kpreempt_points();
    case KDB_STAT_TICK_FIRED:      return this_cpu()->tick_fired_tsc;
    default:                       return ~0ULL;
    }
}

uint64_t kdb_service(struct tcb *t, unsigned op, uint64_t arg)
{
    switch (op) {
    case KDB_OP_PUTC:
        console_putc((char)arg);
        return arg;
    case KDB_OP_PUTS:
        return puts_user(t, arg);
    case KDB_OP_CLEAR_PAGE:
        return 0;
    case KDB_OP_GETC:
    case KDB_OP_GETC_BLOCKING: {                    /* never waits: libl4 loops in user mode */
        int c = space_is_privileged(t->space) ? arch_console_getc() : -1;
        return (uint64_t)(int64_t)c;
    }
    case KDB_OP_SHUTDOWN:
        if (!space_is_privileged(t->space))
            return ~0ULL;
        kprintf("sigma4: shutdown requested by thread %lx, status %lu\n", t->tid, arg);
        if (kdb_stay) {
            kprintf("sigma4: staying up (`stay` on the command line)\n");
            return ~0ULL;
        }
        arch_shutdown((int)arg);
    case KDB_OP_STAT:
        return space_is_privileged(t->space) ? stat(arg) : ~0ULL;
    case KDB_OP_CACHE_TYPE: {
        int c = space_is_privileged(t->space) ? arch_pt_cache(t->space->pt_root, arg) : -1;
        return c < 0 ? ~0ULL : (uint64_t)c;
    }
    case KDB_OP_SPACE_CHARGE:
    case KDB_OP_SPACE_LIMIT:
    case KDB_OP_SPACE_BYTES:
    case KDB_OP_ACCOUNTS:
        return space_is_privileged(t->space) ? kdb_accounts(op, arg) : ~0ULL;
    default:
        return ~0ULL;
    }
}

void kdb_enter(struct tcb *t, uint64_t str)
{
    kprintf("--- kdb: thread %lx: ", t->tid);
    (void)puts_user(t, str);
    kprintf("\n");
}

void kdb_report_fault(struct tcb *t, const char *what, uint64_t addr, uint64_t ip, uint64_t err)
{
    kprintf("sigma4: user fault: thread %lx%s%s%s: %s at address 0x%lx, ip 0x%lx, error 0x%lx"
            " -- thread halted\n", t->tid, t->name ? " (" : "", t->name ? t->name : "",
            t->name ? ")" : "", what, addr, ip, err);
    spin_lock(&faults_lock);
    faults.count++;
    faults.tid = t->tid;
    faults.addr = addr;
    faults.ip = ip;
    spin_unlock(&faults_lock);
}
