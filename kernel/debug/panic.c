/* panic.c — stop the kernel loudly: message, backtrace, then exit QEMU with a failure code. */
#include "debug/panic.h"
#include "debug/console.h"
#include "arch.h"

void panic(const char *fmt, ...)
{
    va_list ap;
    arch_irq_disable();
    console_force_unlock();
    kprintf("\nSIGMA4 KERNEL PANIC (cpu %u): ", arch_cpu_id());
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    arch_backtrace(arch_frame_pointer());
    arch_shutdown(3);
}
