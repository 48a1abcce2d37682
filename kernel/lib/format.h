/* format.h — printf-style formatting into a caller-supplied sink (kernel console, buffers). */
#pragma once
#include <stdarg.h>
#include <stddef.h>

typedef void (*format_sink)(char c, void *ctx);

/* Format fmt with args, handing each character to sink.  Supports %d %i %u %x %X %p %s %c %%
 * with the l, ll, z modifiers, a width, '-' and '0' flags.  Returns characters produced. */
int format(format_sink sink, void *ctx, const char *fmt, va_list ap);

/* snprintf into buf (always NUL-terminated if size > 0); returns the untruncated length. */
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
