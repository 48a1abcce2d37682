/* report.c — sorting batch times and printing BENCH lines (report.h). */
#include <stdio.h>
#include "report.h"

void bench_sort(L4_Word64_t *v, unsigned n)
{
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
            L4_Word64_t x = v[j];
            v[j] = v[j - 1];
            v[j - 1] = x;
        }
}

void bench_figure(const char *name, const char *suffix, L4_Word64_t value, L4_Word64_t ops,
                  int digits, const char *unit)
{
    L4_Word64_t scale = digits == 2 ? 100 : digits == 1 ? 10 : 1;
    L4_Word64_t x = (value * scale + ops / 2) / ops;
    if (digits == 0)
        printf("BENCH %s%s %llu %s\n", name, suffix, (unsigned long long)x, unit);
    else
        printf(digits == 2 ? "BENCH %s%s %llu.%02llu %s\n" : "BENCH %s%s %llu.%llu %s\n", name,
               suffix, (unsigned long long)(x / scale), (unsigned long long)(x % scale), unit);
}

void bench_ten_instructions(unsigned n)
{
    __asm__ __volatile__("1:\n\t.rept 8\n\tnop\n\t.endr\n\tdec %0\n\tjnz 1b" : "+r"(n) : : "cc");
}
