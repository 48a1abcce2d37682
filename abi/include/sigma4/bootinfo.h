/* bootinfo.h — the boot-info page: how the root task finds the boot modules (sigma4 extension).
 *
 * The kernel writes one 4 KiB page of conventional memory at boot, describes it in the KIP as
 * boot-loader memory of subtype MDESC_BOOT_INFO and puts its physical address in the KIP's
 * BootInfo word (0x170).  sigma0 gives that page and the boot modules' pages
 * (MDESC_BOOT_MODULE) to the root task and to nobody else.  docs/abi/kip.md, "Boot modules".
 *
 * Layout: 64-bit words at the byte offsets below, then the module table (BOOTINFO_OFF_MODS,
 * BOOTINFO_MOD_SIZE bytes per module, in Multiboot order), then the strings, each
 * NUL-terminated; a string is named by its offset from the page base.  Pure constants and
 * inline readers over a pointer to the page: usable by the kernel, servers and host tests.
 */
#pragma once
#include <stdint.h>

#define BOOTINFO_MAGIC          0x314f464e49423453ULL   /* the bytes "S4BINFO1" */
#define BOOTINFO_VERSION        1
#define BOOTINFO_SIZE           4096

#define BOOTINFO_OFF_MAGIC      0x00
#define BOOTINFO_OFF_VERSION    0x08
#define BOOTINFO_OFF_USED       0x10    /* bytes of the page in use */
#define BOOTINFO_OFF_NMODS      0x18    /* modules in the table */
#define BOOTINFO_OFF_CMDLINE    0x20    /* offset of the kernel command line */
#define BOOTINFO_OFF_FLAGS      0x28    /* BOOTINFO_F_* */
#define BOOTINFO_OFF_MODS       0x30

#define BOOTINFO_F_TRUNCATED    0x1ULL  /* modules or strings that did not fit were left out */

/* One module: 4 words. */
#define BOOTINFO_MOD_SIZE       32
#define BOOTINFO_MOD_BASE       0x00    /* physical address of its first byte */
#define BOOTINFO_MOD_BYTES      0x08    /* its size in bytes (the pages around it are its) */
#define BOOTINFO_MOD_CMDLINE    0x10    /* offset of its command line */
#define BOOTINFO_MOD_ROLE       0x18    /* BOOTINFO_ROLE_*: loaded by the kernel as ... */

#define BOOTINFO_ROLE_NONE      0       /* an ordinary module (a program for the loader) */
#define BOOTINFO_ROLE_SIGMA0    1
#define BOOTINFO_ROLE_SIGMA1    2
#define BOOTINFO_ROLE_ROOT      3

static inline uint64_t bootinfo_word(const void *page, uint64_t off)
{
    return *(const uint64_t *)(const void *)((const char *)page + off);
}

/* Is `page` a boot-info page of this version? */
static inline int bootinfo_valid(const void *page)
{
    return bootinfo_word(page, BOOTINFO_OFF_MAGIC) == BOOTINFO_MAGIC &&
           bootinfo_word(page, BOOTINFO_OFF_VERSION) == BOOTINFO_VERSION &&
           bootinfo_word(page, BOOTINFO_OFF_USED) <= BOOTINFO_SIZE;
}

/* Word `field` (BOOTINFO_MOD_*) of module i (< the NMODS word). */
static inline uint64_t bootinfo_mod(const void *page, uint64_t i, uint64_t field)
{
    return bootinfo_word(page, BOOTINFO_OFF_MODS + i * BOOTINFO_MOD_SIZE + field);
}

/* The string at offset `off` of the page ("" if off is outside it). */
static inline const char *bootinfo_string(const void *page, uint64_t off)
{
    return off < BOOTINFO_SIZE ? (const char *)page + off : "";
}
