/* start.c — the loader as a thread of the root task: created by the root task's first thread
 * (after loader_modules_init), running loader_run on a stack of its own, paged by sigma0
 * like the root task (it touches only the root's image, mapped at boot, and the windows it
 * fills from sigma0 itself).
 */
#include <stdio.h>
#include <sigma4/layout.h>
#include "loader.h"

#define LOADER_STACK    32768

static char stack[LOADER_STACK] __attribute__((aligned(16)));
static const char *server_args;
static volatile int ready_state;

static void __attribute__((noreturn)) loader_main(void)
{
    loader_run(server_args, &ready_state);
    for (;;)
        L4_Sleep(L4_Never);
}

L4_ThreadId_t loader_start(const char *server_cmd, unsigned long wait_us)
{
    L4_ThreadId_t me = L4_Myself(), t = L4_GlobalId(LD_THREAD_NO, 1);
    L4_ThreadId_t sigma0 = L4_GlobalId(L4_ThreadIdUserBase(L4_GetKernelInterface()), 1);
    server_args = server_cmd;
    ready_state = 0;
    if (!L4_ThreadControl(t, me, me, me, (void *)(ROOT_UTCB_AREA + LD_THREAD_NO * UTCB_SIZE))) {
        printf("loader: ThreadControl failed, ErrorCode %lu\n", L4_ErrorCode());
        return L4_nilthread;
    }
    L4_Set_PagerOf(t, sigma0);
    L4_Set_Priority(t, LD_SERVER_PRIO);
    L4_Start_SpIp(t, (L4_Word_t)(stack + sizeof stack - 8), (L4_Word_t)loader_main);
    L4_Word_t t0 = L4_SystemClock().raw;
    while (ready_state == 0 && L4_SystemClock().raw - t0 < wait_us)
        L4_Sleep(L4_TimePeriod(1000));
    if (ready_state != 1) {
        printf("loader: the memory server did not report ready\n");
        return L4_nilthread;
    }
    return t;
}
