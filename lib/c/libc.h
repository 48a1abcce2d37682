/* libc.h — internal interfaces between the parts of lib/c (not installed for programs). */
#pragma once
#include <stddef.h>

/* init.c: run by crt0 before main: heap, then static constructors. */
void __libc_init(void);
/* malloc.c: reset the heap to empty. */
void __malloc_init(void);
/* malloc.c: at least `size` fresh bytes (multiple of 16) for the heap, 16-aligned, or NULL. */
void *__heap_more(size_t size);
