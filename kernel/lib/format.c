/* format.c — printf-style formatting for the kernel: one engine, many sinks. */
#include "lib/format.h"
#include <stdint.h>
#include <stdbool.h>

struct spec { int width; bool left, zero; int lng; };

static int emit_padded(format_sink sink, void *ctx, const char *s, int len, const struct spec *sp)
{
    int n = 0, pad = sp->width > len ? sp->width - len : 0;
    char pc = sp->zero && !sp->left ? '0' : ' ';
    if (pc == '0' && len > 0 && *s == '-') {     /* sign goes before zero padding */
        sink('-', ctx), n++, s++, len--;
    }
    if (!sp->left)
        for (; pad > 0; pad--) sink(pc, ctx), n++;
    for (int i = 0; i < len; i++) sink(s[i], ctx), n++;
    for (; pad > 0; pad--) sink(' ', ctx), n++;
    return n;
}

static int utoa(char *buf, uint64_t v, unsigned base, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0, len = 0;
    do { tmp[n++] = digits[v % base]; v /= base; } while (v);
    while (n) buf[len++] = tmp[--n];
    return len;
}

static uint64_t fetch_unsigned(va_list *ap, int lng)
{
    return lng ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned int);
}

static int64_t fetch_signed(va_list *ap, int lng)
{
    return lng ? va_arg(*ap, int64_t) : va_arg(*ap, int);
}

int format(format_sink sink, void *ctx, const char *fmt, va_list ap0)
{
    va_list ap;
    va_copy(ap, ap0);
    int n = 0;
    char buf[32];
    for (; *fmt; fmt++) {
        if (*fmt != '%') { sink(*fmt, ctx); n++; continue; }
        struct spec sp = { 0, false, false, 0 };
        for (fmt++; *fmt == '-' || *fmt == '0'; fmt++)
            *fmt == '-' ? (sp.left = true) : (sp.zero = true);
        for (; *fmt >= '0' && *fmt <= '9'; fmt++)
            sp.width = sp.width * 10 + (*fmt - '0');
        for (; *fmt == 'l' || *fmt == 'z'; fmt++)
            sp.lng = 1;
        int len;
        switch (*fmt) {
        case 'd': case 'i': {
            int64_t v = fetch_signed(&ap, sp.lng);
            len = 0;
            if (v < 0) buf[len++] = '-';
            len += utoa(buf + len, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, false);
            n += emit_padded(sink, ctx, buf, len, &sp);
            break;
        }
        case 'u': len = utoa(buf, fetch_unsigned(&ap, sp.lng), 10, false);
                  n += emit_padded(sink, ctx, buf, len, &sp); break;
        case 'x': case 'X':
                  len = utoa(buf, fetch_unsigned(&ap, sp.lng), 16, *fmt == 'X');
                  n += emit_padded(sink, ctx, buf, len, &sp); break;
        case 'p': buf[0] = '0'; buf[1] = 'x';
                  len = 2 + utoa(buf + 2, (uintptr_t)va_arg(ap, void *), 16, false);
                  n += emit_padded(sink, ctx, buf, len, &sp); break;
        case 'c': buf[0] = (char)va_arg(ap, int);
                  n += emit_padded(sink, ctx, buf, 1, &sp); break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) s = "(null)";
            int l = 0;
            while (s[l]) l++;
            n += emit_padded(sink, ctx, s, l, &sp);
            break;
        }
        case '%': sink('%', ctx); n++; break;
        case '\0': fmt--; break;
        default: sink('%', ctx); sink(*fmt, ctx); n += 2; break;
        }
    }
    va_end(ap);
    return n;
}

struct bufsink { char *buf; size_t size, pos; };

static void buf_put(char c, void *ctx)
{
    struct bufsink *b = ctx;
    if (b->pos + 1 < b->size)
        b->buf[b->pos] = c;
    b->pos++;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    struct bufsink b = { buf, size, 0 };
    va_list ap;
    va_start(ap, fmt);
    int n = format(buf_put, &b, fmt, ap);
    va_end(ap);
    if (size)
        buf[b.pos < size ? b.pos : size - 1] = '\0';
    return n;
}
