/* test_libc.c — in-system tests of lib/c: strings, formatting, the heap, number parsing.
 *
 * These run in the test task under the real kernel, so they also exercise crt0, .bss/.data
 * loading and console output.  The heap tests assume nothing about the header size: they
 * first check that consecutive allocations are neighbours before relying on it.
 */
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <stdint.h>
#include <limits.h>
#include <ctype.h>
#include "ktest.h"

/* p, hidden from the compiler's format checks (to test deliberately odd formats/arguments). */
static const char *opaque(const char *p)
{
    __asm__("" : "+r"(p));
    return p;
}

KTEST(libc, memcpy_memmove)
{
    char buf[32];
    memset(buf, 'x', sizeof(buf));
    KCHECK_EQ(buf[0], 'x');
    KCHECK_EQ(buf[31], 'x');
    memcpy(buf, "0123456789", 11);
    KCHECK(strcmp(buf, "0123456789") == 0);
    KCHECK_EQ(buf[11], 'x');

    memmove(buf + 2, buf, 10);              /* overlap, destination above: backwards copy */
    KCHECK(memcmp(buf, "010123456789", 12) == 0);
    memmove(buf, buf + 2, 10);              /* overlap, destination below: forwards copy */
    KCHECK(memcmp(buf, "0123456789", 10) == 0);

    uint64_t words[8];                      /* aligned overlap takes the word path */
    for (int i = 0; i < 8; i++)
        words[i] = (uint64_t)i * 0x1111111111111111ULL;
    memmove(&words[1], &words[0], 7 * sizeof(uint64_t));
    for (int i = 1; i < 8; i++)
        KCHECK_EQ(words[i], (uint64_t)(i - 1) * 0x1111111111111111ULL);
    memmove(&words[0], &words[1], 7 * sizeof(uint64_t));
    KCHECK_EQ(words[6], 6 * 0x1111111111111111ULL);

    unsigned char odd[19];
    memset(odd + 1, 0xA5, 17);
    KCHECK_EQ(odd[1], 0xA5);
    KCHECK_EQ(odd[17], 0xA5);
    KCHECK(memchr(odd + 1, 0xA5, 17) == odd + 1);
    KCHECK(memcmp("abc", "abd", 3) < 0);
    KCHECK(memcmp("\xff", "\x01", 1) > 0);  /* unsigned comparison */
}

KTEST(libc, strcmp_order)
{
    KCHECK(strcmp("abc", "abc") == 0);
    KCHECK(strcmp("abc", "abd") < 0);
    KCHECK(strcmp("abd", "abc") > 0);
    KCHECK(strcmp("ab", "abc") < 0);
    KCHECK(strcmp("abc", "ab") > 0);
    KCHECK(strcmp("", "") == 0);
    KCHECK(strcmp("\xe4", "a") > 0);        /* characters compare as unsigned char */
    KCHECK(strncmp("abcdef", "abcxyz", 3) == 0);
    KCHECK(strncmp("abcdef", "abcxyz", 4) < 0);
    KCHECK(strncmp("abc", "abc\0zzz", 7) == 0);
    KCHECK(strncmp("x", "y", 0) == 0);
}

KTEST(libc, string_search_copy)
{
    const char *s = "hello, world";
    KCHECK_EQ(strlen(s), 12);
    KCHECK_EQ(strnlen(s, 5), 5);
    KCHECK_EQ(strnlen(s, 100), 12);
    KCHECK(strchr(s, 'o') == s + 4);
    KCHECK(strrchr(s, 'o') == s + 8);
    KCHECK(strchr(s, 'z') == NULL);
    KCHECK(strchr(s, '\0') == s + 12);
    KCHECK(strrchr(s, '\0') == s + 12);
    KCHECK(strstr(s, "wor") == s + 7);
    KCHECK(strstr(s, "word") == NULL);

    char buf[8];
    memset(buf, 'x', sizeof(buf));
    strncpy(buf, "ab", 5);                  /* pads with NULs up to n, no further */
    KCHECK(memcmp(buf, "ab\0\0\0xxx", 8) == 0);
    strncpy(buf, "abcdefgh", 4);            /* no terminator when the source is too long */
    KCHECK(memcmp(buf, "abcd\0xxx", 8) == 0);
    strcpy(buf, "ab");
    strcat(buf, "cd");
    KCHECK(strcmp(buf, "abcd") == 0);
    KCHECK(isspace('\t') && !isspace('a') && isxdigit('F') && !isxdigit('g'));
    KCHECK_EQ(toupper('q'), 'Q');
}

KTEST(libc, snprintf_integers)
{
    char b[64];
    snprintf(b, sizeof(b), "%d %i %u", -42, 7, 3000000000u);
    KCHECK(strcmp(b, "-42 7 3000000000") == 0);
    snprintf(b, sizeof(b), opaque("[%5d][%-5d][%05d][%-05d]"), -42, 42, -42, 7);  /* '-' beats '0' */
    KCHECK(strcmp(b, "[  -42][42   ][-0042][7    ]") == 0);
    snprintf(b, sizeof(b), "%x %X %#x %08x", 0xdeadbeefu, 0xabcu, 0x1f, 0x1234);
    KCHECK(strcmp(b, "deadbeef ABC 0x1f 00001234") == 0);
    snprintf(b, sizeof(b), "%ld %lu %lld", LONG_MIN, ULONG_MAX, -1LL);
    KCHECK(strcmp(b, "-9223372036854775808 18446744073709551615 -1") == 0);
    snprintf(b, sizeof(b), "%lx %llX %zu %zx", 0xfedcba9876543210UL, 0xabcdefULL, (size_t)123, (size_t)255);
    KCHECK(strcmp(b, "fedcba9876543210 ABCDEF 123 ff") == 0);
    snprintf(b, sizeof(b), "%hd %hu %hhx %hhd", 70000, 70000, 0x1ff, 200);
    KCHECK(strcmp(b, "4464 4464 ff -56") == 0);
    snprintf(b, sizeof(b), "%.3d|%6.3d|%-6.3x|%.0d|%+d|% d", 5, -5, 0xa, 0, 3, 3);
    KCHECK(strcmp(b, "005|  -005|00a   ||+3| 3") == 0);
    snprintf(b, sizeof(b), "%*d|%-*d|%o", 4, 1, 3, 2, 8);
    KCHECK(strcmp(b, "   1|2  |10") == 0);
    snprintf(b, sizeof(b), "%d", 0);
    KCHECK(strcmp(b, "0") == 0);
}

KTEST(libc, snprintf_strings_pointers)
{
    char b[64];
    snprintf(b, sizeof(b), "%s|%6s|%-6s|%.2s|%c%c|%%", "abc", "abc", "abc", "abc", 'x', 'y');
    KCHECK(strcmp(b, "abc|   abc|abc   |ab|xy|%") == 0);
    snprintf(b, sizeof(b), "%p", (void *)0x2000abcUL);
    KCHECK(strcmp(b, "0x2000abc") == 0);
    snprintf(b, sizeof(b), "%s", opaque(NULL));
    KCHECK(strcmp(b, "(null)") == 0);
    snprintf(b, sizeof(b), "%3c|%-3c|", 'a', 'b');
    KCHECK(strcmp(b, "  a|b  |") == 0);
}

KTEST(libc, snprintf_truncation)
{
    char b[8];
    memset(b, 'x', sizeof(b));
    int n = snprintf(b, 5, "%s-%d", "abcdef", 12);   /* full output "abcdef-12" = 9 chars */
    KCHECK_EQ(n, 9);
    KCHECK(memcmp(b, "abcd\0xxx", 8) == 0);
    n = snprintf(b, 0, "%d", 12345);
    KCHECK_EQ(n, 5);
    KCHECK_EQ(b[0], 'a');                   /* size 0: nothing written */
    n = snprintf(b, 1, "hello");
    KCHECK_EQ(n, 5);
    KCHECK_EQ(b[0], '\0');
    n = snprintf(b, sizeof(b), "1234567");  /* exactly fits */
    KCHECK_EQ(n, 7);
    KCHECK(strcmp(b, "1234567") == 0);
}

KTEST(libc, malloc_reuse_alignment)
{
    size_t heap0, free0, heap1, free1;
    __malloc_stats(&heap0, &free0);

    void *p[16];
    for (int i = 0; i < 16; i++) {
        p[i] = malloc((size_t)(i * 13 + 1));
        KCHECK(p[i] != NULL);
        KCHECK_EQ((uintptr_t)p[i] & 15, 0);
        memset(p[i], i, (size_t)(i * 13 + 1));
    }
    for (int i = 0; i < 16; i++)            /* no overlap: every block kept its pattern */
        for (int j = 0; j < i * 13 + 1; j++)
            KCHECK_EQ(((unsigned char *)p[i])[j], i);

    void *a = malloc(100), *b = malloc(100), *c = malloc(100);
    KCHECK(a && b && c);
    free(b);
    void *d = malloc(100);                  /* first fit: b's hole comes before the tail */
    KCHECK(d == b);
    free(a);
    free(c);
    free(d);
    for (int i = 0; i < 16; i++)
        free(p[i]);
    void *z = malloc(0);                    /* a unique, freeable pointer */
    KCHECK(z != NULL);
    free(z);
    __malloc_stats(&heap1, &free1);
    KCHECK(free1 <= heap1);
    KCHECK_EQ(heap1 - free1, heap0 - free0);        /* everything given back */
}

KTEST(libc, malloc_coalescing)
{
    size_t heap0, free0, heap1, free1;
    char *a = malloc(1000), *b = malloc(1000), *c = malloc(1000);
    KCHECK(a && b && c);
    /* Fresh consecutive blocks are neighbours (front splitting of the first fitting block). */
    KCHECK(b > a && b - a < 1100);
    KCHECK(c > b && c - b < 1100);
    __malloc_stats(&heap0, &free0);
    free(a);
    free(b);                                /* a and b merge into one block of >= 2000 bytes */
    char *d = malloc(1900);
    KCHECK(d == a);
    free(d);
    free(c);                                /* a+b and c merge with the free tail again */
    char *e = malloc(3000);
    KCHECK(e == a);
    free(e);
    __malloc_stats(&heap1, &free1);
    KCHECK_EQ(heap1, heap0);
    KCHECK(free1 >= free0 + 3000);

    /* A large request grows the heap; freeing it gives everything back. */
    void *big = malloc(200 * 1024);
    KCHECK(big != NULL);
    memset(big, 0x5A, 200 * 1024);
    size_t heap2, free2;
    free(big);
    __malloc_stats(&heap2, &free2);
    KCHECK_EQ(heap2 - free2, heap1 - free1);
}

KTEST(libc, calloc_zeroes)
{
    unsigned char *p = malloc(512);
    KCHECK(p != NULL);
    memset(p, 0xFF, 512);
    free(p);
    unsigned char *q = calloc(64, 8);       /* likely the same, dirty block */
    KCHECK(q != NULL);
    for (int i = 0; i < 512; i++)
        KCHECK_EQ(q[i], 0);
    free(q);
    KCHECK(calloc(SIZE_MAX / 2, 4) == NULL);        /* n * size overflows */
    KCHECK(malloc(SIZE_MAX - 8) == NULL);
}

KTEST(libc, realloc_preserves)
{
    char *p = malloc(40);
    KCHECK(p != NULL);
    for (int i = 0; i < 40; i++)
        p[i] = (char)('A' + i % 26);
    char *guard = malloc(40);               /* blocks growing in place */
    KCHECK(guard != NULL);
    char *q = realloc(p, 4000);
    KCHECK(q != NULL);
    for (int i = 0; i < 40; i++)
        KCHECK_EQ(q[i], 'A' + i % 26);
    q[3999] = 'z';
    char *r = realloc(q, 20);               /* shrink in place */
    KCHECK(r == q);
    for (int i = 0; i < 20; i++)
        KCHECK_EQ(r[i], 'A' + i % 26);
    free(guard);
    char *s = realloc(r, 200);              /* may now grow in place into the freed space */
    KCHECK(s != NULL);
    for (int i = 0; i < 20; i++)
        KCHECK_EQ(s[i], 'A' + i % 26);
    KCHECK(realloc(s, 0) == NULL);          /* frees */
    char *t = realloc(NULL, 16);            /* = malloc */
    KCHECK(t != NULL);
    free(t);
}

KTEST(libc, strtoul_bases)
{
    char *end;
    KCHECK_EQ(strtoul("12345", &end, 10), 12345);
    KCHECK_EQ(*end, '\0');
    KCHECK_EQ(strtoul("  0x1fZ", &end, 16), 0x1f);
    KCHECK_EQ(*end, 'Z');
    KCHECK_EQ(strtoul("1f", NULL, 16), 0x1f);
    KCHECK_EQ(strtoul("0XABC", NULL, 0), 0xabc);
    KCHECK_EQ(strtoul("0755", NULL, 0), 0755);
    KCHECK_EQ(strtoul("987", NULL, 0), 987);
    KCHECK_EQ(strtoul("101102", &end, 2), 22);      /* 10110b, stops at the "2" */
    KCHECK_EQ(end[0], '2');
    KCHECK_EQ(strtoul("zz", NULL, 36), 35 * 36 + 35);
    KCHECK_EQ(strtoul("18446744073709551615", NULL, 10), ULONG_MAX);
    KCHECK_EQ(strtoul("18446744073709551616", NULL, 10), ULONG_MAX);   /* saturates */
    KCHECK_EQ(strtoul("-1", NULL, 10), ULONG_MAX);
    const char *junk = "xyz";
    KCHECK_EQ(strtoul(junk, &end, 10), 0);
    KCHECK(end == junk);                    /* no digits: end = start */
    KCHECK_EQ(strtoul("0x", &end, 16), 0);  /* "0" parsed, "x" left */
    KCHECK_EQ(*end, 'x');
    KCHECK_EQ(strtol("-123", NULL, 10), -123);
    KCHECK_EQ(strtol("99999999999999999999", NULL, 10), LONG_MAX);
    KCHECK_EQ(atoi("  42abc"), 42);
}
