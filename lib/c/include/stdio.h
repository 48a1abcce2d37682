/* stdio.h — formatted output to the kernel-debugger console (lib/c/printf.c).
 *
 * Formats: %d %i %u %x %X %o %p %s %c %% with the flags '-' '0' '+' ' ' '#', a width and a
 * precision (numbers or '*'), and the length modifiers hh h l ll z j t.  stdout and stderr both
 * go to the console through one line buffer (flushed at '\n', when full, and by fflush/exit).
 * Not thread-safe.
 */
#pragma once
#include <stddef.h>
#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EOF (-1)

typedef struct __sigma4_file FILE;     /* opaque: only stdout and stderr exist */
extern FILE *const stdout;
extern FILE *const stderr;

/* Write at most size-1 characters and a NUL into buf (nothing if size == 0); return the length
 * the full output would have. */
int vsnprintf(char *__restrict buf, size_t size, const char *__restrict fmt, va_list ap);
int snprintf(char *__restrict buf, size_t size, const char *__restrict fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Console output; return the number of characters written. */
int vprintf(const char *__restrict fmt, va_list ap);
int printf(const char *__restrict fmt, ...) __attribute__((format(printf, 1, 2)));
int vfprintf(FILE *__restrict f, const char *__restrict fmt, va_list ap);
int fprintf(FILE *__restrict f, const char *__restrict fmt, ...) __attribute__((format(printf, 2, 3)));
int puts(const char *s);                /* s and a newline */
int fputs(const char *__restrict s, FILE *__restrict f);
int putchar(int c);
int fputc(int c, FILE *f);
int fflush(FILE *f);                    /* write out the buffer (any f, NULL included); 0 */

#ifdef __cplusplus
}
#endif
