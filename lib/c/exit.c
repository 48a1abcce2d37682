/* exit.c — the end of a program: flush the console, tell the loader, sleep forever.
 *
 * A thread cannot delete itself (ThreadControl is privileged and the task's manager owns its
 * threads).  A program the loader started sends it EXIT (never answered: the loader deletes
 * the program's threads and space); a root server just stops in a receive that never ends.
 */
#include <stdlib.h>
#include <stdio.h>
#include <assert.h>
#include <l4/l4.h>
#include <prog.h>
#include <sigma4/loader.h>

static __attribute__((noreturn)) void sleep_forever(void)
{
    for (;;)
        L4_Sleep(L4_Never);
}

void exit(int status)
{
    fflush(stdout);
    if (prog_loaded()) {
        L4_LoadMR(1, (L4_Word_t)(unsigned)status);
        L4_Set_MsgTag(L4_MsgTagMake(LOADER_LABEL(LOADER_OP_EXIT), LOADER_ARGS_EXIT, 0));
        L4_Send(prog_loader());
    }
    sleep_forever();
}

void abort(void)
{
    printf("abort()\n");
    exit(134);                                  /* 128 + SIGABRT, as a shell reports it */
}

void __assert_fail(const char *expr, const char *file, int line, const char *func)
{
    printf("assertion failed: %s:%d: %s: %s\n", file, line, func, expr);
    abort();
}
