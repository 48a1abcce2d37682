/* loader.h — the program loader (docs/design/pagers.md, "The loader and the exit protocol";
 * protocol: abi/include/sigma4/loader.h).
 *
 * The loader runs in the root task's space (ThreadControl and SpaceControl are privileged).
 * It starts the memory server (module `pager`), paging the server's image itself from copies
 * in its own memory, then programs from boot modules, each in a new space on a chosen CPU,
 * paged by that CPU's pager: their ELF segments are committed by the pager and copied in
 * through the loader's POPULATE window, so every frame a program holds is the pager's and
 * comes back when the program ends (EXIT, a crash, KILL).
 *
 * Threads: loader_modules_init must run on the root task's first thread (sigma0 gives the
 * boot modules' memory to it alone); loader_run (the serving loop) may run on any thread of
 * the root task's space.  All loader state belongs to the serving thread.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <l4/l4.h>
#include <sigma4/loader.h>

#define LD_MAX_MODULES          16
#define LD_MAX_PROGS            64
#define LD_MAX_THREADS          128
#define LD_TNO_BASE             1024            /* thread numbers LD_TNO_BASE.. are the loader's */
#define LD_THREAD_NO            188             /* the loader thread (also its UTCB slot) */
#define LD_PROG_PRIO            100
#define LD_SERVER_PRIO          200

/* Windows in the root task's space (16 TiB up: clear of the root's own image and the memory
 * server's window at 64 TiB, which a hosted server uses in the test root). */
#define LD_MOD_WIN              0x0000100000000000ULL   /* boot modules, read-only */
#define LD_POOL_WIN             0x0000110000000000ULL   /* the loader's memory from sigma0 */
#define LD_POP_WIN              0x0000120000000000ULL   /* POPULATE's receive window */
#define LD_POP_LOG2             16                      /* PAGER_POPULATE_MAX pages */

struct ld_module {
    const char *name;                   /* name= of its command line, or its file's base name */
    const char *cmdline;
    const uint8_t *data;                /* mapped in LD_MOD_WIN */
    uint64_t size;
};

/* modules.c — map the boot-info page and every module of role NONE (root thread only).
 * The number of modules, or -1 without a boot-info page. */
int loader_modules_init(void);
const struct ld_module *loader_module(const char *name);
unsigned loader_module_count(void);
const struct ld_module *loader_module_at(unsigned i);
/* The value of `key=` in a command line (copied to out, at most n bytes with the NUL); false
 * if absent. */
bool loader_cmd_value(const char *cmdline, const char *key, char *out, unsigned n);

/* pool.c — zeroed pages of the loader's own memory (sigma0), contiguous; NULL when sigma0
 * has no more. */
void *loader_pool_alloc(uint64_t pages);

/* start.c — create the loader thread in the caller's (the root task's) space, running
 * loader_run(server_cmd); wait up to wait_us for the memory server to report ready.  The
 * loader thread's id, or nilthread (a line printed). */
L4_ThreadId_t loader_start(const char *server_cmd, unsigned long wait_us);
/* modules.c — the command line the loader runs module m with: its name, then the words of
 * its boot command line except the file, name= and cpu= (out: LOADER_CMD_MAX bytes). */
void loader_module_cmd(const struct ld_module *m, char *out);

/* serve.c — the serving loop. */
/* Start the memory server, then serve requests forever.  Sets *ready to 1 when the server has
 * reported ready (or to -1 if it could not start); `ready` may be NULL. */
void loader_run(const char *server_args, volatile int *ready);
/* The loader thread's id once loader_run runs (nilthread before). */
L4_ThreadId_t loader_thread(void);

/* A controller's requests (stubs over the protocol; any thread of the root task). */
L4_Word_t loader_req_run(L4_ThreadId_t loader, L4_Word_t cpu, const char *cmd, L4_ThreadId_t *prog);
L4_Word_t loader_req_wait(L4_ThreadId_t loader, L4_ThreadId_t prog, L4_Word_t *status,
                          L4_Word_t *reclaimed);
L4_Word_t loader_req_kill(L4_ThreadId_t loader, L4_ThreadId_t prog, L4_Word_t *status,
                          L4_Word_t *reclaimed);
L4_Word_t loader_req_info(L4_ThreadId_t loader, L4_Word_t *w, unsigned n);
/* The memory server's pager threads (after ready); their number. */
unsigned loader_pagers(L4_ThreadId_t *ids, unsigned max);

/* ---- inside the loader (spawn.c, serve.c) ------------------------------------------------ */

struct ld_prog {
    bool used, server, ended;
    char name[32];
    L4_ThreadId_t id;                   /* its first thread: the program's id */
    L4_ThreadId_t pager;                /* its pager (the loader for the server) */
    unsigned cpu, utcbs;                /* UTCB slots used */
    L4_ThreadId_t waiter;               /* a WAIT not answered yet, or nil */
    L4_Word_t status, reclaimed;        /* once ended */
    uint64_t img_lo, img_hi;            /* server: its image [lo, hi) ... */
    uint8_t *img;                       /* ... and the loader's copy of it */
    uint8_t *start_page;                /* server: the loader's copy of its start block */
};

struct ld_thread {
    L4_ThreadId_t id;                   /* nil: free slot */
    unsigned version;                   /* of the slot's next thread */
    int prog;
};

struct ld_state {
    struct ld_prog prog[LD_MAX_PROGS];
    struct ld_thread thread[LD_MAX_THREADS];
    L4_ThreadId_t self;
    L4_ThreadId_t pagers[LOADER_MAX_PAGERS];
    unsigned npagers;
    int server;                         /* the server's prog index, or -1 */
    L4_Word_t started, ended;
};
extern struct ld_state ld;

/* spawn.c — a program from module `cmd`'s first word, on cpu: its prog index, or -LOADER_E_*. */
int ld_spawn(const char *cmd, unsigned cpu, bool server);
/* A new thread of program i on cpu at ip/sp; its id, or nilthread (*err). */
L4_ThreadId_t ld_thread_new(int i, L4_Word_t ip, L4_Word_t sp, L4_Word_t cpu, L4_Word_t *err);
/* Delete every thread of program i (its space goes with the last). */
void ld_threads_delete(int i);
/* The program a thread belongs to, or -1. */
int ld_prog_of(L4_ThreadId_t t);
