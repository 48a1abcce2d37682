/* stdlib.h — allocation, number conversion and program end of the freestanding C library. */
#pragma once
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

/* lib/c/malloc.c: first-fit allocator, 16-byte aligned blocks.  Not thread-safe. */
void *malloc(size_t size);              /* NULL if out of memory; malloc(0) is a unique pointer */
void free(void *p);                     /* p from malloc/calloc/realloc or NULL; aborts on a bad p */
void *calloc(size_t n, size_t size);    /* zeroed; NULL on overflow or out of memory */
void *realloc(void *p, size_t size);    /* keeps the contents; realloc(p, 0) frees, returns NULL */

/* sigma4: heap statistics in bytes: obtained from __heap_more, and currently free. */
void __malloc_stats(size_t *heap_bytes, size_t *free_bytes);

/* lib/c/string.c: base 0 = auto (0x hex, 0 octal, else decimal), 2..36 otherwise.  Leading
 * white space and a sign are accepted; on overflow the result is ULONG_MAX / LONG_MIN/MAX.
 * *end (if end != NULL) points after the last digit used, or at s if there was none. */
unsigned long strtoul(const char *s, char **end, int base);
long strtol(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
long long strtoll(const char *s, char **end, int base);
int atoi(const char *s);

static inline int abs(int x) { return x < 0 ? -x : x; }
static inline long labs(long x) { return x < 0 ? -x : x; }

/* lib/c/exit.c: flush stdout, then sleep forever (the thread never runs again). */
__attribute__((__noreturn__)) void exit(int status);
__attribute__((__noreturn__)) void abort(void);             /* prints "abort()" first */

#ifdef __cplusplus
}
#endif
