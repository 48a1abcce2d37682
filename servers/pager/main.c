/* main.c — the memory server as a program of its own (the loader starts it from the module
 * `pager`; docs/design/pagers.md).  Not part of the hosted server the in-system tests run.
 *
 * Command line: `pager [pagers=percpu|central] [mem=<MiB>] [alg=avl|buddy]`:
 *   percpu (default) one pager per CPU, each pinned to its CPU; central: one pager on CPU 0
 *   (the baseline); mem: memory taken from sigma0 (default 64 MiB); alg: the allocator the
 *   pagers start with (default AVL).
 * The loader pages this program's image, so before anything else it touches every page of
 * it: afterwards no pager thread ever faults, and the loader may Call a pager while it is
 * not serving the server's faults.  Then: memory and partition (pager_setup), the pager
 * threads 1..n-1 from the loader (THREAD_NEW, each on its CPU), READY to the loader with the
 * pagers' ids, and the first thread becomes pager 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <prog.h>
#include <sigma4/loader.h>
#include "server.h"

#define STACK_BYTES     16384

extern char USER_BASE[], _end[];
static char stacks[PAGER_MAX_PAGERS][STACK_BYTES] __attribute__((aligned(16)));

static void pager_thread(void *arg)
{
    pager_loop(arg);
}

/* The value of "key=" among argv, or NULL. */
static const char *arg_value(int argc, char **argv, const char *key)
{
    size_t k = strlen(key);
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], key, k) == 0 && argv[i][k] == '=')
            return argv[i] + k + 1;
    return 0;
}

/* READY: the pagers' ids to the loader. */
static int ready(unsigned n)
{
    L4_LoadMR(1, n);
    for (unsigned i = 0; i < n; i++)
        L4_LoadMR((int)i + 2, pager_server.pager[i].self.raw);
    L4_Set_MsgTag(L4_MsgTagMake(LOADER_LABEL(LOADER_OP_READY), 1 + n, 0));
    L4_MsgTag_t tag = L4_Call(prog_loader());
    return L4_IpcSucceeded(tag) && L4_Label(tag) == LOADER_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (!prog_loaded()) {
        printf("pager: not started by the loader\n");
        return 1;
    }
    for (char *p = USER_BASE; p < _end; p += PAGER_PAGE_SIZE)
        (void)*(volatile char *)p;
    const char *mode = arg_value(argc, argv, "pagers"), *mem = arg_value(argc, argv, "mem");
    const char *alg = arg_value(argc, argv, "alg");
    bool central = mode && strcmp(mode, "central") == 0;
    uint64_t bytes = (mem ? strtoul(mem, 0, 10) : 64) << 20;
    unsigned n = central ? 1 : (unsigned)L4_NumProcessors(L4_GetKernelInterface());
    if (n > PAGER_MAX_PAGERS || n > LOADER_MAX_PAGERS)
        n = PAGER_MAX_PAGERS < LOADER_MAX_PAGERS ? PAGER_MAX_PAGERS : LOADER_MAX_PAGERS;
    unsigned cpu[PAGER_MAX_PAGERS];
    for (unsigned i = 0; i < n; i++)
        cpu[i] = i;
    if (pager_setup(n, cpu, bytes, prog_loader(), 0, 0) < 0)
        return 2;
    unsigned which = alg && strcmp(alg, "buddy") == 0 ? 1 : 0;
    for (unsigned i = 0; i < n; i++) {
        struct pager *p = &pager_server.pager[i];
        if (which != p->active && pma_drain(&p->alloc[p->active], &p->alloc[which]) == PMA_OK)
            p->active = which;
    }
    pager_server.pager[0].self = L4_Myself();
    for (unsigned i = 1; i < n; i++) {
        L4_Word_t err;
        pager_server.pager[i].self = prog_thread_new(pager_thread, &pager_server.pager[i],
                                                     stacks[i] + STACK_BYTES, cpu[i], &err);
        if (L4_IsNilThread(pager_server.pager[i].self)) {
            printf("pager: no thread for pager %u: %s\n", i, loader_strerror(err));
            return 3;
        }
    }
    printf("pager: %u pager(s), %s, %s, %llu MiB\n", n, central ? "central" : "one per CPU",
           which ? "buddy" : "AVL", (unsigned long long)(bytes >> 20));
    if (ready(n) < 0)
        return 4;
    pager_loop(&pager_server.pager[0]);
    return 0;
}
