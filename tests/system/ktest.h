/* ktest.h — the in-system test framework: KTEST registers a test, KCHECK/KCHECK_EQ assert.
 *
 * KTEST(area, name) { ... } defines a test function and puts a `struct ktest` record for it into
 * the `ktests` section; the linker (lib/c/user.ld) keeps that section whole and bounds it with
 * __start_ktests/__stop_ktests, so runner.c finds every test of every linked file: files in link
 * order, tests of one file in source order (no_reorder stops GCC from reversing them); the
 * runner takes the KTEST_LATE ones after all the others.
 * A failing check prints one diagnostic line "# file:line: ..." (a TAP comment), marks the
 * current test failed and returns from the test function.  KSKIP("reason") ends the current
 * test as skipped (a test that cannot run here, e.g. a cross-CPU test on one CPU); the runner
 * reports it as "ok N - area.name # SKIP reason", and it counts neither as passed nor failed.
 * Tests run one at a time on the runner's thread; a test that creates threads must stop them
 * before it returns.
 */
#pragma once
#include <stdio.h>

/* One registered test.  Aligned to its size so the section is a plain array. */
struct ktest {
    const char *name;           /* "area.name" */
    void (*fn)(void);
    unsigned long flags;        /* KTEST_F_* */
} __attribute__((aligned(32)));

/* The runner runs these after every other test (tests that a kernel bug may bring down with
 * the whole system: every other result is in by then). */
#define KTEST_F_LATE    0x1UL

extern const struct ktest __start_ktests[], __stop_ktests[];

/* Set by a failing check; cleared by the runner before each test. */
extern int ktest_failed;
/* Set by KSKIP with its reason; cleared by the runner before each test. */
extern const char *ktest_skipped;

/* The value of test parameter `key` (run_tests.py --param key=value,...; decimal, or hex with
 * 0x), or dflt if the run sets none. */
unsigned long ktest_param_ul(const char *key, unsigned long dflt);

#define KTEST(area, name)       KTEST_FLAGS(area, name, 0)
/* A KTEST run after all the others (KTEST_F_LATE). */
#define KTEST_LATE(area, name)  KTEST_FLAGS(area, name, KTEST_F_LATE)
#define KTEST_FLAGS(area, name, fl)                                             \
    static void ktest_fn_##area##_##name(void);                                  \
    static const struct ktest ktest_rec_##area##_##name                          \
        __attribute__((used, no_reorder, section("ktests"))) =                   \
        { #area "." #name, ktest_fn_##area##_##name, (fl) };                     \
    static void ktest_fn_##area##_##name(void)

#define KCHECK(expr) do {                                                       \
        if (!(expr)) {                                                           \
            printf("# %s:%d: KCHECK(%s) failed\n", __FILE__, __LINE__, #expr);   \
            ktest_failed = 1;                                                    \
            return;                                                              \
        }                                                                        \
    } while (0)

#define KCHECK_EQ(a, b) do {                                                    \
        unsigned long long ka_ = (unsigned long long)(a);                        \
        unsigned long long kb_ = (unsigned long long)(b);                        \
        if (ka_ != kb_) {                                                        \
            printf("# %s:%d: KCHECK_EQ(%s, %s) failed: 0x%llx != 0x%llx\n",      \
                   __FILE__, __LINE__, #a, #b, ka_, kb_);                        \
            ktest_failed = 1;                                                    \
            return;                                                              \
        }                                                                        \
    } while (0)

/* End the current test as skipped, for `reason` (a string that lives on; printed after # SKIP).
 * Only from the test function itself (a TTEST body): it returns from the function it is in. */
#define KSKIP(reason) do {                                                      \
        ktest_skipped = (reason);                                                \
        return;                                                                  \
    } while (0)
