/* libc.h — internal interfaces between the parts of lib/c (not installed for programs). */
#pragma once
#include <stddef.h>

#include <stdint.h>

/* init.c: run by crt0 before main: the start block (prog.c; NULL for root servers), the heap,
 * then static constructors. */
void __libc_init(const uint64_t *start_block);
/* prog.c: record the loader's start block; main's argc and argv. */
void __libc_start(const uint64_t *start_block);
extern int __libc_argc;
extern char **__libc_argv;
/* malloc.c: reset the heap to empty. */
void __malloc_init(void);
/* malloc.c: at least `size` fresh bytes (multiple of 16) for the heap, 16-aligned, or NULL. */
void *__heap_more(size_t size);
