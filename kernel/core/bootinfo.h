/* bootinfo.h — building the boot-info page (abi/include/sigma4/bootinfo.h) from the boot modules.
 *
 * bootinfo_build() writes the page: header, module table, strings.  Pure function of its
 * parameters (the same code runs in the host tests); runs once at boot, on the boot CPU.
 */
#pragma once
#include <stdint.h>

struct bootinfo_module {
    uint64_t start, end;                /* physical, end exclusive */
    const char *cmdline;
    unsigned role;                      /* BOOTINFO_ROLE_* */
};

/* Fill `page` (BOOTINFO_SIZE bytes, need not be zeroed) with the kernel command line and the
 * modules mods[0..n).  What does not fit (a module whose entry or command line would pass the
 * page's end, and every module after it) is left out and BOOTINFO_F_TRUNCATED set; a command
 * line that does not fit becomes "".  Never writes outside the page. */
void bootinfo_build(void *page, const char *cmdline, const struct bootinfo_module *mods,
                    unsigned n);
