/* report.h — what every benchmark program shares: the time stamp counter, sorting batch times,
 * and printing one `BENCH <name> <value> <unit>` line (tools/run_bench.py parses them).
 *
 * Under QEMU's `-icount shift=0,sleep=off` the guest TSC advances one tick per executed
 * instruction, so rdtsc differences are instruction counts (of every CPU QEMU runs, see
 * bench/smp); without -icount they are not (use L4_SystemClock for wall time).
 */
#pragma once
#include <l4/l4.h>

/* The guest time stamp counter. */
static inline L4_Word64_t bench_rdtsc(void)
{
    L4_Word_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return (hi << 32) | lo;
}

/* Sort v[0..n) ascending (n is a handful of batches: insertion sort). */
void bench_sort(L4_Word64_t *v, unsigned n);

/* Print `BENCH <name><suffix> <value / ops> <unit>`, the quotient rounded to `digits` decimals
 * (0, 1 or 2).  ops > 0. */
void bench_figure(const char *name, const char *suffix, L4_Word64_t value, L4_Word64_t ops,
                  int digits, const char *unit);

/* n iterations of exactly 10 instructions (8 nops, dec, jnz), n > 0: timed with rdtsc it checks
 * that the TSC counts instructions (10.0 per iteration, plus the call and rdtsc spread over the
 * batch). */
void bench_ten_instructions(unsigned n);
