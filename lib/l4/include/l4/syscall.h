/* l4/syscall.h — all X.2 system calls: the generated stubs and the libl4 headers that wrap them.
 *
 * The binary convention is written once, in abi/syscalls.tbl; `make gen` turns it into
 * build/gen/sigma4/syscall_stubs.h (__l4_sys_<name>(in, out), one inline-asm `syscall` each,
 * arguments and results in struct sys_<name>_in/_out).  libl4 reaches the kernel only through
 * those stubs; the wrappers with the X.2 names and argument orders are in:
 *   l4/ipc.h        Ipc, Lipc and the derived IPC operations, Sleep
 *   l4/thread.h     ThreadControl, ExchangeRegisters and their helpers
 *   l4/schedule.h   Schedule, ThreadSwitch, SystemClock, ProcessorControl
 *   l4/space.h      SpaceControl, Unmap, MemoryControl
 * KernelInterface (a trapping instruction, not a system call) is in l4/kip.h.
 */
#pragma once
#include <sigma4/syscall_stubs.h>
#include <l4/ipc.h>
#include <l4/thread.h>
#include <l4/schedule.h>
#include <l4/space.h>
