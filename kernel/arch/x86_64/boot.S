/* boot.S — Multiboot entry: 32-bit protected mode to 64-bit long mode, then kmain().
 *
 * Entered by the loader (QEMU -kernel, GRUB) in 32-bit protected mode, paging off:
 *     EAX = 0x2BADB002 (Multiboot magic)   EBX = physical address of the Multiboot info
 *     ESP = undefined, interrupts off, A20 on.
 * We build boot page tables (all in .bss, zeroed by the loader through bss_end_addr):
 *     PML4[0]   -> pdpt_low   identity 0..4 GiB (2 MiB pages), dropped after boot
 *     PML4[256] -> pdpt_low   direct map at 0xFFFF800000000000 (PHYS_MAP_BASE)
 *     PML4[511] -> pdpt_high  [510] -> pd[0]: KERNEL_VBASE maps physical 0..1 GiB
 * then enable PAE + LME + NXE + paging, far-jump to 64-bit code and jump to the higher half:
 *     RSP = top of boot_stack (higher half)   RDI = magic   RSI = Multiboot info (physical)
 */
#define KERNEL_VBASE 0xFFFFFFFF80000000
#define V2P(x) ((x) - KERNEL_VBASE)

#define MB_MAGIC  0x1BADB002
#define MB_FLAGS  ((1 << 0) | (1 << 1) | (1 << 16))   /* page-align modules, mem info, addresses */

    .section .multiboot, "a"
    .align 4
mb_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long mb_header                 /* header_addr (identity section: VMA = LMA) */
    .long _kernel_phys_start        /* load_addr */
    .long V2P(_edata)               /* load_end_addr */
    .long V2P(_bss_end)             /* bss_end_addr */
    .long boot_entry32              /* entry_addr */

    .section .boot.text, "ax"
    .code32
    .globl boot_entry32
boot_entry32:
    cli
    cld
    mov     %eax, %edi                      /* keep magic and info pointer */
    mov     %ebx, %esi
    mov     $V2P(boot_stack_top), %esp

    /* Long mode available?  CPUID 0x80000001 EDX bit 29. */
    mov     $0x80000000, %eax
    cpuid
    cmp     $0x80000001, %eax
    jb      no_long_mode
    mov     $0x80000001, %eax
    cpuid
    bt      $29, %edx
    jnc     no_long_mode

    /* pd[0..3]: 2048 entries of 2 MiB pages covering 0..4 GiB. */
    mov     $V2P(boot_pd), %ebx
    xor     %ecx, %ecx
1:  mov     %ecx, %eax
    shl     $21, %eax
    or      $0x83, %eax                     /* present, writable, 2 MiB */
    mov     %eax, (%ebx, %ecx, 8)
    mov     %ecx, %eax
    shr     $11, %eax                       /* bits 32.. of the physical address */
    mov     %eax, 4(%ebx, %ecx, 8)
    inc     %ecx
    cmp     $2048, %ecx
    jne     1b

    /* pdpt_low[0..3] -> pd[0..3]; pdpt_high[510] -> pd[0]. */
    mov     $V2P(boot_pdpt_low), %ebx
    mov     $V2P(boot_pd) + 3, %eax
    mov     %eax, 0(%ebx)
    add     $4096, %eax
    mov     %eax, 8(%ebx)
    add     $4096, %eax
    mov     %eax, 16(%ebx)
    add     $4096, %eax
    mov     %eax, 24(%ebx)
    mov     $V2P(boot_pdpt_high), %ebx
    mov     $V2P(boot_pd) + 3, %eax
    mov     %eax, 510*8(%ebx)

    /* PML4 slots 0, 256, 511. */
    mov     $V2P(boot_pml4), %ebx
    mov     $V2P(boot_pdpt_low) + 3, %eax
    mov     %eax, 0(%ebx)
    mov     %eax, 256*8(%ebx)
    mov     $V2P(boot_pdpt_high) + 3, %eax
    mov     %eax, 511*8(%ebx)

    mov     %ebx, %cr3
    mov     %cr4, %eax
    or      $(1 << 5), %eax                 /* PAE */
    mov     %eax, %cr4
    mov     $0xC0000080, %ecx               /* EFER */
    rdmsr
    or      $((1 << 8) | (1 << 11)), %eax   /* LME, NXE */
    wrmsr
    mov     %cr0, %eax
    or      $((1 << 31) | (1 << 16) | 1), %eax  /* PG, WP, PE */
    mov     %eax, %cr0

    lgdt    boot_gdt_ptr
    ljmp    $0x08, $boot_entry64

no_long_mode:
    mov     $no_lm_msg, %ebx
    mov     $0x3F8, %dx
1:  movb    (%ebx), %al
    test    %al, %al
    jz      2f
    outb    %al, %dx
    inc     %ebx
    jmp     1b
2:  hlt
    jmp     2b

    .code64
boot_entry64:
    mov     $0x10, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    xor     %eax, %eax
    mov     %ax, %fs
    mov     %ax, %gs
    movabs  $boot_stack_top, %rsp
    movabs  $boot_higher_half, %rax
    jmp     *%rax

    .section .boot.data, "a"
    .align 8
boot_gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF                /* 0x08: 64-bit code */
    .quad 0x00CF92000000FFFF                /* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
    .word boot_gdt_end - boot_gdt - 1
    .long boot_gdt
no_lm_msg:
    .asciz "sigma4: this CPU has no long mode (x86-64); cannot boot\r\n"

    .text
boot_higher_half:
    xor     %ebp, %ebp                      /* end of frame-pointer chain */
    /* RDI = magic, RSI = info: already the first two C arguments. */
    call    kmain
1:  cli
    hlt
    jmp     1b

    .bss
    .align 4096
    .globl boot_pml4, boot_pdpt_low, boot_pdpt_high, boot_pd
boot_pml4:      .space 4096
boot_pdpt_low:  .space 4096
boot_pdpt_high: .space 4096
boot_pd:        .space 4 * 4096
    .globl boot_stack_top
boot_stack:     .space 16384
boot_stack_top:
    .section .note.GNU-stack, "", @progbits
