/* console.h — kernel console output (serial COM1), serialised across CPUs. */
#pragma once
#include <stdarg.h>

/* Print to the console.  Safe from any CPU with interrupts off; lines are not interleaved. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);

/* Write one character / a string (no formatting), under the console lock. */
void console_putc(char c);
void console_write(const char *s, unsigned long len);

/* Break the console lock (panic path only). */
void console_force_unlock(void);
