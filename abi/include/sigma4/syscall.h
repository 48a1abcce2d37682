/* syscall.h — sigma4's system-call numbers, from the one table abi/syscalls.def.
 *
 * Binary convention (docs/abi/convention.md): `syscall` with RAX = number; arguments in
 * RDI, RSI, RDX, R8, R9, R10; results in RAX, RDI, RSI, RDX, R8, R9, R10; RCX and R11 are
 * clobbered by the instruction.  KernelInterface is not a system call: it is the trapping
 * instruction `lock; nop` (fact sheet §2).
 */
#pragma once

enum sys_number {
#define SYSCALL(name, num, priv) SYS_##name = num,
#include <sigma4/syscalls.def>
#undef SYSCALL
    SYS_COUNT
};
