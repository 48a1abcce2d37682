/* init.c — library start-up, called by crt0 before main: the loader's start block (if any),
 * the heap, then the static constructors of .init_array (C++ globals,
 * __attribute__((constructor))) in link order. */
#include "libc.h"

typedef void (*init_fn)(void);
extern const init_fn __init_array_start[], __init_array_end[];   /* from user.ld */

void __libc_init(const uint64_t *start_block)
{
    __libc_start(start_block);
    __malloc_init();
    for (const init_fn *f = __init_array_start; f < __init_array_end; f++)
        (*f)();
}
