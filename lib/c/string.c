/* string.c — memory and string functions, and string-to-number conversion.
 *
 * Plain C, no state, any context.  GCC recognises byte loops as memset/memcpy patterns and
 * would turn them into calls to themselves; NO_PATTERNS keeps that from happening here.
 */
#include <string.h>
#include <stdlib.h>
#include <stdint.h>
#include <limits.h>
#include <ctype.h>

#define NO_PATTERNS __attribute__((optimize("no-tree-loop-distribute-patterns")))

typedef uint64_t __attribute__((may_alias)) word_t;

/* Copy n bytes upwards, word-wise when both are 8-aligned.  Also correct for overlapping
 * regions with dst below src (every byte is read before a store can reach it). */
static NO_PATTERNS void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
    if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
        for (; n >= 8; n -= 8, d += 8, s += 8)
            *(word_t *)d = *(const word_t *)s;
    }
    while (n--)
        *d++ = *s++;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    copy_forward(dst, src, n);
    return dst;
}

NO_PATTERNS void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d == s || n == 0)
        return dst;
    if ((uintptr_t)d - (uintptr_t)s >= n) {     /* d below s, or no overlap: copy forwards */
        copy_forward(d, s, n);
        return dst;
    }
    d += n;                                     /* d inside [s, s+n): copy backwards */
    s += n;
    if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
        for (; n >= 8; n -= 8) {
            d -= 8;
            s -= 8;
            *(word_t *)d = *(const word_t *)s;
        }
    }
    while (n--)
        *--d = *--s;
    return dst;
}

NO_PATTERNS void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    word_t w = (unsigned char)c * 0x0101010101010101ULL;
    for (; n > 0 && ((uintptr_t)d & 7); n--)
        *d++ = (unsigned char)c;
    for (; n >= 8; n -= 8, d += 8)
        *(word_t *)d = w;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p < *q ? -1 : 1;
    return 0;
}

void *memchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    for (; n; n--, p++)
        if (*p == (unsigned char)c)
            return (void *)p;
    return NULL;
}

size_t strlen(const char *s)
{
    const char *p = s;
    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    while (*p && *p == *q)
        p++, q++;
    return *p < *q ? -1 : *p > *q;
}

int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    for (; n; n--, p++, q++) {
        if (*p != *q)
            return *p < *q ? -1 : 1;
        if (*p == 0)
            break;
    }
    return 0;
}

char *strcpy(char *restrict dst, const char *restrict src)
{
    char *d = dst;
    while ((*d++ = *src++) != 0)
        ;
    return dst;
}

NO_PATTERNS char *strncpy(char *restrict dst, const char *restrict src, size_t n)
{
    size_t i = 0;
    for (; i < n && src[i]; i++)
        dst[i] = src[i];
    for (; i < n; i++)
        dst[i] = 0;
    return dst;
}

char *strcat(char *restrict dst, const char *restrict src)
{
    strcpy(dst + strlen(dst), src);
    return dst;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (*s == 0)
            return NULL;
    }
}

char *strrchr(const char *s, int c)
{
    const char *last = NULL;
    for (;; s++) {
        if (*s == (char)c)
            last = s;
        if (*s == 0)
            return (char *)last;
    }
}

char *strstr(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (; *haystack; haystack++)
        if (strncmp(haystack, needle, n) == 0)
            return (char *)haystack;
    return n == 0 ? (char *)haystack : NULL;
}

/* ---- string to number -------------------------------------------------------------------- */

/* Value of digit character c, or 99 if it is none. */
static unsigned digit_value(int c)
{
    if (isdigit(c))
        return (unsigned)(c - '0');
    if (islower(c))
        return (unsigned)(c - 'a' + 10);
    if (isupper(c))
        return (unsigned)(c - 'A' + 10);
    return 99;
}

/* Parse [space][sign][prefix]digits in base (0 or 2..36).  Saturates at ULLONG_MAX and sets
 * *overflow; *neg = a '-' was seen.  *end = after the last digit, or s if none was used. */
static unsigned long long parse_number(const char *s, char **end, int base, int *neg, int *overflow)
{
    const char *p = s;
    unsigned long long v = 0;
    int any = 0;

    *neg = 0;
    *overflow = 0;
    if (base < 0 || base == 1 || base > 36) {
        if (end)
            *end = (char *)s;
        return 0;
    }
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '+' || *p == '-')
        *neg = *p++ == '-';
    if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
        digit_value((unsigned char)p[2]) < 16) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = p[0] == '0' ? 8 : 10;
    }
    for (;; p++) {
        unsigned d = digit_value((unsigned char)*p);
        if (d >= (unsigned)base)
            break;
        any = 1;
        if (v > (ULLONG_MAX - d) / (unsigned)base) {
            *overflow = 1;
            v = ULLONG_MAX;
        } else if (!*overflow) {
            v = v * (unsigned)base + d;
        }
    }
    if (end)
        *end = (char *)(any ? p : s);
    return v;
}

unsigned long long strtoull(const char *s, char **end, int base)
{
    int neg, overflow;
    unsigned long long v = parse_number(s, end, base, &neg, &overflow);
    if (overflow)
        return ULLONG_MAX;
    return neg ? -v : v;
}

unsigned long strtoul(const char *s, char **end, int base)
{
    return strtoull(s, end, base);      /* unsigned long and long long are both 64 bit */
}

long long strtoll(const char *s, char **end, int base)
{
    int neg, overflow;
    unsigned long long v = parse_number(s, end, base, &neg, &overflow);
    if (neg)
        return (overflow || v > (unsigned long long)LLONG_MAX + 1) ? LLONG_MIN : (long long)(0 - v);
    return (overflow || v > LLONG_MAX) ? LLONG_MAX : (long long)v;
}

long strtol(const char *s, char **end, int base)
{
    return strtoll(s, end, base);
}

int atoi(const char *s)
{
    return (int)strtol(s, NULL, 10);
}
