/* htest.h — the host unit-test framework: TEST(area_name) functions, CHECK assertions, TAP-like lines.
 *
 * Each tests/host/test_<module>.c includes the module's .c file and this header and defines
 * tests with TEST(name).  The program prints one line per test:
 *     ok - host.<module>.<name>        or        not ok - host.<module>.<name>: <file>:<line> <expr>
 * and exits non-zero if any failed.  Built with -fsanitize=address,undefined.
 */
#pragma once
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct htest { const char *name; void (*fn)(void); struct htest *next; };
extern struct htest *htest_list;
extern const char *htest_module;
extern int htest_failed_now;

#define TEST(name)                                                              \
    static void test_##name(void);                                              \
    static struct htest htest_rec_##name = { #name, test_##name, 0 };            \
    __attribute__((constructor)) static void htest_reg_##name(void) {            \
        struct htest **pp = &htest_list;                                         \
        while (*pp) pp = &(*pp)->next;                                           \
        *pp = &htest_rec_##name;                                                 \
    }                                                                            \
    static void test_##name(void)

#define CHECK(expr) do {                                                        \
        if (!(expr)) {                                                           \
            if (!htest_failed_now)                                               \
                printf("#   %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #expr); \
            htest_failed_now = 1;                                                \
            return;                                                              \
        }                                                                        \
    } while (0)

#define CHECK_EQ(a, b) do {                                                     \
        unsigned long long va_ = (unsigned long long)(a), vb_ = (unsigned long long)(b); \
        if (va_ != vb_) {                                                        \
            printf("#   %s:%d: %s == %s failed: 0x%llx != 0x%llx\n",             \
                   __FILE__, __LINE__, #a, #b, va_, vb_);                        \
            htest_failed_now = 1;                                                \
            return;                                                              \
        }                                                                        \
    } while (0)

/* Define once per test program: HTEST_MAIN("frame") */
#define HTEST_MAIN(module)                                                      \
    struct htest *htest_list; const char *htest_module = module;                 \
    int htest_failed_now;                                                        \
    int main(void) {                                                             \
        int failed = 0;                                                          \
        for (struct htest *t = htest_list; t; t = t->next) {                     \
            htest_failed_now = 0;                                                \
            t->fn();                                                             \
            printf("%s - host.%s.%s\n", htest_failed_now ? "not ok" : "ok",      \
                   htest_module, t->name);                                       \
            failed += htest_failed_now;                                          \
        }                                                                        \
        return failed ? 1 : 0;                                                   \
    }
