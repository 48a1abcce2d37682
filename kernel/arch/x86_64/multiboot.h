/* multiboot.h — what the Multiboot (v1) loader handed us, copied into kernel memory. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

#define MB_BOOT_MAGIC 0x2BADB002
#define MB_MAX_MMAP   64
#define MB_MAX_MODS   16

struct mb_mmap_entry { uint64_t base, len; uint32_t type; };    /* type 1 = usable RAM */
struct mb_module { uint64_t start, end; char cmdline[128]; };

struct boot_info {
    uint64_t mbi_phys;
    char cmdline[256];
    unsigned nmmap;
    struct mb_mmap_entry mmap[MB_MAX_MMAP];
    unsigned nmods;
    struct mb_module mods[MB_MAX_MODS];
};

extern struct boot_info boot_info;

/* Parse the Multiboot information at physical mbi (reached through the direct map).
 * Returns 0, or -1 if magic is wrong or the loader gave no memory map. */
int multiboot_parse(uint32_t magic, uint64_t mbi);

/* Value of "key=value" on the kernel command line (copied into out), or -1 if absent. */
int cmdline_get(const char *key, char *out, unsigned size);

/* Whether the kernel command line contains the word `word` on its own. */
bool cmdline_has(const char *word);
