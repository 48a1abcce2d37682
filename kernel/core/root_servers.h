/* root_servers.h — placing and starting the root servers (sigma0, sigma1, root task). */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include "core/elf.h"
#include "mm/memmap.h"

struct tcb;

struct root_server {
    const char *name;
    struct elf_image elf;
    uint64_t low, high;             /* physical = virtual range it occupies */
};

/* Parse image and copy its segments to their (physical = link) addresses, which must be free
 * conventional memory in m.  Returns 0, or -1 after logging why not. */
int root_server_place(struct root_server *rs, const void *image, size_t len,
                      const struct memmap *m);

/* Create its space and first thread (number thread_no, version 1), ready to run. */
struct tcb *root_server_start(struct root_server *rs, uint32_t thread_no, uint64_t pager);
