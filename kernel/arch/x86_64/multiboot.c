/* multiboot.c — reading the Multiboot v1 information structure (memory map, modules, cmdline). */
#include "multiboot.h"
#include "arch.h"
#include "lib/string.h"

struct boot_info boot_info;

struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

struct mb_mod { uint32_t start, end, string, reserved; } __attribute__((packed));
struct mb_mmap { uint32_t size; uint64_t base, len; uint32_t type; } __attribute__((packed));

static void copy_str(char *dst, unsigned size, uint32_t phys)
{
    const char *s = phys ? phys_to_virt(phys) : "";
    unsigned i = 0;
    for (; i + 1 < size && s[i]; i++)
        dst[i] = s[i];
    dst[i] = '\0';
}

int multiboot_parse(uint32_t magic, uint64_t mbi)
{
    if (magic != MB_BOOT_MAGIC)
        return -1;
    const struct mb_info *mb = phys_to_virt(mbi);
    boot_info.mbi_phys = mbi;
    if (mb->flags & (1u << 2))
        copy_str(boot_info.cmdline, sizeof(boot_info.cmdline), mb->cmdline);
    if (mb->flags & (1u << 3)) {
        const struct mb_mod *m = phys_to_virt(mb->mods_addr);
        for (uint32_t i = 0; i < mb->mods_count && i < MB_MAX_MODS; i++) {
            struct mb_module *d = &boot_info.mods[boot_info.nmods++];
            d->start = m[i].start;
            d->end = m[i].end;
            copy_str(d->cmdline, sizeof(d->cmdline), m[i].string);
        }
    }
    if (!(mb->flags & (1u << 6)))
        return -1;
    for (uint32_t off = 0; off < mb->mmap_length && boot_info.nmmap < MB_MAX_MMAP;) {
        const struct mb_mmap *e = phys_to_virt(mb->mmap_addr + off);
        boot_info.mmap[boot_info.nmmap++] = (struct mb_mmap_entry){ e->base, e->len, e->type };
        off += e->size + 4;
    }
    return 0;
}

int cmdline_get(const char *key, char *out, unsigned size)
{
    size_t kl = strlen(key);
    for (const char *p = boot_info.cmdline; *p; ) {
        while (*p == ' ') p++;
        if (!strncmp(p, key, kl) && p[kl] == '=') {
            p += kl + 1;
            unsigned i = 0;
            while (*p && *p != ' ' && i + 1 < size)
                out[i++] = *p++;
            out[i] = '\0';
            return 0;
        }
        while (*p && *p != ' ') p++;
    }
    return -1;
}

bool cmdline_has(const char *word)
{
    size_t wl = strlen(word);
    for (const char *p = boot_info.cmdline; *p; ) {
        while (*p == ' ') p++;
        if (!strncmp(p, word, wl) && (p[wl] == ' ' || p[wl] == '\0'))
            return true;
        while (*p && *p != ' ') p++;
    }
    return false;
}
