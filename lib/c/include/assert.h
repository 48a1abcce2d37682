/* assert.h — assert(expr): in debug builds (no NDEBUG) a false expr prints file:line: expr and
 * aborts.  expr must have no side effects.  May be included repeatedly (NDEBUG per inclusion). */
#undef assert
#ifdef NDEBUG
#define assert(expr) ((void)0)
#else
#define assert(expr) ((expr) ? (void)0 : __assert_fail(#expr, __FILE__, __LINE__, __func__))
#endif

#ifndef __SIGMA4_ASSERT_H
#define __SIGMA4_ASSERT_H
#ifdef __cplusplus
extern "C" {
#else
#define static_assert _Static_assert
#endif
/* Print "assertion failed: file:line: func: expr" and abort(). */
__attribute__((__noreturn__)) void __assert_fail(const char *expr, const char *file, int line, const char *func);
#ifdef __cplusplus
}
#endif
#endif
