/* temporary smoke test of the issue-3 kernel paths through the raw generated stubs */
#include <stdio.h>
#include <l4/l4.h>
#include <sigma4/syscall_stubs.h>
#include <sigma4/utcb.h>
#include "ktest.h"

static uint64_t me(void) { return L4_Myself().raw; }

static uint64_t raw_ipc(uint64_t to, uint64_t from, uint64_t timeouts, uint64_t *tag)
{
    struct sys_ipc_in in = { to, from, timeouts, *tag };
    struct sys_ipc_out out;
    __l4_sys_ipc(&in, &out);
    *tag = out.mr0;
    return out.from;
}

static volatile int child_ran;
static char child_stack[8192] __attribute__((aligned(16)));

static void child(void)
{
    child_ran = 1;
    uint64_t tag = 0;
    uint64_t from = raw_ipc(0, ~0ULL, 0, &tag);        /* wait for anyone */
    for (;;) {
        L4_Word_t w; L4_StoreMR(1, &w);
        L4_LoadMR(1, w + 1);
        tag = 1;                                        /* u = 1 */
        from = raw_ipc(from, ~0ULL, 0, &tag);          /* reply and wait */
    }
}

KTEST(smoke, thread_ipc)
{
    uint64_t dest = ((uint64_t)(96 + 20) << 32) | 1;
    struct sys_thread_control_in tc = { dest, me(), me(), me(), 0xBF000000 + 1024 };
    struct sys_thread_control_out tco;
    __l4_sys_thread_control(&tc, &tco);
    KCHECK_EQ(tco.result, 1);
    /* start-up message: MR1 = ip, MR2 = sp */
    L4_LoadMR(1, (L4_Word_t)child);
    L4_LoadMR(2, (L4_Word_t)(child_stack + sizeof(child_stack) - 8));
    uint64_t tag = 2;
    raw_ipc(dest, 0, 0, &tag);
    KCHECK_EQ(tag & (1 << 15), 0);
    for (int i = 0; i < 5; i++) {
        L4_LoadMR(1, 100 + i);
        tag = 1;
        uint64_t from = raw_ipc(dest, dest, 0, &tag);
        KCHECK_EQ(tag & (1 << 15), 0);
        L4_Word_t w; L4_StoreMR(1, &w);
        KCHECK_EQ(w, 101 + i);
        KCHECK_EQ(from, 0xBF000000 + 1024 + 512);        /* local id: same space */
    }
    KCHECK(child_ran);
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    uint64_t t0 = ((uint64_t)hi << 32) | lo;
    for (int i = 0; i < 1000; i++) {
        tag = 0;
        raw_ipc(dest, dest, 0, &tag);
    }
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    printf("# smoke: %llu cycles per round trip\n", (unsigned long long)((((uint64_t)hi << 32) | lo) - t0) / 1000);
    struct sys_thread_control_in del = { dest, 0, 0, 0, ~0ULL };
    __l4_sys_thread_control(&del, &tco);
    KCHECK_EQ(tco.result, 1);
}
