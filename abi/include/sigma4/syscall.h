/* syscall.h — sigma4's system-call numbers and argument structures.
 *
 * Generated from the one ABI table, abi/syscalls.tbl, by tools/gen-syscalls.py into
 * build/gen/sigma4/syscall_gen.h (the build puts build/gen on every include path).  The
 * binary convention is in docs/abi/convention.md.  KernelInterface is not a system call: it
 * is the trapping instruction `lock; nop` (fact sheet §2).
 */
#pragma once
#include <sigma4/syscall_gen.h>
