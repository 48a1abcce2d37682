/* modules.c — the boot modules, as the loader sees them.
 *
 * The kernel lists the modules on the boot-info page (abi/include/sigma4/bootinfo.h); sigma0
 * gives that page and the modules' pages to the root task's first thread only, so
 * loader_modules_init runs there, once, before the loader serves.  Each module of role NONE
 * (the kernel's own root servers are skipped) is mapped read-only, page by page, into
 * LD_MOD_WIN; its name is the value of `name=` on its command line, else the base name of the
 * command line's first word (its file).
 */
#include <stdio.h>
#include <string.h>
#include <sigma4/bootinfo.h>
#include "loader.h"

static struct ld_module mods[LD_MAX_MODULES];
static unsigned nmods;
static char names[LD_MAX_MODULES][32];
static uint64_t win_next = LD_MOD_WIN;

/* Map physical [pa, pa + n pages) read-only at the next free part of the window; its address. */
static const uint8_t *map_pages(uint64_t pa, uint64_t n)
{
    const uint8_t *at = (const uint8_t *)win_next;
    for (uint64_t i = 0; i < n; i++) {
        L4_Fpage_t want = L4_FpageAddRights(L4_FpageLog2(pa + (i << 12), 12), L4_Readable);
        L4_Fpage_t got = L4_Sigma0_GetPage_RcvWindow(L4_nilthread, want,
                                                     L4_FpageLog2(win_next, 12));
        if (L4_IsNilFpage(got))
            return 0;
        win_next += 0x1000;
    }
    return at;
}

bool loader_cmd_value(const char *cmdline, const char *key, char *out, unsigned n)
{
    size_t k = strlen(key);
    for (const char *p = cmdline; *p;) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        if ((size_t)(p - w) > k && strncmp(w, key, k) == 0 && w[k] == '=') {
            unsigned len = (unsigned)(p - w - (long)k - 1);
            if (len >= n)
                len = n - 1;
            memcpy(out, w + k + 1, len);
            out[len] = 0;
            return true;
        }
    }
    return false;
}

/* The module's name into out (32 bytes). */
static void module_name(const char *cmdline, char *out)
{
    if (loader_cmd_value(cmdline, "name", out, 32))
        return;
    const char *w = cmdline, *base = cmdline;
    while (*w && *w != ' ') {
        if (*w == '/')
            base = w + 1;
        w++;
    }
    unsigned len = (unsigned)(w - base) < 31 ? (unsigned)(w - base) : 31;
    memcpy(out, base, len);
    out[len] = 0;
}

int loader_modules_init(void)
{
    void *kip = L4_GetKernelInterface();
    uint64_t pa = L4_BootInfo(kip);
    if (pa == 0)
        return -1;
    const void *bi = map_pages(pa, 1);
    if (!bi || !bootinfo_valid(bi))
        return -1;
    uint64_t n = bootinfo_word(bi, BOOTINFO_OFF_NMODS);
    for (uint64_t i = 0; i < n && nmods < LD_MAX_MODULES; i++) {
        if (bootinfo_mod(bi, i, BOOTINFO_MOD_ROLE) != BOOTINFO_ROLE_NONE)
            continue;
        uint64_t base = bootinfo_mod(bi, i, BOOTINFO_MOD_BASE);
        uint64_t size = bootinfo_mod(bi, i, BOOTINFO_MOD_BYTES);
        struct ld_module *m = &mods[nmods];
        m->cmdline = bootinfo_string(bi, bootinfo_mod(bi, i, BOOTINFO_MOD_CMDLINE));
        module_name(m->cmdline, names[nmods]);
        m->name = names[nmods];
        uint64_t first = base & ~0xFFFULL, pages = (base + size - first + 0xFFF) >> 12;
        const uint8_t *at = size ? map_pages(first, pages) : 0;
        if (!at) {
            printf("loader: module %s: its memory could not be mapped\n", m->name);
            continue;
        }
        m->data = at + (base - first);
        m->size = size;
        nmods++;
    }
    return (int)nmods;
}

const struct ld_module *loader_module(const char *name)
{
    for (unsigned i = 0; i < nmods; i++)
        if (strcmp(mods[i].name, name) == 0)
            return &mods[i];
    return 0;
}

unsigned loader_module_count(void)
{
    return nmods;
}

const struct ld_module *loader_module_at(unsigned i)
{
    return i < nmods ? &mods[i] : 0;
}

void loader_module_cmd(const struct ld_module *m, char *out)
{
    unsigned n = 0;
    for (const char *c = m->name; *c && n < LOADER_CMD_MAX - 1; c++)
        out[n++] = *c;
    const char *p = m->cmdline;
    while (*p && *p != ' ')                     /* the file */
        p++;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        if (p == w || strncmp(w, "name=", 5) == 0 || strncmp(w, "cpu=", 4) == 0)
            continue;
        if (n + (unsigned)(p - w) + 1 >= LOADER_CMD_MAX)
            break;
        out[n++] = ' ';
        while (w < p)
            out[n++] = *w++;
    }
    out[n] = 0;
}
