/* prog.h — what a program started by the loader knows about itself: its start block.
 *
 * The loader starts a program's first thread with RSP = a start block (abi/include/sigma4/
 * loader.h: argc, argv, its pager, the loader, its CPU, its heap range); crt0 hands it to the
 * library before main(argc, argv), which records it and makes the loader the thread's
 * exception handler.  Root servers started by the kernel have no start block: prog_loaded()
 * is false, the thread ids are nil, argc is 0.
 */
#pragma once
#include <stdbool.h>
#include <l4/l4.h>

bool prog_loaded(void);
L4_ThreadId_t prog_pager(void);         /* the pager of the program's CPU (or the central one) */
L4_ThreadId_t prog_loader(void);
L4_Word_t prog_cpu(void);               /* the CPU it was started on */
/* The range [*lo, *hi) set aside for libpager's heap (pmalloc); false if not loaded. */
bool prog_heap(L4_Word_t *lo, L4_Word_t *hi);
/* Ask the loader for another thread of this program on `cpu`, starting at fn(arg) on a
 * stack whose top is `sp` (16-byte aligned, memory the program owns).  Its id, or nilthread
 * (the loader's error code in *err if err is not NULL). */
L4_ThreadId_t prog_thread_new(void (*fn)(void *), void *arg, void *sp, L4_Word_t cpu,
                              L4_Word_t *err);
