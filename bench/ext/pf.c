/* pf.c — page-fault round trips, X.2 protocol against the extended protocol (ext.h).
 *
 * A toucher thread (n + 8) in a new address space writes one byte to each of n fresh pages
 * (never touched before, at PF_REGION and up) and times the loop with rdtsc; every write
 * faults, and its pager — a thread of the root task (n + 5) — answers with one map item of a
 * page of a pool in the root task at the fault address.  So a fault round trip is: the #PF,
 * the kernel's page-fault IPC to the pager, the pager's user-level code, its reply with the
 * map item (mapping database, page tables), the return to the toucher, plus the toucher's
 * loop.  The pager also maps the root task's own pages at their addresses for the toucher's
 * code, data and stack (it runs this program's code, like the remote server of partners.c).
 *
 * With the extended protocol (Schedule bit 26 on the toucher, set by the root thread, its
 * scheduler) each fault message also carries the toucher's registers (a control transfer item,
 * or 18 untyped words without control transfer support) and the kernel saves and restores
 * MR0..MR21 around it.  The pager checks every message's form: registers exactly when the
 * extended protocol is on, their RIP equal to the fault IP in MR2.
 *
 * Lines: pf.x2 and (where the kernel has the extension) pf.ext: instructions per fault
 * (median batch of PF_BATCH faults), .min, .max, .cr3 (CR3 loads per fault).
 */
#include <stdio.h>
#include "partners.h"
#include "report.h"
#include "ext.h"

#define PAGE            4096UL
#define PF_REGION       0x40000000UL        /* the toucher's fresh pages, far from the image */
#define PF_POOL_PAGES   256
#define PF_BATCH        256                 /* faults per batch */
#define PF_WARMUP       32
#define CTRLXFER_TYPE   6                   /* item type bits 3-1 of a control transfer item */
#define STACK_SIZE      8192

static char pool[PF_POOL_PAGES][PAGE] __attribute__((aligned(4096)));
static char toucher_stack[STACK_SIZE] __attribute__((aligned(16)));
static L4_ThreadId_t toucher;

/* Written by the pager thread only; read by the root thread (diagnostics and checks). */
static volatile L4_Word_t pg_image, pg_region;  /* faults mapped: own pages, fresh pages */
static volatile L4_Word_t pg_ext, pg_bad;       /* messages with registers; malformed ones */
static volatile L4_Word_t pg_refused, pg_last_tag, pg_last_addr, pg_started;

/* The toucher: for each request (MR1 first address, MR2 pages) write to each page, reply
 * with the instructions it took (MR1). */
static __attribute__((noreturn)) void toucher_main(void)
{
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        L4_Word_t base = 0, n = 0;
        L4_StoreMR(1, &base);
        L4_StoreMR(2, &n);
        if (L4_IpcFailed(tag))
            n = 0;
        L4_Word64_t t0 = bench_rdtsc();
        for (L4_Word_t i = 0; i < n; i++)
            *(volatile char *)(base + i * PAGE) = 1;
        L4_Word64_t t = bench_rdtsc() - t0;
        L4_Set_MsgTag(L4_MsgTagMake(0, 1, 0));
        L4_LoadMR(1, t);
        tag = L4_ReplyWait(from, &from);
    }
}

/* Is tag a page-fault message, and does it carry the registers (*ext)?  Their RIP must be
 * the fault IP. */
static int page_fault(L4_MsgTag_t tag, L4_Word_t ip, int *ext)
{
    L4_Word_t u = L4_UntypedWords(tag), t = L4_TypedWords(tag), w = 0;
    if (L4_IpcFailed(tag) || (L4_Label(tag) & EXT_LABEL_MASK) != EXT_LABEL_PAGEFAULT)
        return 0;
    *ext = 0;
    if (u == 2 && t == 0)
        return 1;
    *ext = 1;
    if (u == 2 && t == 19) {                /* control transfer item: header, RIP, ... */
        L4_Word_t rip = 0;
        L4_StoreMR(3, &w);
        L4_StoreMR(4, &rip);
        if (((w >> 1) & 7) != CTRLXFER_TYPE || rip != ip)
            pg_bad++;
        return 1;
    }
    if (u == 20 && t == 0) {                /* registers as untyped words, RIP first */
        L4_StoreMR(3, &w);
        if (w != ip)
            pg_bad++;
        return 1;
    }
    return 0;
}

static __attribute__((noreturn)) void pager_main(void)
{
    L4_LoadMR(1, (L4_Word_t)toucher_main);
    L4_LoadMR(2, (L4_Word_t)(toucher_stack + STACK_SIZE) - 8);
    L4_Set_MsgTag(L4_MsgTagMake(0, 2, 0));
    pg_started = L4_IpcSucceeded(L4_Send(toucher)) ? 1 : 2;

    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        L4_Word_t addr = 0, ip = 0, src;
        int ext = 0;
        L4_StoreMR(1, &addr);
        L4_StoreMR(2, &ip);
        pg_last_tag = tag.raw;
        pg_last_addr = addr;
        int pf = page_fault(tag, ip, &ext);
        if (pf && partner_in_image(addr)) {
            src = addr;
            pg_image++;
        } else if (pf && addr >= PF_REGION && addr < PF_REGION + (1UL << 30)) {
            src = (L4_Word_t)pool[((addr - PF_REGION) / PAGE) % PF_POOL_PAGES];
            pg_region++;
        } else {
            pg_refused++;
            tag = L4_Wait(&from);           /* no answer: the sender stays blocked */
            continue;
        }
        pg_ext += ext;
        partner_load_map_item(src, addr);
        tag = L4_ReplyWait(from, &from);
    }
}

static void describe(void)
{
    printf("bench: page-fault pager: start-up %s, %lu own page(s) and %lu fresh page(s) mapped, "
           "%lu message(s) with registers (%lu malformed), %lu refused; last: tag %lx, "
           "address %lx\n", pg_started == 1 ? "sent" : "failed", pg_image, pg_region, pg_ext,
           pg_bad, pg_refused, pg_last_tag, pg_last_addr);
}

/* Have the toucher touch n fresh pages; *t := its instructions.  1, or 0 after an error. */
static int touch(L4_Word_t n, L4_Word64_t *t)
{
    static L4_Word_t next = PF_REGION;
    L4_Set_MsgTag(L4_MsgTagMake(0, 2, 0));
    L4_LoadMR(1, next);
    L4_LoadMR(2, n);
    L4_MsgTag_t tag = L4_Call_Timeouts(toucher, L4_TimePeriod(2000000), L4_TimePeriod(20000000));
    if (L4_IpcFailed(tag) || L4_UntypedWords(tag) != 1) {
        printf("bench: error: the toucher does not answer (ErrorCode %lu)\n", L4_ErrorCode());
        describe();
        ext_errors++;
        return 0;
    }
    next += n * PAGE;
    L4_StoreMR(1, (L4_Word_t *)t);
    return 1;
}

static void measure(const char *name, int ext)
{
    L4_Word64_t t[EXT_BATCHES], w;
    if (!ext_schedule_bits(toucher, ext ? EXT_PC_EXT_PAGEFAULT : 0, "the toucher") ||
        !touch(PF_WARMUP, &w))
        return;
    L4_Word_t region = pg_region, regs = pg_ext, bad = pg_bad;
    L4_Word_t cr3 = L4_KDB_Stat(KDB_STAT_CR3_LOADS);
    for (unsigned i = 0; i < EXT_BATCHES; i++)
        if (!touch(PF_BATCH, &t[i]))
            return;
    cr3 = L4_KDB_Stat(KDB_STAT_CR3_LOADS) - cr3;
    L4_Word_t faults = (L4_Word_t)EXT_BATCHES * PF_BATCH;
    region = pg_region - region;
    regs = pg_ext - regs;
    if (region != faults || regs != (ext ? faults : 0) || pg_bad != bad) {
        printf("bench: error: %s: %lu faults expected, the pager mapped %lu fresh pages and saw "
               "%lu messages with registers (%lu malformed)\n", name, faults, region, regs,
               pg_bad - bad);
        ext_errors++;
        return;
    }
    bench_sort(t, EXT_BATCHES);
    bench_figure(name, "", t[EXT_BATCHES / 2], PF_BATCH, 1, "instructions/fault");
    bench_figure(name, ".min", t[0], PF_BATCH, 1, "instructions/fault");
    bench_figure(name, ".max", t[EXT_BATCHES - 1], PF_BATCH, 1, "instructions/fault");
    bench_figure(name, ".cr3", cr3, faults, 2, "loads/fault");
}

void ext_pf(void)
{
    L4_ThreadId_t pager = L4_GlobalId(L4_ThreadNo(L4_Myself()) + 5, 1);
    toucher = partner_space(8, pager);
    if (L4_IsNilThread(toucher) || L4_IsNilThread(partner_thread(5, pager_main))) {
        ext_errors++;
        return;
    }
    measure("pf.x2", 0);
    if (ext_has.extpagefault)
        measure("pf.ext", 1);
    describe();
}
