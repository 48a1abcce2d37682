/* main.c — the SMP IPC benchmark's root task (smp.h): threads, placement, checks, the end line.
 *
 * Needs at least two CPUs online (KIP); with fewer it prints a `bench: error` line and stops.
 * Placement is by Schedule's processor control (L4_Set_ProcessorNo); where a thread runs is
 * checked, not assumed: the root thread and C1 ask the kernel for their CPU (KDB_STAT_CPU),
 * and every reply tag's X bit (sender and receiver on different CPUs) must agree with the
 * placement of the measurement (smp_check_tags).
 */
#include <stdio.h>
#include "partners.h"
#include "smp.h"

#define MR_SERVER       1
#define MR_COUNT        2

unsigned smp_errors;

int smp_place(L4_ThreadId_t t, L4_Word_t cpu, const char *who)
{
    if (L4_Set_ProcessorNo(t, cpu) != L4_SCHEDRESULT_ERROR)
        return 1;
    printf("bench: error: moving %s to CPU %lu failed (ErrorCode %lu)\n", who, cpu,
           L4_ErrorCode());
    smp_errors++;
    return 0;
}

__attribute__((noinline)) void smp_roundtrips(L4_ThreadId_t server, unsigned n, L4_Word_t *any,
                                              L4_Word_t *all)
{
    L4_MsgTag_t tag = L4_MsgTagMake(0, 0, 0);
    L4_Word_t or_tags = 0, and_tags = ~0UL;
    for (unsigned i = 0; i < n; i++) {
        L4_Set_MsgTag(tag);
        L4_Word_t raw = L4_Call(server).raw;
        or_tags |= raw;
        and_tags &= raw;
    }
    *any = or_tags;
    *all = and_tags;
}

int smp_check_tags(const char *op, L4_Word_t any, L4_Word_t all, int cross)
{
    const char *what = NULL;
    if (any & L4_MSGTAG_ERROR)
        what = "an IPC failed";
    else if (cross && !(all & L4_MSGTAG_XCPU))
        what = "a reply came from the client's own CPU (X bit clear), expected another CPU";
    else if (!cross && (any & L4_MSGTAG_XCPU))
        what = "a reply came from another CPU (X bit set), expected the client's own";
    if (!what)
        return 1;
    printf("bench: error: %s: %s\n", op, what);
    smp_errors++;
    return 0;
}

void smp_client(void)
{
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        L4_Word_t server = 0, n = 0, any = L4_MSGTAG_ERROR, all = 0;
        L4_StoreMR(MR_SERVER, &server);
        L4_StoreMR(MR_COUNT, &n);
        L4_Clock_t t0 = L4_SystemClock(), t1 = t0;
        if (L4_IpcSucceeded(tag) && L4_UntypedWords(tag) == 2) {
            smp_roundtrips((L4_ThreadId_t){ .raw = server }, (unsigned)n, &any, &all);
            t1 = L4_SystemClock();
        }
        L4_Set_MsgTag(L4_MsgTagMake(0, 5, 0));
        L4_LoadMR(1, t0.raw);
        L4_LoadMR(2, t1.raw);
        L4_LoadMR(3, any);
        L4_LoadMR(4, all);
        L4_LoadMR(5, L4_KDB_Stat(KDB_STAT_CPU));
        L4_Send(from);
        tag = L4_Wait(&from);
    }
}


static void run(void)
{
    L4_ThreadId_t s0 = partner_local();
    if (L4_IsNilThread(s0)) {
        smp_errors++;
        return;
    }
    if (!smp_wall_clock) {
        L4_ThreadId_t r = partner_remote();
        if (L4_IsNilThread(r) || !partner_first_contact(r)) {
            smp_errors++;
            r = L4_nilthread;
        }
        smp_icount(s0, r);
        return;
    }
    L4_ThreadId_t s1 = partner_thread(4, partner_serve), c1 = partner_thread(5, smp_client);
    if (L4_IsNilThread(s1) || L4_IsNilThread(c1)) {
        smp_errors++;
        return;
    }
    if (smp_place(s1, 1, "S1") && smp_place(c1, 1, "C1"))
        smp_wall(s0, s1, c1);
}

int main(void)
{
    const void *kip = L4_GetKernelInterface();
    L4_Word_t ncpus = L4_NumProcessors(kip), cpu = L4_KDB_Stat(KDB_STAT_CPU);
    printf("bench: SMP IPC, %s image: %lu CPU(s) online, root thread on CPU %lu "
           "(UTCB ProcessorNo %lu)\n", smp_wall_clock ? "wall-clock" : "icount", ncpus, cpu,
           L4_ProcessorNo());
    L4_Set_Priority(L4_Myself(), PARTNER_PRIO);
    if (ncpus < 2) {
        printf("bench: error: the SMP benchmark needs at least 2 CPUs online\n");
        smp_errors++;
    } else if (cpu != 0) {
        printf("bench: error: the root thread runs on CPU %lu, not 0\n", cpu);
        smp_errors++;
    } else {
        run();
    }
    printf("bench: done, %u error(s)\n", smp_errors);
    fflush(stdout);
    L4_KDB_Shutdown(smp_errors ? 1 : 0);
    for (;;)
        L4_Sleep(L4_Never);
}
