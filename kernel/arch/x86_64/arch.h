/* arch.h — what generic kernel code may ask of the architecture (x86-64).
 *
 * Generic code (core/, api/, mm/, lib/, debug/) includes only this arch header.  Everything
 * here is implemented in kernel/arch/x86_64/.
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#define PAGE_SIZE           4096ULL
#define PAGE_SHIFT          12
#define SUPERPAGE_SIZE      (2ULL << 20)
#define PHYS_MAP_BASE       0xFFFF800000000000ULL   /* direct map of all physical memory */
#define KERNEL_VBASE        0xFFFFFFFF80000000ULL   /* kernel image: physical + KERNEL_VBASE */

static inline void *phys_to_virt(uint64_t pa) { return (void *)(pa + PHYS_MAP_BASE); }
static inline uint64_t virt_to_phys(const void *va)
{
    uint64_t v = (uint64_t)va;
    return v >= KERNEL_VBASE ? v - KERNEL_VBASE : v - PHYS_MAP_BASE;
}

/* The current CPU's per-CPU block (struct percpu, core/percpu.h); GS base in kernel mode. */
/* This CPU's struct percpu (GS base in the kernel).  Not volatile: within straight-line code
 * the compiler may reuse one load.  A thread changes CPUs only inside a switch, which is
 * always behind a call the compiler cannot see into; the asm reads arch_cpu_anchor (never
 * written) so that every such call, which may write any global, forces a new load. */
extern char arch_cpu_anchor;
static inline void *arch_this_cpu(void)
{
    void *p;
    __asm__("mov %%gs:0, %0" : "=r"(p) : "m"(arch_cpu_anchor));
    return p;
}
unsigned arch_cpu_id(void);

static inline void arch_cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }

/* Copy n 64-bit words (message registers): one string instruction. */
static inline void arch_copy_words(uint64_t *d, const uint64_t *s, uint64_t n)
{
    __asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(n) :: "memory");
}
static inline void arch_irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
/* Halt with interrupts as they are (disabled: until an NMI or reset). */
static inline void arch_halt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline uint64_t arch_frame_pointer(void) { return (uint64_t)__builtin_frame_address(0); }

/* Console (COM1). */
void arch_console_putc(char c);
int arch_console_getc(void);                    /* -1 if no character is waiting */

/* Leave the machine: QEMU exits with (status << 1) | 1 through isa-debug-exit; on real
 * hardware the CPU halts. */
_Noreturn void arch_shutdown(int status);

/* Print a frame-pointer backtrace starting at rbp (kernel addresses only). */
void arch_backtrace(uint64_t rbp);

/* Microseconds since boot (TSC-based, calibrated at boot). */
uint64_t arch_clock_us(void);

/* Idle: enable interrupts and halt until the next one; returns with interrupts disabled. */
void arch_idle_wait(void);

/* Preemption point (core/kpreempt.c): enable interrupts for one instruction, so that a
 * pending one is taken, then disable them again.  Kernel lock not held. */
void arch_irq_window(void);

/* Send CPU `cpu` the kick IPI (VECTOR_KICK). */
void arch_send_kick(unsigned cpu);

/* Flush this CPU's TLB entries of user pages: reload CR3 with the current thread's root
 * (which may have changed: a new thread limit). */
void arch_tlb_flush_all(void);

/* ---- threads (thread_arch.c) ---- */
struct tcb;
struct space;

/* t's user registers were all set (control transfer): return to user mode so that RCX and
 * R11 keep their values too (iret, not sysret). */
void arch_user_full_return(struct tcb *t);

/* The page-table root thread t runs on: its limited root, its space's, or the kernel's. */
uint64_t arch_thread_root(const struct tcb *t);

/* Prepare t's kernel stack so that its first switch-in enters user mode at ip with stack sp
 * (all other registers zero, interrupts enabled). */
void arch_thread_init_user(struct tcb *t, uint64_t ip, uint64_t sp);

/* Prepare t's kernel stack so that its first switch-in calls fn(arg) in kernel mode. */
void arch_thread_init_kernel(struct tcb *t, void (*fn)(void *), void *arg);

/* A thread's user registers as saved on its kernel stack.  Setting FLAGS keeps only the
 * bits user code may change.  IP/SP take effect when the thread returns to user mode. */
enum ureg { UREG_IP, UREG_SP, UREG_FLAGS };
uint64_t arch_user_get(const struct tcb *t, enum ureg r);
void arch_user_set(struct tcb *t, enum ureg r, uint64_t v);

/* The X.2 amd64 exception-message layout of t's user registers: w[0..17] = MR1..MR18 =
 * RIP, RBX, R10, R12, R13, R14, R15, RAX, RCX, RDX, RSI, RDI, RBP, R8, R9, R11, RSP, RFLAGS
 * (fact sheet 7.2).  Set takes all of them, RFLAGS through the user mask. */
#define EXC_REG_WORDS 18
void arch_exc_regs_get(const struct tcb *t, uint64_t *w);
void arch_exc_regs_set(struct tcb *t, const uint64_t *w);

/* Switch from prev to next: FPU state, user GS base, kernel stack, address space. */
void arch_switch(struct tcb *prev, struct tcb *next);
/* Switch from prev, blocked in a system call whose only remaining work is to return its
 * results, to next, discarding prev's kernel frames: prev's resumption point becomes the
 * system-call continuation (syscall_continue), which finishes the call from the thread's
 * fields when prev runs again.  Never returns. */
_Noreturn void arch_switch_blocked(struct tcb *prev, struct tcb *next);
/* Is t blocked through arch_switch_blocked (so its continuation only returns results)? */
bool arch_blocked_in_syscall(const struct tcb *t);
/* arch_switch_blocked to a next that is itself blocked that way, with nothing left for its
 * continuation but to return `from` (RAX) and `tag` (R9): leave the kernel straight into
 * next's user mode, dropping the kernel lock on next's stack.  Never returns. */
_Noreturn void arch_switch_to_syscall_exit(struct tcb *prev, struct tcb *next, uint64_t from,
                                           uint64_t tag);

/* Load t's context for the first time on a CPU that has no current thread (boot). */
_Noreturn void arch_start_first(struct tcb *t);

/* ---- page tables (mmu.c) ---- */
#define PT_R 4
#define PT_W 2
#define PT_X 1
#define PT_USER 8

struct account_ref;

/* Page-table pages of a user tree are charged to the account reference `a` passed with the
 * call that allocates or frees them (mm/account.h); NULL: the kernel's own. */

/* New top-level page table sharing the kernel half.  Returns its physical address, 0 when
 * kernel memory (or a's quota) is exhausted. */
uint64_t arch_pt_create(struct account_ref *a);

/* Map the 4 KiB page va -> pa with rights PT_* in the tree rooted at root.  Returns 0, or -1
 * when a page-table page cannot be allocated (nothing is changed then). */
int arch_pt_map(uint64_t root, uint64_t va, uint64_t pa, unsigned rights, struct account_ref *a);

/* Physical address va maps to in root, or ~0 if none. */
uint64_t arch_pt_lookup(uint64_t root, uint64_t va);

/* Like arch_pt_lookup, also returning the rights (PT_R/W/X) of the 4 KiB page at va. */
uint64_t arch_pt_query(uint64_t root, uint64_t va, unsigned *rights);

/* Like arch_pt_query, also giving the mapping's size (12 or 21); the address returned is that
 * of va's 4 KiB page within it. */
uint64_t arch_pt_query_size(uint64_t root, uint64_t va, unsigned *rights, unsigned *lg);

/* log2 of the size of the mapping that covers va (12 or 21), 0 if none. */
unsigned arch_pt_size(uint64_t root, uint64_t va);

/* Map the 2 MiB page pa at va (both 2 MiB aligned).  -1 if out of memory or a leaf table is
 * in the way (then nothing changed). */
int arch_pt_map_large(uint64_t root, uint64_t va, uint64_t pa, unsigned rights,
                      struct account_ref *a);

/* Could a 2 MiB mapping go at va (no leaf table in the way)? */
bool arch_pt_large_possible(uint64_t root, uint64_t va);

/* Remove the mapping that covers va (4 KiB, or the whole 2 MiB one) and invalidate it in
 * this CPU's TLB.  With `reclaim` (the tree's account), a leaf table left without a present
 * entry is unlinked from its page directory and uncharged, and returned: the caller frees it
 * with arch_pt_free_table once no CPU can still walk through it (docs/design/kmem-accounts.md);
 * otherwise NULL. */
void *arch_pt_unmap(uint64_t root, uint64_t va, struct account_ref *reclaim);

/* Free a leaf table that arch_pt_unmap unlinked. */
void arch_pt_free_table(void *t);

/* The lowest va' >= va below end that may be mapped in root (whole empty tables are
 * skipped); end if none. */
uint64_t arch_pt_next(uint64_t root, uint64_t va, uint64_t end);

/* The mapping-database word kept beside the PTE of user page va (NULL if va has no leaf
 * table).  Only core/mdb.c interprets it. */
void **arch_pt_shadow(uint64_t root, uint64_t va);

/* Referenced (PT_R) and dirty (PT_W) bits of the page at va, cleared as they are read. */
unsigned arch_pt_status(uint64_t root, uint64_t va);

/* The kernel read (or wrote) user page va through the direct map: set the accessed (and
 * dirty) bit as the CPU would have. */
void arch_pt_touch(uint64_t root, uint64_t va, bool write);

/* Reduce the rights of the mapping that covers va to `rights` (PT_W / PT_X). */
void arch_pt_protect(uint64_t root, uint64_t va, unsigned rights);

/* Cache types (memory.md): PAT index 0 WB, 1 WT, 2 UC-, 3 UC, 4 WC, 5 WP, 6 UC-, 7 UC. */
#define ARCH_CACHE_TYPES 8

/* Give the user page at va PAT entry pat_index.  -1 if va is not mapped. */
int arch_pt_set_cache(uint64_t root, uint64_t va, unsigned pat_index);

/* PAT index of the user page at va, or -1 if it is not mapped. */
int arch_pt_cache(uint64_t root, uint64_t va);

/* Free all user-half page-table pages of root and root itself (the mapped frames are not
 * touched). */
void arch_pt_destroy(uint64_t root, struct account_ref *a);

/* Limited roots (thread limits): a root that sees root's mappings below `end` (a multiple of
 * ARCH_LIMIT_GRANULE) and nothing above; 0 when out of memory.  sync: root gained a
 * mapping (or table) for va; destroy frees the limited root's own tables only. */
#define ARCH_LIMIT_GRANULE (1ULL << 30)     /* own tables never hold a mapping (mmu.c) */
uint64_t arch_pt_limited_create(uint64_t root, uint64_t end, struct account_ref *a);
void arch_pt_limited_sync(uint64_t root, uint64_t lroot, uint64_t end, uint64_t va,
                          struct account_ref *a);
void arch_pt_limited_destroy(uint64_t lroot, uint64_t end, struct account_ref *a);

/* Map MMIO [pa, pa+size) uncached into the kernel direct map area; returns its virtual address. */
void *arch_map_mmio(uint64_t pa, uint64_t size);

/* ---- interrupt lines (ioapic.c): global system interrupts (GSI) ---- */

/* Program line gsi (masked) to deliver to the CPU with this APIC id.  -1 if no such line. */
int arch_irq_route(unsigned gsi, unsigned cpu_apic_id);

/* Mask or unmask line gsi. */
void arch_irq_mask(unsigned gsi, bool masked);

/* Number of GSIs the IO-APICs provide. */
unsigned arch_irq_lines(void);

/* ---- x86 IO-flexpages (io.c) ---- */

/* Is fpage an IO fpage? */
bool arch_fpage_is_io(uint64_t fpage);

/* Give `to` the ports of IO fpage f that `from` has (an fpage that names no ports gives
 * nothing).  0, or -1 if no kernel memory is left or `to` is over its quota (nothing given). */
int arch_map_io_fpage(struct space *from, struct space *to, uint64_t f);

/* Unmap of IO fpage f by s: the ports leave every space that got them from s, directly or
 * through others (and s itself with flush).  Exclusive kernel lock. */
void arch_unmap_io_fpage(struct space *s, uint64_t f, bool flush);

/* Load the IO permissions of `next` into this CPU (context switch). */
void arch_io_switch(struct space *next);

/* s is going away: drop its IO bitmap. */
void arch_io_space_destroyed(struct space *s);

/* #GP at ip: if it is a port access, send the IO page fault and return true. */
bool arch_io_fault(struct tcb *t, uint64_t ip, uint64_t rdx);
