/* root_servers.h — placing and starting the root servers (sigma0, sigma1, root task). */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "core/elf.h"
#include "mm/memmap.h"

struct tcb;

struct root_server {
    const char *name;
    struct elf_image elf;
    const void *image;              /* the boot module it is loaded from */
    uint64_t low, high;             /* physical = virtual range it occupies, [low, high) */
};

/* Parse image and fix rs's range (its link range), which must be free conventional memory
 * in m; nothing is copied yet.  Returns 0, or -1 after logging why not. */
int root_server_place(struct root_server *rs, const void *image, size_t len,
                      const struct memmap *m);

/* Copy the segments of a placed rs to their (physical = link) addresses.  Boot code, after
 * root_overlap_find has found no clash. */
void root_server_load(const struct root_server *rs);

/* Among the n entries of rs (NULL = absent), find two whose ranges [low, high) overlap:
 * true with their indices in *first < *second (the first such pair), or false
 * (core/root_overlap.c). */
bool root_overlap_find(const struct root_server *const rs[], unsigned n, unsigned *first,
                       unsigned *second);

/* Create its space and first thread (number thread_no, version 1), ready to run. */
struct tcb *root_server_start(struct root_server *rs, uint32_t thread_no, uint64_t pager);
