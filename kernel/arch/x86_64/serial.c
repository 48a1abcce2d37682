/* serial.c — the COM1 UART (16550) as the kernel console: 115200 8N1, polled. */
#include "cpu.h"
#include "arch.h"

#define COM1 0x3F8

void serial_init(void)
{
    outb(COM1 + 1, 0x00);       /* no interrupts */
    outb(COM1 + 3, 0x80);       /* DLAB */
    outb(COM1 + 0, 0x01);       /* divisor 1: 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);       /* 8N1 */
    outb(COM1 + 2, 0xC7);       /* FIFO on, cleared */
    outb(COM1 + 4, 0x03);       /* DTR, RTS */
}

void arch_console_putc(char c)
{
    for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
        cpu_relax();
    outb(COM1, (uint8_t)c);
}

int arch_console_getc(void)
{
    if (!(inb(COM1 + 5) & 0x01))
        return -1;
    return inb(COM1);
}

_Noreturn void arch_shutdown(int status)
{
    /* QEMU isa-debug-exit at port 0xF4: exit code (status << 1) | 1. */
    outl(0xF4, (uint32_t)status);
    for (;;) {
        irq_disable();
        cpu_halt();
    }
}
