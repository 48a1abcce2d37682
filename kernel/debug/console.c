/* console.c — kernel console: formatted output to the arch console (COM1), one lock. */
#include "debug/console.h"
#include "lib/format.h"
#include "lib/spinlock.h"
#include "arch.h"

static struct spinlock console_lock = SPINLOCK_INIT("console");

static void sink(char c, void *ctx)
{
    (void)ctx;
    if (c == '\n')
        arch_console_putc('\r');
    arch_console_putc(c);
}

static void lock(bool *taken)
{
    *taken = !spin_held(&console_lock);
    if (*taken)
        spin_lock(&console_lock);
}

void kvprintf(const char *fmt, va_list ap)
{
    bool taken;
    lock(&taken);
    format(sink, 0, fmt, ap);
    if (taken)
        spin_unlock(&console_lock);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

void console_putc(char c)
{
    bool taken;
    lock(&taken);
    sink(c, 0);
    if (taken)
        spin_unlock(&console_lock);
}

void console_write(const char *s, unsigned long len)
{
    bool taken;
    lock(&taken);
    for (unsigned long i = 0; i < len; i++)
        sink(s[i], 0);
    if (taken)
        spin_unlock(&console_lock);
}

void console_force_unlock(void)
{
    console_lock.owner = -1;
    console_lock.serving = console_lock.next;
}
