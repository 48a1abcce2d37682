/* elf.c — ELF64 executable parsing for boot modules: validate, then list PT_LOAD segments.
 *
 * The image is untrusted bytes at any alignment: headers are copied byte by byte into local
 * structs (x86-64 and the images are both little-endian), and every sum of two file-supplied
 * numbers is checked for wrap-around before it is compared.  Accepted: ELF64, little-endian,
 * ET_EXEC, EM_X86_64, program headers of the standard size inside the file.  Only PT_LOAD
 * segments count (empty ones are skipped); each must lie inside the file (filesz part) and
 * inside [0x1000, USER_ADDR_END) (memsz part), no two may share a byte, and the entry must
 * fall into an executable one.  ELF_ETOOSMALL means the file cannot even hold the ELF header;
 * a program-header table past the end of the file is ELF_EPHDR.  On error *out is undefined.
 * Pure: no allocation, no hardware, any context.
 */
#include "core/elf.h"
#include <stdbool.h>
#include <sigma4/layout.h>

#define ELF_PAGE        0x1000ULL
#define ELF_LOW_LIMIT   0x1000ULL   /* page 0 stays unmapped */

struct elf64_ehdr {
    uint8_t  ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");

#define EI_CLASS        4
#define EI_DATA         5
#define EI_VERSION      6
#define ELFCLASS64      2
#define ELFDATA2LSB     1
#define EV_CURRENT      1
#define ET_EXEC         2
#define EM_X86_64       62
#define PN_XNUM         0xFFFF
#define PT_LOAD         1
#define PF_MASK         (ELF_SEG_X | ELF_SEG_W | ELF_SEG_R)   /* PF_X/W/R have these values */

static void copy_in(void *dst, const uint8_t *src, size_t n)
{
    uint8_t *d = dst;
    for (size_t i = 0; i < n; i++)
        d[i] = src[i];
}

static int check_ehdr(const struct elf64_ehdr *eh, size_t len)
{
    if (eh->ident[0] != 0x7F || eh->ident[1] != 'E' || eh->ident[2] != 'L' || eh->ident[3] != 'F')
        return ELF_EMAGIC;
    if (eh->ident[EI_CLASS] != ELFCLASS64 || eh->ident[EI_DATA] != ELFDATA2LSB ||
        eh->ident[EI_VERSION] != EV_CURRENT || eh->version != EV_CURRENT ||
        eh->type != ET_EXEC || eh->machine != EM_X86_64)
        return ELF_ECLASS;
    if (eh->phentsize != sizeof(struct elf64_phdr) || eh->phnum == 0 || eh->phnum == PN_XNUM)
        return ELF_EPHDR;
    uint64_t table = (uint64_t)eh->phnum * sizeof(struct elf64_phdr);  /* < 2^22 */
    if (eh->phoff > len || table > len - eh->phoff)
        return ELF_EPHDR;
    return ELF_OK;
}

/* The file part of a PT_LOAD header: sizes consistent, initialised bytes inside the file. */
static bool file_part_ok(const struct elf64_phdr *ph, size_t len)
{
    return ph->filesz <= ph->memsz && ph->offset <= len && ph->filesz <= len - ph->offset;
}

/* Where a non-empty PT_LOAD goes: inside user space, clear of the segments accepted so far. */
static int check_placement(const struct elf64_phdr *ph, const struct elf_image *out)
{
    if (ph->vaddr + ph->memsz < ph->vaddr)
        return ELF_ESEGMENT;
    uint64_t end = ph->vaddr + ph->memsz;
    if (ph->vaddr < ELF_LOW_LIMIT || end > USER_ADDR_END)
        return ELF_ERANGE;
    for (unsigned i = 0; i < out->nseg; i++) {
        const struct elf_segment *s = &out->seg[i];
        if (ph->vaddr < s->vaddr + s->memsz && s->vaddr < end)
            return ELF_ERANGE;
    }
    if (out->nseg == ELF_MAX_SEGMENTS)
        return ELF_ETOOMANY;
    return ELF_OK;
}

static void add_segment(const struct elf64_phdr *ph, struct elf_image *out)
{
    struct elf_segment *s = &out->seg[out->nseg++];
    s->vaddr = ph->vaddr;
    s->memsz = ph->memsz;
    s->offset = ph->offset;
    s->filesz = ph->filesz;
    s->flags = ph->flags & PF_MASK;
    uint64_t lo = ph->vaddr & ~(ELF_PAGE - 1);
    uint64_t hi = (ph->vaddr + ph->memsz + ELF_PAGE - 1) & ~(ELF_PAGE - 1);  /* <= USER_ADDR_END */
    if (out->nseg == 1 || lo < out->lowest)
        out->lowest = lo;
    if (out->nseg == 1 || hi > out->highest)
        out->highest = hi;
}

static bool entry_ok(const struct elf_image *img)
{
    for (unsigned i = 0; i < img->nseg; i++) {
        const struct elf_segment *s = &img->seg[i];
        if ((s->flags & ELF_SEG_X) && img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz)
            return true;
    }
    return false;
}

int elf_parse(const void *data, size_t len, struct elf_image *out)
{
    const uint8_t *bytes = data;
    struct elf64_ehdr eh;
    if (len < sizeof eh)
        return ELF_ETOOSMALL;
    copy_in(&eh, bytes, sizeof eh);
    int err = check_ehdr(&eh, len);
    if (err != ELF_OK)
        return err;

    out->entry = eh.entry;
    out->nseg = 0;
    out->lowest = out->highest = 0;
    for (unsigned i = 0; i < eh.phnum; i++) {
        struct elf64_phdr ph;
        copy_in(&ph, bytes + eh.phoff + (uint64_t)i * sizeof ph, sizeof ph);
        if (ph.type != PT_LOAD)
            continue;
        if (!file_part_ok(&ph, len))
            return ELF_ESEGMENT;
        if (ph.memsz == 0)
            continue;
        err = check_placement(&ph, out);
        if (err != ELF_OK)
            return err;
        add_segment(&ph, out);
    }
    return entry_ok(out) ? ELF_OK : ELF_EENTRY;
}

const char *elf_strerror(int err)
{
    switch (err) {
    case ELF_OK:        return "ok";
    case ELF_ETOOSMALL: return "file smaller than the ELF header";
    case ELF_EMAGIC:    return "not an ELF file";
    case ELF_ECLASS:    return "not a 64-bit little-endian x86-64 executable";
    case ELF_EPHDR:     return "bad program header table";
    case ELF_ESEGMENT:  return "segment outside the file or inconsistent sizes";
    case ELF_ERANGE:    return "segment outside user space or overlapping another";
    case ELF_ETOOMANY:  return "too many loadable segments";
    case ELF_EENTRY:    return "entry point not in an executable segment";
    default:            return "unknown ELF error";
    }
}
