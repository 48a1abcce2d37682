/* l4/kdebug.h — the kernel-debugger console: print, read, enter; sigma4 shutdown and statistics.
 *
 * Binary form (abi/include/sigma4/kdb.h): `int3` followed by a marker the kernel decodes and
 * skips.  `int3; cmpb $op, %al` requests service `op` with the operand in RAX and the result in
 * RAX; `int3; jmp 1f; movq $text, %rax; 1:` enters the debugger with a text.  The kernel may
 * change RAX and the flags; every other register is preserved.  Console input, KDB_OP_SHUTDOWN
 * and KDB_OP_STAT are privileged (root-server spaces): elsewhere they return -1.  The kernel
 * never waits and prints at most KDB_PUTS_MAX bytes per request; the functions below repeat
 * a request in user mode where needed (docs/abi/kdb.md).
 */
#pragma once
#include <l4/types.h>
#include <l4/ipc.h>
#include <sigma4/kdb.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Issue kernel-debugger service `op` (an integer constant) with `arg` in RAX; the result. */
#define __L4_KDB_SERVICE(op, arg) __extension__ ({                              \
        L4_Word_t __rax = (L4_Word_t)(arg);                                      \
        __asm__ __volatile__("int3\n\tcmpb %1, %%al"                             \
                             : "+a"(__rax) : "i"(op) : "cc", "memory");          \
        __rax; })

/* Print one character on the kernel console. */
L4_INLINE void L4_KDB_PrintChar(char c)
{
    (void)__L4_KDB_SERVICE(KDB_OP_PUTC, (L4_Word8_t)c);
}

/* Print a NUL-terminated string on the kernel console, KDB_PUTS_MAX bytes per request. */
L4_INLINE void L4_KDB_PrintString(const char *s)
{
    L4_Word_t n;
    while ((n = __L4_KDB_SERVICE(KDB_OP_PUTS, s)) == KDB_PUTS_MAX)
        s += n;
}

/* Clear the console page. */
L4_INLINE void L4_KDB_ClearPage(void)
{
    (void)__L4_KDB_SERVICE(KDB_OP_CLEAR_PAGE, 0);
}

/* Read a character without waiting: the character, or (char)-1 if none is pending (always
 * outside the root servers: console input is theirs). */
L4_INLINE char L4_KDB_ReadChar(void)
{
    return (char)__L4_KDB_SERVICE(KDB_OP_GETC, 0);
}

/* Wait for a character from the console and return it: the kernel never waits, so this
 * asks again every millisecond, sleeping in between (outside the root servers: forever). */
L4_INLINE char L4_KDB_ReadChar_Blocked(void)
{
    L4_Word_t c;
    while ((c = __L4_KDB_SERVICE(KDB_OP_GETC_BLOCKING, 0)) == ~0UL)
        L4_Sleep(L4_TimePeriod(1000));
    return (char)c;
}

/* sigma4: end the system (QEMU exits with `status`).  Returns only if refused (-1: the caller
 * is not in a root-server space). */
L4_INLINE L4_Word_t L4_KDB_Shutdown(L4_Word_t status)
{
    return __L4_KDB_SERVICE(KDB_OP_SHUTDOWN, status);
}

/* sigma4: read kernel statistic `sel` (KDB_STAT_*); -1 if refused or unknown. */
L4_INLINE L4_Word_t L4_KDB_Stat(L4_Word_t sel)
{
    return __L4_KDB_SERVICE(KDB_OP_STAT, sel);
}

/* sigma4 (root servers): the kernel-memory account of the space of thread `t` — bytes charged
 * to it, its limit (-1: unlimited), and the bytes that space itself holds; -1 if refused or
 * `t` does not exist.  L4_KDB_Accounts prints every space's and returns how many. */
L4_INLINE L4_Word_t L4_KDB_SpaceCharge(L4_ThreadId_t t)
{
    return __L4_KDB_SERVICE(KDB_OP_SPACE_CHARGE, t.raw);
}

L4_INLINE L4_Word_t L4_KDB_SpaceLimit(L4_ThreadId_t t)
{
    return __L4_KDB_SERVICE(KDB_OP_SPACE_LIMIT, t.raw);
}

L4_INLINE L4_Word_t L4_KDB_SpaceBytes(L4_ThreadId_t t)
{
    return __L4_KDB_SERVICE(KDB_OP_SPACE_BYTES, t.raw);
}

L4_INLINE L4_Word_t L4_KDB_Accounts(void)
{
    return __L4_KDB_SERVICE(KDB_OP_ACCOUNTS, 0);
}

/* Enter the kernel debugger with the text `str`, which must be a string constant (its address
 * becomes the immediate of the skipped `movq`, read by the kernel from the instruction). */
#define L4_KDB_Enter(str)                                                       \
    __asm__ __volatile__("int3\n\tjmp 1f\n\tmovq %0, %%rax\n1:"                   \
                         : : "i"(str) : "rax", "cc", "memory")

#ifdef __cplusplus
}
#endif

/* Pre-X.2 name of L4_KDB_Enter, still used by X.2 programs. */
#define enter_kdebug(str)       L4_KDB_Enter(str)
