/* crt0.S — program entry of sigma4 user programs: stack, library start-up, main, exit.
 *
 * On entry nothing is assumed about the registers except RIP = _start and RSP: 0 for root
 * servers (the kernel starts them with the KIP's SP, 0), the loader's start block for programs
 * the loader starts (abi/include/sigma4/loader.h; lib/c/prog.c reads it).  The kernel
 * guarantees: GS base = this thread's UTCB pointer, .bss zeroed, RFLAGS.IF set.
 *
 *     __crt0_stack_top ->  +--------------------+   16-byte aligned, RSP here before each call
 *                          |  64 KiB stack      |   grows down
 *     __crt0_stack     ->  +--------------------+   (in .bss)
 *
 * Registers: RSP = __crt0_stack_top, RBP = 0 (ends frame-pointer walks), DF cleared (ABI);
 * main(argc, argv) gets the start block's (0, NULL without one); its result goes to exit().
 */

    .section .bss
    .balign 16
    .globl __crt0_stack
__crt0_stack:
    .skip 65536
__crt0_stack_top:

    .text
    .globl _start
    .type _start, @function
_start:
    movq    %rsp, %rdi              /* the start block, or 0 */
    movq    $__crt0_stack_top, %rsp
    xorl    %ebp, %ebp
    cld
    call    __libc_init
    movl    __libc_argc(%rip), %edi
    movq    __libc_argv(%rip), %rsi
    call    main
    movl    %eax, %edi
    call    exit
1:  ud2                         /* exit does not return */
    jmp     1b
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
