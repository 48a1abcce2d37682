/* prog.c — the loader's start block (prog.h), and the requests a program makes to the loader. */
#include <prog.h>
#include <stdint.h>
#include <stdlib.h>
#include <sigma4/loader.h>
#include "libc.h"

static const uint64_t *start;                   /* the start block, or NULL */
int __libc_argc;
char **__libc_argv;

void __libc_start(const uint64_t *sb)
{
    if (!sb || sb[LOADER_START_W_MAGIC] != LOADER_START_MAGIC)
        return;
    start = sb;
    __libc_argc = (int)sb[LOADER_START_W_ARGC];
    __libc_argv = (char **)sb[LOADER_START_W_ARGV];
    L4_Set_ExceptionHandler(prog_loader());
}

bool prog_loaded(void)
{
    return start != 0;
}

L4_ThreadId_t prog_pager(void)
{
    return start ? (L4_ThreadId_t){ .raw = start[LOADER_START_W_PAGER] } : L4_nilthread;
}

L4_ThreadId_t prog_loader(void)
{
    return start ? (L4_ThreadId_t){ .raw = start[LOADER_START_W_LOADER] } : L4_nilthread;
}

L4_Word_t prog_cpu(void)
{
    return start ? start[LOADER_START_W_CPU] : 0;
}

bool prog_heap(L4_Word_t *lo, L4_Word_t *hi)
{
    if (!start)
        return false;
    *lo = start[LOADER_START_W_HEAP_LOW];
    *hi = start[LOADER_START_W_HEAP_HIGH];
    return true;
}

/* A new thread starts here: RSP = the stack top given to prog_thread_new, fn and arg on it. */
static void __attribute__((noreturn, used)) thread_main(void (*fn)(void *), void *arg)
{
    L4_Set_ExceptionHandler(prog_loader());
    fn(arg);
    exit(0);
}

__asm__(".text\n"
        "prog_thread_entry:\n"
        "    popq %rdi\n"                       /* fn */
        "    popq %rsi\n"                       /* arg */
        "    xorl %ebp, %ebp\n"
        "    call thread_main\n"
        "    ud2\n");
extern char prog_thread_entry[];

L4_ThreadId_t prog_thread_new(void (*fn)(void *), void *arg, void *sp, L4_Word_t cpu,
                              L4_Word_t *err)
{
    uint64_t *top = (uint64_t *)sp;
    if (!start || ((uintptr_t)sp & 15)) {
        if (err)
            *err = LOADER_E_BADARG;
        return L4_nilthread;
    }
    *--top = (uint64_t)arg;                     /* popped: RSP = sp, 16-aligned at the call */
    *--top = (uint64_t)fn;
    L4_LoadMR(1, (L4_Word_t)prog_thread_entry);
    L4_LoadMR(2, (L4_Word_t)top);
    L4_LoadMR(3, cpu);
    L4_Set_MsgTag(L4_MsgTagMake(LOADER_LABEL(LOADER_OP_THREAD_NEW), LOADER_ARGS_THREAD_NEW, 0));
    L4_MsgTag_t tag = L4_Call(prog_loader());
    L4_Word_t e = L4_IpcFailed(tag) ? LOADER_E_BADMSG : L4_Label(tag), id = 0;
    if (e == LOADER_OK)
        L4_StoreMR(1, &id);
    if (err)
        *err = e;
    return e == LOADER_OK ? (L4_ThreadId_t){ .raw = id } : L4_nilthread;
}
