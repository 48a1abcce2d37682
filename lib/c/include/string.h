/* string.h — memory and string functions of the freestanding C library (lib/c/string.c). */
#pragma once
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void *memcpy(void *__restrict dst, const void *__restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);   /* regions may overlap */
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);    /* bytes compared as unsigned char */
void *memchr(const void *s, int c, size_t n);           /* first c in s[0..n), or NULL */

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);              /* strlen, at most max */
int strcmp(const char *a, const char *b);               /* characters as unsigned char */
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *__restrict dst, const char *__restrict src);
/* Copy at most n characters; pads dst with NULs up to n; not terminated if strlen(src) >= n. */
char *strncpy(char *__restrict dst, const char *__restrict src, size_t n);
char *strcat(char *__restrict dst, const char *__restrict src);
char *strchr(const char *s, int c);                     /* c may be '\0': the terminator */
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);

#ifdef __cplusplus
}
#endif
