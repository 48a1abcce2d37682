/* trampoline.S — application-processor start-up: real mode -> protected mode -> long mode.
 *
 * The boot CPU copies [ap_trampoline, ap_trampoline_end) to physical TRAMPOLINE_PHYS
 * (0x8000, below 1 MiB as the startup IPI requires), fills the data words at its end and
 * sends INIT-SIPI-SIPI with vector 0x08.  The AP starts in real mode at 0x0800:0000 with
 * CS base 0x8000; everything here is addressed relative to that base.
 *
 *     ap_cr3      physical address of the boot page tables (identity map still present)
 *     ap_stack    top of this AP's kernel stack (higher half)
 *     ap_cpu      its logical CPU number -> RDI of ap_main(cpu)
 */
#define TRAMPOLINE_PHYS 0x8000
#define REL(x) ((x) - ap_trampoline + TRAMPOLINE_PHYS)

    .section .rodata
    .code16
    .globl ap_trampoline, ap_trampoline_end, ap_cr3, ap_stack, ap_cpu
ap_trampoline:
    cli
    cld
    xor %ax, %ax
    mov %ax, %ds
    lgdtl REL(ap_gdt_ptr)
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl $0x08, $REL(ap_protected)

    .code32
ap_protected:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov REL(ap_cr3), %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $(1 << 5), %eax                      /* PAE */
    mov %eax, %cr4
    mov $0xC0000080, %ecx
    rdmsr
    or $((1 << 8) | (1 << 11)), %eax        /* LME, NXE */
    wrmsr
    mov %cr0, %eax
    or $((1 << 31) | (1 << 16)), %eax       /* PG, WP */
    mov %eax, %cr0
    ljmpl $0x18, $REL(ap_long)

    .code64
ap_long:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov REL(ap_stack), %rsp
    mov REL(ap_cpu), %rdi
    xor %ebp, %ebp
    movabs $ap_main, %rax
    call *%rax
1:  hlt
    jmp 1b

    .align 8
ap_gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF                /* 0x08: 32-bit code */
    .quad 0x00CF92000000FFFF                /* 0x10: data */
    .quad 0x00AF9A000000FFFF                /* 0x18: 64-bit code */
ap_gdt_ptr:
    .word ap_gdt_ptr - ap_gdt - 1
    .long REL(ap_gdt)
    .align 8
ap_cr3:     .quad 0
ap_stack:   .quad 0
ap_cpu:     .quad 0
ap_trampoline_end:
    .section .note.GNU-stack, "", @progbits
