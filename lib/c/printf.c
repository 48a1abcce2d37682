/* printf.c — formatted output: one formatter, two sinks (a caller's buffer, the console).
 *
 * format() walks the format string and hands every character to a sink.  The string sink
 * (vsnprintf) stores while there is room and counts everything.  The console sink collects
 * characters in a line buffer that is written with the kernel debugger's PUTS service at each
 * newline, when full, and on fflush/exit.  One buffer for the whole program: not thread-safe.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <l4/kdebug.h>

struct sink {
    void (*put)(struct sink *s, char c);
    char *buf;          /* string sink: destination */
    size_t size;        /* string sink: capacity including the NUL */
    size_t count;       /* characters produced so far */
};

/* ---- the formatter ----------------------------------------------------------------------- */

struct spec {
    bool left, zero, plus, space, alt;
    int width;          /* 0 = none */
    int prec;           /* -1 = none */
};

static void emit(struct sink *s, char c)
{
    s->put(s, c);
    s->count++;
}

static void emit_pad(struct sink *s, char c, int n)
{
    while (n-- > 0)
        emit(s, c);
}

/* A string of len characters, padded to the width. */
static void emit_str(struct sink *s, const struct spec *sp, const char *str, size_t len)
{
    int pad = sp->width > (int)len ? sp->width - (int)len : 0;
    if (!sp->left)
        emit_pad(s, ' ', pad);
    while (len--)
        emit(s, *str++);
    if (sp->left)
        emit_pad(s, ' ', pad);
}

/* An integer: sign/prefix, precision zeros, digits, padded to the width. */
static void emit_int(struct sink *s, const struct spec *sp, unsigned long long v, bool neg,
                     unsigned base, bool upper, const char *prefix)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];                                   /* 2^64 in octal has 22 digits */
    int n = 0;
    while (v) {
        tmp[n++] = digits[v % base];
        v /= base;
    }
    if (n == 0 && sp->prec != 0)
        tmp[n++] = '0';

    char sign = neg ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0;
    int plen = (int)strlen(prefix) + (sign != 0);
    int zeros = sp->prec > n ? sp->prec - n : 0;
    if (sp->zero && !sp->left && sp->prec < 0 && sp->width > plen + n)
        zeros = sp->width - plen - n;
    int pad = sp->width - plen - zeros - n;

    if (!sp->left)
        emit_pad(s, ' ', pad);
    if (sign)
        emit(s, sign);
    while (*prefix)
        emit(s, *prefix++);
    emit_pad(s, '0', zeros);
    while (n)
        emit(s, tmp[--n]);
    if (sp->left)
        emit_pad(s, ' ', pad);
}

/* Read a decimal number or '*' at *fp. */
static int parse_count(const char **fp, va_list *ap)
{
    int v = 0;
    if (**fp == '*') {
        (*fp)++;
        return va_arg(*ap, int);
    }
    while (**fp >= '0' && **fp <= '9')
        v = v * 10 + (*(*fp)++ - '0');
    return v;
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

static unsigned long long arg_unsigned(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_CHAR:  return (unsigned char)va_arg(*ap, unsigned);
    case LEN_SHORT: return (unsigned short)va_arg(*ap, unsigned);
    case LEN_LONG:  return va_arg(*ap, unsigned long);
    case LEN_LLONG: return va_arg(*ap, unsigned long long);
    case LEN_SIZE:  return va_arg(*ap, size_t);
    default:        return va_arg(*ap, unsigned);
    }
}

static long long arg_signed(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_CHAR:  return (signed char)va_arg(*ap, int);
    case LEN_SHORT: return (short)va_arg(*ap, int);
    case LEN_LONG:  return va_arg(*ap, long);
    case LEN_LLONG: return va_arg(*ap, long long);
    case LEN_SIZE:  return va_arg(*ap, long);       /* ssize_t */
    default:        return va_arg(*ap, int);
    }
}

/* Parse flags, width, precision and length of a conversion at *fp (after the '%'). */
static void parse_spec(const char **fp, va_list *ap, struct spec *sp, enum length *len)
{
    const char *f = *fp;
    for (;; f++) {
        if (*f == '-')      sp->left = true;
        else if (*f == '0') sp->zero = true;
        else if (*f == '+') sp->plus = true;
        else if (*f == ' ') sp->space = true;
        else if (*f == '#') sp->alt = true;
        else break;
    }
    sp->width = parse_count(&f, ap);
    if (sp->width < 0) {                            /* negative '*' width = '-' flag */
        sp->left = true;
        sp->width = -sp->width;
    }
    if (*f == '.') {
        f++;
        sp->prec = parse_count(&f, ap);
        if (sp->prec < 0)
            sp->prec = -1;
    }
    *len = LEN_INT;
    if (*f == 'h') {
        f++;
        *len = LEN_SHORT;
        if (*f == 'h') { f++; *len = LEN_CHAR; }
    } else if (*f == 'l') {
        f++;
        *len = LEN_LONG;
        if (*f == 'l') { f++; *len = LEN_LLONG; }
    } else if (*f == 'z' || *f == 'j' || *f == 't') {
        f++;
        *len = LEN_SIZE;
    }
    *fp = f;
}

/* One conversion; *fp points after the '%'. */
static void convert(struct sink *s, const char **fp, va_list *ap)
{
    struct spec sp = { .prec = -1 };
    enum length len;
    parse_spec(fp, ap, &sp, &len);
    const char *f = *fp;

    char c = *f;
    if (c)
        f++;
    *fp = f;
    switch (c) {
    case 'd':
    case 'i': {
        long long v = arg_signed(ap, len);
        unsigned long long mag = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
        emit_int(s, &sp, mag, v < 0, 10, false, "");
        break;
    }
    case 'u':
        sp.plus = sp.space = false;
        emit_int(s, &sp, arg_unsigned(ap, len), false, 10, false, "");
        break;
    case 'x':
    case 'X': {
        unsigned long long v = arg_unsigned(ap, len);
        sp.plus = sp.space = false;
        emit_int(s, &sp, v, false, 16, c == 'X', sp.alt && v ? (c == 'X' ? "0X" : "0x") : "");
        break;
    }
    case 'o': {
        unsigned long long v = arg_unsigned(ap, len);
        sp.plus = sp.space = false;
        emit_int(s, &sp, v, false, 8, false, sp.alt && v ? "0" : "");
        break;
    }
    case 'p':
        sp.plus = sp.space = false;
        emit_int(s, &sp, (uintptr_t)va_arg(*ap, void *), false, 16, false, "0x");
        break;
    case 'c': {
        char ch = (char)va_arg(*ap, int);
        emit_str(s, &sp, &ch, 1);
        break;
    }
    case 's': {
        const char *str = va_arg(*ap, const char *);
        if (!str)
            str = "(null)";
        emit_str(s, &sp, str, sp.prec >= 0 ? strnlen(str, (size_t)sp.prec) : strlen(str));
        break;
    }
    case '%':
        emit(s, '%');
        break;
    case 0:                                         /* format ends inside a conversion */
        break;
    default:                                        /* unknown: print it as written */
        emit(s, '%');
        emit(s, c);
        break;
    }
}

/* Format fmt with ap into sink s; the number of characters produced. */
static int format(struct sink *s, const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    while (*fmt) {
        if (*fmt != '%') {
            emit(s, *fmt++);
            continue;
        }
        fmt++;
        convert(s, &fmt, &aq);
    }
    va_end(aq);
    return (int)s->count;
}

/* ---- string sink ------------------------------------------------------------------------- */

static void put_buffer(struct sink *s, char c)
{
    if (s->count + 1 < s->size)
        s->buf[s->count] = c;
}

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
{
    struct sink s = { .put = put_buffer, .buf = buf, .size = size };
    int n = format(&s, fmt, ap);
    if (size)
        buf[s.count < size ? s.count : size - 1] = 0;
    return n;
}

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* ---- console sink ------------------------------------------------------------------------ */

struct __sigma4_file { int unused; };
static struct __sigma4_file console_file;
FILE *const stdout = &console_file;
FILE *const stderr = &console_file;

static char line[256];
static size_t line_len;

int fflush(FILE *f)
{
    (void)f;
    if (line_len) {
        line[line_len] = 0;
        L4_KDB_PrintString(line);
        line_len = 0;
    }
    return 0;
}

static void put_console(struct sink *s, char c)
{
    (void)s;
    line[line_len++] = c;
    if (c == '\n' || line_len == sizeof(line) - 1)
        fflush(stdout);
}

int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
{
    struct sink s = { .put = put_console };
    (void)f;
    return format(&s, fmt, ap);
}

int vprintf(const char *restrict fmt, va_list ap)
{
    return vfprintf(stdout, fmt, ap);
}

int fprintf(FILE *restrict f, const char *restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(f, fmt, ap);
    va_end(ap);
    return n;
}

int printf(const char *restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(stdout, fmt, ap);
    va_end(ap);
    return n;
}

int fputc(int c, FILE *f)
{
    (void)f;
    put_console(NULL, (char)c);
    return (unsigned char)c;
}

int putchar(int c)
{
    return fputc(c, stdout);
}

int fputs(const char *restrict str, FILE *restrict f)
{
    while (*str)
        fputc(*str++, f);
    return 0;
}

int puts(const char *str)
{
    fputs(str, stdout);
    fputc('\n', stdout);
    return 0;
}
