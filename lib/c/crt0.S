/* crt0.S — program entry of sigma4 user programs: stack, library start-up, main, exit.
 *
 * On entry (from the kernel for root servers, or from the thread's creator) nothing is assumed
 * about the registers except RIP = _start; RSP may be anything (sigma0's KIP SP is 0).  The
 * kernel guarantees: GS base = this thread's UTCB pointer, .bss zeroed, RFLAGS.IF set.
 *
 *     __crt0_stack_top ->  +--------------------+   16-byte aligned, RSP here before each call
 *                          |  64 KiB stack      |   grows down
 *     __crt0_stack     ->  +--------------------+   (in .bss)
 *
 * Registers: RSP = __crt0_stack_top, RBP = 0 (ends frame-pointer walks), DF cleared (ABI);
 * main(0, NULL) gets EDI = 0, RSI = 0; its result goes to exit() in EDI.
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
    movq    $__crt0_stack_top, %rsp
    xorl    %ebp, %ebp
    cld
    call    __libc_init
    xorl    %edi, %edi
    xorl    %esi, %esi
    call    main
    movl    %eax, %edi
    call    exit
1:  ud2                         /* exit does not return */
    jmp     1b
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
