/* panic.c — stop the kernel loudly: message, backtrace, then exit QEMU with a failure code.
 * The first CPU to panic reports; a CPU that panics after it stops where it is (its report
 * would be interleaved with the first one's). */
#include "debug/panic.h"
#include "debug/console.h"
#include "arch.h"

static unsigned panicking_cpu = ~0u;

void panic_begin(void)
{
    arch_irq_disable();
    unsigned me = arch_cpu_id(), none = ~0u;
    if (!__atomic_compare_exchange_n(&panicking_cpu, &none, me, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE) && none != me)
        for (;;)                                    /* another CPU reports and shuts down */
            arch_halt();
    console_force_unlock();
}

void panic(const char *fmt, ...)
{
    va_list ap;
    panic_begin();
    kprintf("\nSIGMA4 KERNEL PANIC (cpu %u): ", arch_cpu_id());
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    arch_backtrace(arch_frame_pointer());
    arch_shutdown(3);
}
