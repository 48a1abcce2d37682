/* main.c — the virtualization-extension benchmark's root task (ext.h): features, the root
 * thread as scheduler, the end line.
 *
 * The root thread creates every other thread with itself as their scheduler, so it is the one
 * preemption messages go to once they are switched on.  While another thread measures, the
 * root thread waits (ext_run_client) and answers any preemption message with an empty reply,
 * which resumes the preempted thread; it counts them (BENCH ext.preemptions).  Nothing else is
 * ready at the partners' priority while they measure, so none is expected.
 *
 * Lines: calibration.ten (must be 10.0), ext.features (how many of the five feature strings
 * the kernel lists), ext.preemptions, the figures of ipc.c and pf.c, `bench: done, <n>
 * error(s)`.
 */
#include <stdio.h>
#include "partners.h"
#include "report.h"
#include "ext.h"

#define LABEL_JOB_DONE  0x0D0E

struct ext_features ext_has;
unsigned ext_errors;

static void (*volatile client_job)(void);   /* what the client runs next (root writes) */
static L4_Word_t preemptions;               /* preemption messages answered */

static void read_features(void)
{
    ext_has.ctrlxfer = L4_HasFeature("ctrlxfer");
    ext_has.preemptmsg = L4_HasFeature("preemptmsg");
    ext_has.zerotimeslice = L4_HasFeature("zerotimeslice");
    ext_has.extpagefault = L4_HasFeature("extpagefault");
    ext_has.threadlimits = L4_HasFeature("threadlimits");
    int n = ext_has.ctrlxfer + ext_has.preemptmsg + ext_has.zerotimeslice + ext_has.extpagefault +
            ext_has.threadlimits;
    printf("bench: kernel \"%s\"; extensions:%s%s%s%s%s%s\n",
           L4_KernelVersionString(L4_GetKernelInterface()),
           ext_has.ctrlxfer ? " ctrlxfer" : "", ext_has.preemptmsg ? " preemptmsg" : "",
           ext_has.zerotimeslice ? " zerotimeslice" : "",
           ext_has.extpagefault ? " extpagefault" : "",
           ext_has.threadlimits ? " threadlimits" : "", n ? "" : " none (compiled out)");
    bench_figure("ext.features", "", (L4_Word64_t)n, 1, 0, "features");
}

int ext_schedule_bits(L4_ThreadId_t t, L4_Word_t pc, const char *who)
{
    if (!ext_has.preemptmsg)
        pc &= ~(EXT_PC_PREEMPT_MSG | EXT_PC_PREEMPT_REGS);
    if (!ext_has.extpagefault)
        pc &= ~EXT_PC_EXT_PAGEFAULT;
    if (!ext_has.preemptmsg && !ext_has.extpagefault)
        return 1;                           /* nothing this kernel could switch */
    if (L4_Schedule(t, L4_SCHED_UNCHANGED, L4_SCHED_UNCHANGED, L4_SCHED_UNCHANGED, pc, NULL) !=
        L4_SCHEDRESULT_ERROR)
        return 1;
    printf("bench: error: Schedule (preemption control %lx) of %s failed: ErrorCode %lu\n", pc,
           who, L4_ErrorCode());
    ext_errors++;
    return 0;
}

/* The client thread: run each job the root thread hands it, then report back. */
void ext_client_main(void)
{
    L4_ThreadId_t from;
    for (;;) {
        L4_MsgTag_t tag = L4_Wait(&from);
        if (L4_IpcSucceeded(tag) && client_job)
            client_job();
        L4_Set_MsgTag(L4_MsgTagMake(LABEL_JOB_DONE, 0, 0));
        L4_Send(from);
    }
}

int ext_run_client_job(L4_ThreadId_t client, void (*job)(void))
{
    client_job = job;
    L4_Set_MsgTag(L4_MsgTagMake(0, 0, 0));
    if (L4_IpcFailed(L4_Send_Timeout(client, L4_TimePeriod(2000000)))) {
        printf("bench: error: the client does not take a job (ErrorCode %lu)\n", L4_ErrorCode());
        ext_errors++;
        return 0;
    }
    for (;;) {
        L4_ThreadId_t from;
        L4_MsgTag_t tag = L4_Wait_Timeout(L4_TimePeriod(60000000), &from);
        if (L4_IpcFailed(tag)) {
            printf("bench: error: no answer from the client (ErrorCode %lu)\n", L4_ErrorCode());
            ext_errors++;
            return 0;
        }
        if (L4_GlobalIdOf(from).raw == client.raw && L4_Label(tag) == LABEL_JOB_DONE)
            return 1;
        if ((L4_Label(tag) & EXT_LABEL_MASK) == EXT_LABEL_PREEMPTION) {
            preemptions++;
            L4_Set_MsgTag(L4_MsgTagMake(0, 0, 0));
            L4_Reply(from);                 /* empty: resume where it was */
            continue;
        }
        printf("bench: error: unexpected message from %lx, tag %lx\n", from.raw, tag.raw);
        ext_errors++;
    }
}

int main(void)
{
    printf("bench: virtualization extensions: %d warm-up, %d batches of %d, median batch; "
           "figures are instructions (rdtsc under -icount shift=0), not cycles\n",
           EXT_WARMUP, EXT_BATCHES, EXT_ROUNDS);
    L4_Set_Priority(L4_Myself(), PARTNER_PRIO);
    read_features();
    bench_calibrate(EXT_WARMUP, EXT_BATCHES, EXT_ROUNDS);
    ext_ipc();
    ext_pf();
    bench_figure("ext.preemptions", "", preemptions, 1, 0, "messages");
    printf("bench: done, %u error(s)\n", ext_errors);
    fflush(stdout);
    L4_KDB_Shutdown(ext_errors ? 1 : 0);
    for (;;)
        L4_Sleep(L4_Never);
}
