/* crash — a program that ends the way its first argument says (the loader's tests).
 *
 *   crash exit <code>      exit(code)
 *   crash args ...         exit(argc * 100 + the length of the last argument)
 *   crash ud               an invalid opcode (exception 6 to the loader)
 *   crash null             a write to address 0x10: outside the pageable range (the pager
 *                          reports it to the loader)
 *   crash rodata           a write to its own read-only data (PAGER_E_PROT)
 *   crash thread <code>    a second thread (THREAD_NEW) exits with code; the first sleeps
 *   crash badthread        asks for a thread on CPU 4096: exit(200 + the loader's error)
 *   crash sleep            sleeps forever (KILL)
 *   crash touch <pages>    touches that many pages of its heap, then sleeps (KILL reclaims them)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <prog.h>

static const char message[] = "read-only";
static volatile unsigned long null_page = 0x10;     /* opaque to the compiler */
static char stack[8192] __attribute__((aligned(16)));

static void second(void *arg)
{
    exit((int)(long)arg);
}

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "exit";
    long val = argc > 2 ? strtol(argv[2], 0, 10) : 0;
    if (strcmp(how, "exit") == 0)
        return (int)val;
    if (strcmp(how, "args") == 0)
        return argc * 100 + (int)strlen(argv[argc - 1]);
    if (strcmp(how, "ud") == 0)
        __asm__ volatile("ud2");
    if (strcmp(how, "null") == 0)
        *(volatile long *)null_page = 1;
    if (strcmp(how, "rodata") == 0)
        *(volatile char *)message = 'R';
    if (strcmp(how, "thread") == 0) {
        L4_Word_t err;
        if (L4_IsNilThread(prog_thread_new(second, (void *)val, stack + sizeof stack, prog_cpu(), &err)))
            return 200 + (int)err;
    }
    if (strcmp(how, "badthread") == 0) {
        L4_Word_t err = 0;
        prog_thread_new(second, 0, stack + sizeof stack, 4096, &err);
        return 200 + (int)err;
    }
    if (strcmp(how, "touch") == 0) {
        L4_Word_t lo, hi;
        prog_heap(&lo, &hi);
        for (long i = 0; i < val; i++)
            *(volatile char *)(lo + (unsigned long)i * 4096) = 1;
    }
    for (;;)
        L4_Sleep(L4_Never);
}
