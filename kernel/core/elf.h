/* elf.h — ELF64 executable parsing for boot modules (sigma0, root task, test programs).
 *
 * Validates an image in memory and lists its loadable segments; copying them into a space is
 * the caller's job.  Pure module: no allocation, no hardware.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>

#define ELF_MAX_SEGMENTS 16

#define ELF_SEG_X 1
#define ELF_SEG_W 2
#define ELF_SEG_R 4

struct elf_segment {
    uint64_t vaddr;             /* where it is loaded */
    uint64_t memsz;             /* bytes in memory (>= filesz; the rest is zero) */
    uint64_t offset;            /* file offset of the initialised part */
    uint64_t filesz;
    uint32_t flags;             /* ELF_SEG_* */
};

struct elf_image {
    uint64_t entry;
    unsigned nseg;
    struct elf_segment seg[ELF_MAX_SEGMENTS];
    uint64_t lowest, highest;   /* [lowest, highest) covers all segments, page-rounded */
};

enum elf_error {
    ELF_OK = 0,
    ELF_ETOOSMALL = -1,         /* shorter than the headers it claims */
    ELF_EMAGIC = -2,            /* not ELF */
    ELF_ECLASS = -3,            /* not 64-bit little-endian x86-64 executable */
    ELF_EPHDR = -4,             /* program headers malformed or out of the file */
    ELF_ESEGMENT = -5,          /* a segment out of the file, filesz > memsz, or overflow */
    ELF_ERANGE = -6,            /* a segment outside [0x1000, USER_ADDR_END) or overlapping another */
    ELF_ETOOMANY = -7,          /* more than ELF_MAX_SEGMENTS loadable segments */
    ELF_EENTRY = -8,            /* entry point not inside an executable segment */
};

/* Parse and validate the ELF64 image [data, data+len).  On success fills *out, returns ELF_OK. */
int elf_parse(const void *data, size_t len, struct elf_image *out);

/* A short English name for an elf_error, for boot messages. */
const char *elf_strerror(int err);
