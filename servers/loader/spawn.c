/* spawn.c — making programs: spaces, threads, ELF images, start blocks.
 *
 * A program (RUN) is one new space with KIP and UTCB areas at LOADER_KIP_AREA and
 * LOADER_UTCB_AREA, registered at its CPU's pager (CLIENT_ADD over the pageable range); each
 * ELF segment's file part is committed by the pager with the segment's rights (POPULATE) and
 * copied in through the loader's POPULATE window, which the loader then unmaps from itself;
 * .bss beyond the file part is left to the first touch (the pager hands out zeroed frames).
 * The start block goes to the last page of the pageable range the same way.  The first
 * thread is created with the loader as its pager, started at the ELF entry with RSP = the
 * start block, then given its pager (a fault it takes in between reaches the loader, which
 * answers it with an empty message so the thread retries at its new pager).
 * The memory server (`server`) is the same except that the loader pages it: its image and
 * start block are copied into the loader's own memory (pool.c) and mapped on its faults.
 * Every failure undoes what was done and returns -LOADER_E_*.  Context: the loader thread.
 */
#include <stdio.h>
#include <string.h>
#include <sigma4/layout.h>
#include <sigma4/pager.h>
#include "../../lib/pager/pager_client.h"
#include "core/elf.h"
#include "loader.h"

struct ld_state ld = { .server = -1 };

/* The next version of a thread number: a global id's version must have a non-zero low
 * 6 bits (zero ones would make it a local id), so those are skipped; 0 is never used. */
static unsigned next_version(unsigned v)
{
    v++;
    if ((v & 63) == 0)
        v++;
    return v;
}

/* ---- threads ------------------------------------------------------------------------------ */

static L4_ThreadId_t thread_alloc(int prog)
{
    for (unsigned i = 0; i < LD_MAX_THREADS; i++) {
        struct ld_thread *t = &ld.thread[i];
        if (!L4_IsNilThread(t->id))
            continue;
        if (t->version == 0)
            t->version = 1;
        t->id = L4_GlobalId(LD_TNO_BASE + i, t->version);
        t->version = next_version(t->version);          /* the next one differs */
        t->prog = prog;
        return t->id;
    }
    return L4_nilthread;
}

static void thread_free(L4_ThreadId_t id)
{
    for (unsigned i = 0; i < LD_MAX_THREADS; i++)
        if (ld.thread[i].id.raw == id.raw)
            ld.thread[i].id = L4_nilthread;
}

int ld_prog_of(L4_ThreadId_t id)
{
    for (unsigned i = 0; i < LD_MAX_THREADS; i++)
        if (!L4_IsNilThread(ld.thread[i].id) && ld.thread[i].id.raw == id.raw)
            return ld.thread[i].prog;
    return -1;
}

void ld_threads_delete(int p)
{
    for (int pass = 0; pass < 2; pass++)        /* the first thread (the space) last */
        for (unsigned i = 0; i < LD_MAX_THREADS; i++) {
            struct ld_thread *t = &ld.thread[i];
            if (L4_IsNilThread(t->id) || t->prog != p || (pass == 0) == (t->id.raw == ld.prog[p].id.raw))
                continue;
            L4_ThreadControl(t->id, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
            t->id = L4_nilthread;
        }
}

/* Send t its start-up message (t waits for it from its pager, the loader). */
static bool start(L4_ThreadId_t t, L4_Word_t ip, L4_Word_t sp)
{
    L4_LoadMR(1, ip);
    L4_LoadMR(2, sp);
    L4_Set_MsgTag(L4_MsgTagMake(0, 2, 0));
    return L4_IpcSucceeded(L4_Send_Timeout(t, L4_ZeroTime));
}

/* Thread t (of program p) created in the space of `space` (t itself: a new space), paged by
 * the loader, on cpu at prio, not started. */
static L4_Word_t thread_create(int p, L4_ThreadId_t t, L4_Word_t cpu, L4_Word_t prio)
{
    struct ld_prog *pr = &ld.prog[p];
    bool first = t.raw == pr->id.raw;
    if (pr->utcbs == 1u << (LOADER_UTCB_AREA_LOG2 - UTCB_SIZE_LOG2))
        return LOADER_E_FULL;
    if (first) {
        L4_Word_t old;
        if (!L4_ThreadControl(t, t, ld.self, L4_nilthread, (void *)-1))
            return LOADER_E_NOMEM;
        if (!L4_SpaceControl(t, 0, L4_FpageLog2(LOADER_KIP_AREA, 12),
                             L4_FpageLog2(LOADER_UTCB_AREA, LOADER_UTCB_AREA_LOG2), L4_nilthread, &old)) {
            L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
            return LOADER_E_NOMEM;
        }
    }
    void *utcb = (void *)(LOADER_UTCB_AREA + (L4_Word_t)pr->utcbs * UTCB_SIZE);
    if (!L4_ThreadControl(t, pr->id, ld.self, ld.self, utcb)) {
        if (first)
            L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
        return LOADER_E_NOMEM;
    }
    pr->utcbs++;
    if (L4_Set_ProcessorNo(t, cpu) == L4_SCHEDRESULT_ERROR ||
        L4_Set_Priority(t, prio) == L4_SCHEDRESULT_ERROR) {
        L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
        return LOADER_E_BADARG;
    }
    return LOADER_OK;
}

L4_ThreadId_t ld_thread_new(int p, L4_Word_t ip, L4_Word_t sp, L4_Word_t cpu, L4_Word_t *err)
{
    struct ld_prog *pr = &ld.prog[p];
    if (cpu >= L4_NumProcessors(L4_GetKernelInterface()) || ip >= LOADER_PAGEABLE_HIGH ||
        sp >= LOADER_PAGEABLE_HIGH) {
        *err = LOADER_E_BADARG;
        return L4_nilthread;
    }
    L4_ThreadId_t t = thread_alloc(p);
    if (L4_IsNilThread(t)) {
        *err = LOADER_E_FULL;
        return L4_nilthread;
    }
    *err = thread_create(p, t, cpu, pr->server ? LD_SERVER_PRIO : LD_PROG_PRIO);
    if (*err == LOADER_OK && !pr->server) {
        L4_Word_t a[2] = { t.raw, pr->id.raw };
        unsigned long e = pager_call(pr->pager, PAGER_OP_THREAD_ADD, 2, a, 0, 0);
        if (e != PAGER_OK) {
            *err = e == PAGER_E_FULL ? LOADER_E_FULL : LOADER_E_NOMEM;
            L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
        }
    }
    if (*err == LOADER_OK && !start(t, ip, sp)) {
        *err = LOADER_E_BADARG;
        L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
    }
    if (*err == LOADER_OK && !pr->server &&
        !L4_ThreadControl(t, t, L4_nilthread, pr->pager, (void *)-1)) {
        *err = LOADER_E_NOMEM;
        L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
    }
    if (*err != LOADER_OK) {
        thread_free(t);
        return L4_nilthread;
    }
    return t;
}

/* ---- images ------------------------------------------------------------------------------- */

/* Commit pages [va, va + n pages) of program p with rights and map them into the POPULATE
 * window; 0 or -LOADER_E_*. */
static int populate(struct ld_prog *pr, uint64_t va, unsigned n, unsigned rights)
{
    L4_Accept(L4_MapGrantItems(L4_FpageLog2(LD_POP_WIN, LD_POP_LOG2)));
    L4_Word_t a[4] = { pr->id.raw, va, n, rights };
    unsigned long e = pager_call(pr->pager, PAGER_OP_POPULATE, 4, a, 0, 0);
    L4_Accept(L4_UntypedWordsAcceptor);
    if (e != PAGER_OK)
        printf("loader: %s: POPULATE of 0x%llx (%u pages) at its pager: %s (%lx)\n", pr->name,
               (unsigned long long)va, n, pager_strerror(e), L4_ErrorCode());
    return e == PAGER_OK ? 0 : e == PAGER_E_NOMEM || e == PAGER_E_FULL ? -LOADER_E_NOMEM
                                                                       : -LOADER_E_BADELF;
}

static void populate_done(void)
{
    L4_Flush(L4_FpageAddRights(L4_FpageLog2(LD_POP_WIN, LD_POP_LOG2), L4_FullyAccessible));
}

/* Copy the file part of segment s (from the module at img) into program p, chunk by chunk. */
static int load_segment(struct ld_prog *pr, const uint8_t *img, const struct elf_segment *s)
{
    uint64_t lo = s->vaddr & ~0xFFFULL, end = s->vaddr + s->filesz;
    unsigned rights = s->flags | L4_Readable;
    for (uint64_t va = lo; va < end; va += PAGER_POPULATE_MAX << 12) {
        uint64_t n = (end - va + 0xFFF) >> 12;
        if (n > PAGER_POPULATE_MAX)
            n = PAGER_POPULATE_MAX;
        int err = populate(pr, va, (unsigned)n, rights);
        if (err < 0)
            return err;
        uint64_t from = va > s->vaddr ? va : s->vaddr, to = va + (n << 12) < end ? va + (n << 12) : end;
        memcpy((uint8_t *)LD_POP_WIN + (from - va), img + s->offset + (from - s->vaddr), to - from);
        populate_done();
    }
    return 0;
}

/* Fill a start block page `page` (to live at LOADER_START_PAGE) for program p: argc, argv
 * (the words of cmd), its pager, the loader, its CPU, its heap. */
static int start_block(uint8_t *page, const struct ld_prog *pr, const char *cmd)
{
    uint64_t *w = (uint64_t *)page;
    uint64_t *argv = w + LOADER_START_WORDS;
    char *str = (char *)(argv + LOADER_MAX_ARGS + 1);
    uint64_t argc = 0;
    w[LOADER_START_W_MAGIC] = LOADER_START_MAGIC;
    for (const char *c = cmd; *c;) {
        while (*c == ' ')
            c++;
        if (!*c)
            break;
        if (argc == LOADER_MAX_ARGS)
            return -LOADER_E_BADARG;
        argv[argc++] = LOADER_START_PAGE + (uint64_t)(str - (char *)page);
        while (*c && *c != ' ')
            *str++ = *c++;
        *str++ = 0;
    }
    argv[argc] = 0;
    w[LOADER_START_W_ARGC] = argc;
    w[LOADER_START_W_ARGV] = LOADER_START_PAGE + LOADER_START_WORDS * 8;
    w[LOADER_START_W_PAGER] = pr->server ? 0 : pr->pager.raw;
    w[LOADER_START_W_LOADER] = ld.self.raw;
    w[LOADER_START_W_CPU] = pr->cpu;
    w[LOADER_START_W_HEAP_LOW] = LOADER_HEAP_LOW;
    w[LOADER_START_W_HEAP_HIGH] = LOADER_HEAP_HIGH;
    return 0;
}

/* The server's image: a copy in the loader's memory, its start block too. */
static int server_image(struct ld_prog *pr, const uint8_t *img, const struct elf_image *e,
                        const char *cmd)
{
    pr->img_lo = e->lowest;
    pr->img_hi = e->highest;
    pr->img = loader_pool_alloc((e->highest - e->lowest) >> 12);
    pr->start_page = loader_pool_alloc(1);
    if (!pr->img || !pr->start_page)
        return -LOADER_E_NOMEM;
    for (unsigned i = 0; i < e->nseg; i++)
        memcpy(pr->img + (e->seg[i].vaddr - e->lowest), img + e->seg[i].offset, e->seg[i].filesz);
    return start_block(pr->start_page, pr, cmd);
}

/* A program's image and start block through its pager. */
static int prog_image(struct ld_prog *pr, const uint8_t *img, const struct elf_image *e,
                      const char *cmd)
{
    for (unsigned i = 0; i < e->nseg; i++) {
        int err = load_segment(pr, img, &e->seg[i]);
        if (err < 0)
            return err;
    }
    int err = populate(pr, LOADER_START_PAGE, 1, L4_Readable | L4_Writable);
    if (err < 0)
        return err;
    memset((void *)LD_POP_WIN, 0, 0x1000);
    err = start_block((uint8_t *)LD_POP_WIN, pr, cmd);
    populate_done();
    return err;
}

/* ---- programs ----------------------------------------------------------------------------- */

static int prog_alloc(void)
{
    for (int i = 0; i < LD_MAX_PROGS; i++)
        if (!ld.prog[i].used) {
            memset(&ld.prog[i], 0, sizeof ld.prog[i]);
            ld.prog[i].used = true;
            return i;
        }
    return -1;
}

int ld_spawn(const char *cmd, unsigned cpu, bool server)
{
    char name[32];
    unsigned k = 0;
    while (cmd[k] && cmd[k] != ' ' && k < sizeof name - 1) {
        name[k] = cmd[k];
        k++;
    }
    name[k] = 0;
    const struct ld_module *m = loader_module(name);
    if (!m)
        return -LOADER_E_NOMODULE;
    if (cpu >= L4_NumProcessors(L4_GetKernelInterface()))
        return -LOADER_E_BADARG;
    if (!server && ld.npagers == 0)
        return -LOADER_E_NOPAGER;
    struct elf_image e;
    int err = elf_parse(m->data, m->size, &e);
    if (err != ELF_OK || e.lowest < LOADER_PAGEABLE_LOW || e.highest > LOADER_HEAP_LOW) {
        printf("loader: %s: %s\n", name, err != ELF_OK ? elf_strerror(err)
                                                   : "segments outside the program area");
        return -LOADER_E_BADELF;
    }
    int p = prog_alloc();
    if (p < 0)
        return -LOADER_E_FULL;
    struct ld_prog *pr = &ld.prog[p];
    memcpy(pr->name, name, sizeof name);
    pr->server = server;
    pr->cpu = cpu;
    pr->waiter = L4_nilthread;
    pr->pager = server ? ld.self : ld.pagers[cpu < ld.npagers ? cpu : 0];
    pr->id = thread_alloc(p);
    if (L4_IsNilThread(pr->id)) {
        pr->used = false;
        return -LOADER_E_FULL;
    }
    err = -(int)thread_create(p, pr->id, cpu, server ? LD_SERVER_PRIO : LD_PROG_PRIO);
    if (err < 0) {
        thread_free(pr->id);
        pr->used = false;
        return err;
    }
    bool client = false;
    if (!server) {
        L4_Word_t a[3] = { pr->id.raw, LOADER_PAGEABLE_LOW, LOADER_PAGEABLE_HIGH };
        unsigned long e2 = pager_call(pr->pager, PAGER_OP_CLIENT_ADD, 3, a, 0, 0);
        client = e2 == PAGER_OK;
        err = client ? 0 : e2 == PAGER_E_FULL ? -LOADER_E_FULL : -LOADER_E_NOMEM;
    }
    if (err == 0)
        err = server ? server_image(pr, m->data, &e, cmd) : prog_image(pr, m->data, &e, cmd);
    if (err == 0 && !start(pr->id, e.entry, LOADER_START_PAGE))
        err = -LOADER_E_BADARG;
    if (err == 0 && !server && !L4_ThreadControl(pr->id, pr->id, L4_nilthread, pr->pager, (void *)-1))
        err = -LOADER_E_NOMEM;
    if (err < 0) {
        ld_threads_delete(p);
        if (client) {
            L4_Word_t a[1] = { pr->id.raw }, r;
            pager_call(pr->pager, PAGER_OP_CLIENT_DEL, 1, a, &r, 1);
        }
        pr->used = false;
        return err;
    }
    ld.started++;
    return p;
}
