/* exit.c — the end of a program: flush the console, then sleep forever.
 *
 * A server's thread cannot delete itself (ThreadControl is privileged and the task's manager
 * owns its threads), so "exit" stops the thread in a receive from itself that never times out.
 */
#include <stdlib.h>
#include <stdio.h>
#include <assert.h>
#include <l4/syscall.h>

static __attribute__((noreturn)) void sleep_forever(void)
{
    for (;;)
        L4_Sleep(L4_Never);
}

void exit(int status)
{
    (void)status;
    fflush(stdout);
    sleep_forever();
}

void abort(void)
{
    printf("abort()\n");
    fflush(stdout);
    sleep_forever();
}

void __assert_fail(const char *expr, const char *file, int line, const char *func)
{
    printf("assertion failed: %s:%d: %s: %s\n", file, line, func, expr);
    abort();
}
