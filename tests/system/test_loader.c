/* test_loader.c — in-system tests of the loader and the stand-alone memory server
 * (servers/loader, servers/pager/main.c; docs/design/pagers.md).
 *
 * The test boot carries, besides sigma0 and this program, the modules `pager` (the memory
 * server, mem=32), `hog` and `crash` (programs/), `notelf` (text) and `badelf` (an ELF
 * header cut short).  The first loader test maps the modules (on the root thread: sigma0
 * gives module memory to it alone) and starts the loader thread, which starts the server;
 * they stay for the rest of the boot.  Each test runs programs through the loader's
 * controller protocol (RUN, WAIT, KILL, INFO) and checks how they ended and that their pager
 * got every frame back.
 */
#include <stdio.h>
#include <string.h>
#include <l4/l4.h>
#include <sigma4/pager.h>
#include "../../lib/pager/pager_client.h"
#include "../../servers/loader/loader.h"
#include "ktest.h"
#include "tutil.h"

static int ld_state;                            /* 0 not tried, 1 up, -1 failed */
static L4_ThreadId_t ld_tid;
static L4_ThreadId_t pagers[LOADER_MAX_PAGERS];
static unsigned npagers;

/* The loader and the server up (started on first use); 0 if they are not. */
static int ld_up(void)
{
    if (ld_state == 0) {
        ld_state = -1;
        if (loader_modules_init() > 0) {
            static char cmd[LOADER_CMD_MAX];
            const struct ld_module *m = loader_module("pager");
            if (m) {
                loader_module_cmd(m, cmd);
                ld_tid = loader_start(cmd, 60000000);
            }
            if (!L4_IsNilThread(ld_tid)) {
                npagers = loader_pagers(pagers, LOADER_MAX_PAGERS);
                ld_state = 1;
            }
        }
    }
    return ld_state == 1;
}
#define LD_UP() KCHECK(ld_up())

/* INFO word `which` of pager i. */
static L4_Word_t pinfo(unsigned i, unsigned which)
{
    L4_Word_t w[PAGER_INFO_WORDS];
    if (pager_call(pagers[i], PAGER_OP_INFO, 0, 0, w, PAGER_INFO_WORDS) != PAGER_OK)
        return ~0UL;
    return w[which - 1];
}

/* Run cmd on cpu and wait for its end: the loader's error code; *status, *reclaimed. */
static L4_Word_t run_wait(L4_Word_t cpu, const char *cmd, L4_Word_t *status, L4_Word_t *reclaimed)
{
    L4_ThreadId_t prog;
    L4_Word_t e = loader_req_run(ld_tid, cpu, cmd, &prog);
    if (e != LOADER_OK)
        return e;
    return loader_req_wait(ld_tid, prog, status, reclaimed);
}

/* The pager a program on cpu gets. */
static unsigned pager_of(L4_Word_t cpu)
{
    return cpu < npagers ? (unsigned)cpu : 0;
}

KTEST(loader, server_ready_one_pager_per_cpu)
{
    LD_UP();
    KCHECK_EQ(npagers, tu_ncpus());
    for (unsigned i = 0; i < npagers; i++) {
        KCHECK_EQ(pinfo(i, PAGER_INFO_CPU), i);
        KCHECK_EQ(pinfo(i, PAGER_INFO_CLIENTS), 0);
        KCHECK(pinfo(i, PAGER_INFO_FREE) > 1000);
    }
    L4_Word_t w[4];
    KCHECK_EQ(loader_req_info(ld_tid, w, 4), LOADER_OK);
    KCHECK_EQ(w[0], 0);                         /* no program alive */
    KCHECK_EQ(w[3], npagers);
}

KTEST(loader, program_gets_its_arguments)
{
    LD_UP();
    L4_Word_t st, rec;
    KCHECK_EQ(run_wait(0, "crash args a bb ccc", &st, &rec), LOADER_OK);
    KCHECK_EQ(LOADER_STATUS_HOW(st), LOADER_END_EXITED);
    KCHECK_EQ(LOADER_STATUS_DETAIL(st), 5 * 100 + 3);  /* argc 5, last argument 3 bytes */
    KCHECK(rec > 0);                            /* its image, stack, start block */
}

KTEST(loader, exit_code_and_pages_reclaimed)
{
    LD_UP();
    for (L4_Word_t cpu = 0; cpu < tu_ncpus(); cpu++) {
        unsigned p = pager_of(cpu);
        L4_Word_t free0 = pinfo(p, PAGER_INFO_FREE), st, rec;
        KCHECK_EQ(run_wait(cpu, "crash exit 42", &st, &rec), LOADER_OK);
        KCHECK_EQ(st, LOADER_STATUS(LOADER_END_EXITED, 42));
        KCHECK_EQ(pinfo(p, PAGER_INFO_FREE), free0);
        KCHECK_EQ(pinfo(p, PAGER_INFO_CLIENTS), 0);
    }
}

KTEST(loader, exit_with_pages_outstanding)
{
    LD_UP();
    L4_Word_t free0 = pinfo(0, PAGER_INFO_FREE), st, rec;
    KCHECK_EQ(run_wait(0, "hog pages=300 rounds=2 keep=1", &st, &rec), LOADER_OK);
    KCHECK_EQ(st, LOADER_STATUS(LOADER_END_EXITED, 0));
    KCHECK(rec >= 300);                         /* the kept pages, image, stack, tables */
    KCHECK_EQ(pinfo(0, PAGER_INFO_FREE), free0);
}

KTEST(loader, missing_module_refused)
{
    LD_UP();
    L4_ThreadId_t prog;
    L4_Word_t w[4];
    KCHECK_EQ(loader_req_run(ld_tid, 0, "nosuch arg", &prog), LOADER_E_NOMODULE);
    KCHECK_EQ(loader_req_run(ld_tid, 0, "", &prog), LOADER_E_NOMODULE);
    KCHECK_EQ(loader_req_info(ld_tid, w, 4), LOADER_OK);
    KCHECK_EQ(w[0], 0);
}

KTEST(loader, bad_elf_refused_nothing_changes)
{
    LD_UP();
    L4_Word_t free0 = pinfo(0, PAGER_INFO_FREE), k0 = tu_kmem(), w[4];
    L4_ThreadId_t prog;
    KCHECK_EQ(loader_req_run(ld_tid, 0, "notelf", &prog), LOADER_E_BADELF);
    KCHECK_EQ(loader_req_run(ld_tid, 0, "badelf", &prog), LOADER_E_BADELF);
    KCHECK_EQ(pinfo(0, PAGER_INFO_FREE), free0);
    KCHECK_EQ(pinfo(0, PAGER_INFO_CLIENTS), 0);
    KCHECK_EQ(tu_kmem(), k0);
    KCHECK_EQ(loader_req_info(ld_tid, w, 4), LOADER_OK);
    KCHECK_EQ(w[0], 0);
}

KTEST(loader, bad_cpu_and_malformed_requests_refused)
{
    LD_UP();
    L4_ThreadId_t prog;
    L4_Word_t st, rec;
    KCHECK_EQ(loader_req_run(ld_tid, tu_ncpus(), "crash exit 1", &prog), LOADER_E_BADARG);
    KCHECK_EQ(loader_req_run(ld_tid, ~0UL, "crash exit 1", &prog), LOADER_E_BADARG);
    KCHECK_EQ(loader_req_wait(ld_tid, L4_GlobalId(LD_TNO_BASE + 5, 77), &st, &rec), LOADER_E_UNKNOWN);
    KCHECK_EQ(loader_req_kill(ld_tid, L4_nilthread, &st, &rec), LOADER_E_UNKNOWN);
    /* RUN without a command line; a command line without its NUL; an unknown request */
    L4_LoadMR(1, 0);
    L4_Set_MsgTag(L4_MsgTagMake(LOADER_LABEL(LOADER_OP_RUN), 1, 0));
    KCHECK_EQ(L4_Label(L4_Call(ld_tid)), LOADER_E_BADMSG);
    L4_LoadMR(1, 0);
    L4_LoadMR(2, 0x4141414141414141UL);
    L4_Set_MsgTag(L4_MsgTagMake(LOADER_LABEL(LOADER_OP_RUN), 2, 0));
    KCHECK_EQ(L4_Label(L4_Call(ld_tid)), LOADER_E_BADMSG);
    L4_Set_MsgTag(L4_MsgTagMake(LOADER_LABEL(0x77), 0, 0));
    KCHECK_EQ(L4_Label(L4_Call(ld_tid)), LOADER_E_NOOP);
    /* EXIT from a controller is not a program's: refused, nothing ends */
    L4_Word_t w[4];
    L4_LoadMR(1, 0);
    L4_Set_MsgTag(L4_MsgTagMake(LOADER_LABEL(LOADER_OP_EXIT), 1, 0));
    KCHECK_EQ(L4_Label(L4_Call(ld_tid)), LOADER_E_NOOP);
    KCHECK_EQ(loader_req_info(ld_tid, w, 4), LOADER_OK);
    KCHECK_EQ(w[0], 0);
}

KTEST(loader, exception_ends_program_cleaned_up)
{
    LD_UP();
    L4_Word_t free0 = pinfo(0, PAGER_INFO_FREE), st, rec;
    KCHECK_EQ(run_wait(0, "crash ud", &st, &rec), LOADER_OK);
    KCHECK_EQ(st, LOADER_STATUS(LOADER_END_EXCEPTION, 6));     /* #UD */
    KCHECK(rec > 0);
    KCHECK_EQ(pinfo(0, PAGER_INFO_FREE), free0);
    KCHECK_EQ(pinfo(0, PAGER_INFO_CLIENTS), 0);
}

KTEST(loader, unresolvable_fault_reported_by_pager)
{
    LD_UP();
    L4_Word_t cpu = tu_ncpus() - 1, free0 = pinfo(pager_of(cpu), PAGER_INFO_FREE), st, rec;
    KCHECK_EQ(run_wait(cpu, "crash null", &st, &rec), LOADER_OK);
    KCHECK_EQ(st, LOADER_STATUS(LOADER_END_FAULT, PAGER_E_RANGE));
    KCHECK_EQ(pinfo(pager_of(cpu), PAGER_INFO_FREE), free0);
}

KTEST(loader, write_to_read_only_image_refused)
{
    LD_UP();
    L4_Word_t st, rec;
    KCHECK_EQ(run_wait(0, "crash rodata", &st, &rec), LOADER_OK);
    KCHECK_EQ(st, LOADER_STATUS(LOADER_END_FAULT, PAGER_E_PROT));
}

KTEST(loader, kill_reclaims_touched_pages)
{
    LD_UP();
    L4_Word_t cpu = tu_ncpus() > 1 ? 1 : 0;
    unsigned p = pager_of(cpu);
    L4_Word_t free0 = pinfo(p, PAGER_INFO_FREE), faults0 = pinfo(p, PAGER_INFO_FAULTS), st, rec;
    L4_ThreadId_t prog;
    KCHECK_EQ(loader_req_run(ld_tid, cpu, "crash touch 50", &prog), LOADER_OK);
    KCHECK(TU_WAIT_US_FOR(pinfo(p, PAGER_INFO_FAULTS) >= faults0 + 50, 20000000));
    KCHECK_EQ(pinfo(p, PAGER_INFO_CLIENTS), 1);
    KCHECK_EQ(loader_req_kill(ld_tid, prog, &st, &rec), LOADER_OK);
    KCHECK_EQ(st, LOADER_STATUS(LOADER_END_KILLED, 0));
    KCHECK(rec >= 50);
    KCHECK_EQ(pinfo(p, PAGER_INFO_FREE), free0);
    KCHECK_EQ(loader_req_wait(ld_tid, prog, &st, &rec), LOADER_E_UNKNOWN);     /* collected */
}

KTEST(loader, faults_go_to_the_same_cpu_pager)
{
    LD_UP();
    for (L4_Word_t cpu = 0; cpu < tu_ncpus(); cpu++) {
        L4_Word_t f[LOADER_MAX_PAGERS], st, rec;
        for (unsigned i = 0; i < npagers; i++)
            f[i] = pinfo(i, PAGER_INFO_FAULTS);
        KCHECK_EQ(run_wait(cpu, "hog pages=40", &st, &rec), LOADER_OK);
        KCHECK_EQ(st, LOADER_STATUS(LOADER_END_EXITED, 0));
        for (unsigned i = 0; i < npagers; i++)
            if (i == pager_of(cpu))
                KCHECK(pinfo(i, PAGER_INFO_FAULTS) >= f[i] + 40);
            else
                KCHECK_EQ(pinfo(i, PAGER_INFO_FAULTS), f[i]);
    }
}

KTEST(loader, second_thread_exits_program)
{
    LD_UP();
    L4_Word_t free0 = pinfo(0, PAGER_INFO_FREE), st, rec;
    KCHECK_EQ(run_wait(0, "crash thread 7", &st, &rec), LOADER_OK);
    KCHECK_EQ(st, LOADER_STATUS(LOADER_END_EXITED, 7));
    KCHECK_EQ(pinfo(0, PAGER_INFO_FREE), free0);
    KCHECK_EQ(pinfo(0, PAGER_INFO_CLIENTS), 0);
}

KTEST(loader, second_thread_bad_cpu_refused)
{
    LD_UP();
    L4_Word_t st, rec;
    KCHECK_EQ(run_wait(0, "crash badthread", &st, &rec), LOADER_OK);
    KCHECK_EQ(st, LOADER_STATUS(LOADER_END_EXITED, 200 + LOADER_E_BADARG));
}

KTEST(loader, fifty_programs_memory_back)
{
    LD_UP();
    L4_Word_t free0[LOADER_MAX_PAGERS], k0, w[4], started0, st, rec;
    KCHECK_EQ(loader_req_info(ld_tid, w, 4), LOADER_OK);
    started0 = w[1];
    KCHECK_EQ(run_wait(0, "crash exit 0", &st, &rec), LOADER_OK);     /* warm: kernel tables */
    for (unsigned i = 0; i < npagers; i++)
        free0[i] = pinfo(i, PAGER_INFO_FREE);
    k0 = tu_kmem();
    for (unsigned i = 0; i < 50; i++) {
        L4_Word_t cpu = i % tu_ncpus();
        KCHECK_EQ(run_wait(cpu, i % 2 ? "hog pages=20 keep=1" : "crash exit 3", &st, &rec), LOADER_OK);
        KCHECK_EQ(LOADER_STATUS_HOW(st), LOADER_END_EXITED);
    }
    for (unsigned i = 0; i < npagers; i++)
        KCHECK_EQ(pinfo(i, PAGER_INFO_FREE), free0[i]);
    KCHECK_EQ(tu_kmem(), k0);
    KCHECK_EQ(loader_req_info(ld_tid, w, 4), LOADER_OK);
    KCHECK_EQ(w[0], 0);
    KCHECK_EQ(w[1], started0 + 51);
}

/* numa2 boot: a program on a CPU of node 1 is paged from node 1's memory. */
KTEST(loader, program_paged_from_its_node)
{
    LD_UP();
    unsigned long nodes = ktest_param_ul("numa_nodes", 1);
    for (unsigned i = 0; i < npagers; i++) {
        L4_Word_t node = pinfo(i, PAGER_INFO_NODE);
        KCHECK_EQ(node, nodes == 2 && i >= npagers / 2 ? 1 : 0);
    }
}
