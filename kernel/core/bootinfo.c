/* bootinfo.c — the boot-info page: the boot modules and the kernel command line for the root task.
 *
 * Layout (abi/include/sigma4/bootinfo.h): header words, the module table right after them,
 * the strings after the table.  The table is sized for all n modules first; strings are
 * appended while they fit.  A module whose command line does not fit ends the table there
 * (n shrinks, the flag says so), so every entry's string offset is valid.  Boot CPU, once.
 */
#include "core/bootinfo.h"
#include <stddef.h>
#include <sigma4/bootinfo.h>

static void put(uint8_t *page, size_t off, uint64_t v)
{
    *(uint64_t *)(void *)(page + off) = v;
}

/* Append s with its NUL at *used if it fits; its offset, or 0 if it does not. */
static uint64_t put_string(uint8_t *page, size_t *used, const char *s)
{
    size_t len = 0;
    while (s && s[len])
        len++;
    if (*used + len + 1 > BOOTINFO_SIZE)
        return 0;
    size_t at = *used;
    for (size_t i = 0; i < len; i++)
        page[at + i] = (uint8_t)s[i];
    page[at + len] = 0;
    *used += len + 1;
    return at;
}

void bootinfo_build(void *out, const char *cmdline, const struct bootinfo_module *mods,
                    unsigned n)
{
    uint8_t *page = out;
    uint64_t flags = 0;
    for (size_t i = 0; i < BOOTINFO_SIZE; i++)
        page[i] = 0;
    size_t room = (BOOTINFO_SIZE - BOOTINFO_OFF_MODS) / BOOTINFO_MOD_SIZE;
    if (n > room) {
        n = (unsigned)room;
        flags |= BOOTINFO_F_TRUNCATED;
    }
    size_t used = BOOTINFO_OFF_MODS + (size_t)n * BOOTINFO_MOD_SIZE;
    unsigned k = 0;
    for (; k < n; k++) {
        uint64_t s = put_string(page, &used, mods[k].cmdline);
        if (s == 0) {
            flags |= BOOTINFO_F_TRUNCATED;
            break;
        }
        size_t e = BOOTINFO_OFF_MODS + (size_t)k * BOOTINFO_MOD_SIZE;
        put(page, e + BOOTINFO_MOD_BASE, mods[k].start);
        put(page, e + BOOTINFO_MOD_BYTES, mods[k].end - mods[k].start);
        put(page, e + BOOTINFO_MOD_CMDLINE, s);
        put(page, e + BOOTINFO_MOD_ROLE, mods[k].role);
    }
    uint64_t c = put_string(page, &used, cmdline);
    if (c == 0) {                               /* no room for it: "" */
        flags |= BOOTINFO_F_TRUNCATED;
        c = BOOTINFO_SIZE - 1;                  /* the page's last byte, which is 0 */
    }
    put(page, BOOTINFO_OFF_MAGIC, BOOTINFO_MAGIC);
    put(page, BOOTINFO_OFF_VERSION, BOOTINFO_VERSION);
    put(page, BOOTINFO_OFF_USED, used);
    put(page, BOOTINFO_OFF_NMODS, k);
    put(page, BOOTINFO_OFF_CMDLINE, c);
    put(page, BOOTINFO_OFF_FLAGS, flags);
}
