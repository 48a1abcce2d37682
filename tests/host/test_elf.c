/* test_elf.c — host tests of ELF64 executable parsing (kernel/core/elf.c).
 *
 * Images are built byte by byte in a buffer (little-endian field writes at the ELF64 offsets),
 * then single fields are corrupted to reach each error.
 */
#include "core/elf.c"
#include "htest.h"

#define IMG_SIZE 0x3000
#define PH_OFF   64
#define PT_NOTE  4
#define PT_GNU_STACK 0x6474e551u

static uint8_t img[IMG_SIZE + 1];

static void put_le(size_t off, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        img[off + i] = (uint8_t)(v >> (8 * i));
}

/* ELF header fields (offsets from the ELF64 specification). */
#define E_TYPE      16
#define E_MACHINE   18
#define E_VERSION   20
#define E_ENTRY     24
#define E_PHOFF     32
#define E_PHENTSIZE 54
#define E_PHNUM     56
/* Program header fields, relative to the header. */
#define P_TYPE      0
#define P_FLAGS     4
#define P_OFFSET    8
#define P_VADDR     16
#define P_FILESZ    32
#define P_MEMSZ     40

static size_t ph(unsigned i) { return PH_OFF + 56 * (size_t)i; }

static void set_phdr(unsigned i, uint32_t type, uint32_t flags, uint64_t offset, uint64_t vaddr,
                     uint64_t filesz, uint64_t memsz)
{
    put_le(ph(i) + P_TYPE, type, 4);
    put_le(ph(i) + P_FLAGS, flags, 4);
    put_le(ph(i) + P_OFFSET, offset, 8);
    put_le(ph(i) + P_VADDR, vaddr, 8);
    put_le(ph(i) + 24, vaddr, 8);                    /* p_paddr */
    put_le(ph(i) + P_FILESZ, filesz, 8);
    put_le(ph(i) + P_MEMSZ, memsz, 8);
    put_le(ph(i) + 48, 0x1000, 8);                   /* p_align */
}

static void set_header(uint64_t entry, unsigned phnum)
{
    const uint8_t ident[16] = { 0x7F, 'E', 'L', 'F', 2, 1, 1, 0 };
    for (int i = 0; i < 16; i++)
        img[i] = ident[i];
    put_le(E_TYPE, 2, 2);                            /* ET_EXEC */
    put_le(E_MACHINE, 62, 2);                        /* EM_X86_64 */
    put_le(E_VERSION, 1, 4);
    put_le(E_ENTRY, entry, 8);
    put_le(E_PHOFF, PH_OFF, 8);
    put_le(40, 0, 8);                                /* e_shoff */
    put_le(52, 64, 2);                               /* e_ehsize */
    put_le(E_PHENTSIZE, 56, 2);
    put_le(E_PHNUM, phnum, 2);
}

/* A typical static executable: text, data+bss, and two non-loadable headers. */
static void build_default(void)
{
    for (size_t i = 0; i < sizeof img; i++)
        img[i] = 0;
    set_header(0x401010, 4);
    set_phdr(0, PT_LOAD, ELF_SEG_R | ELF_SEG_X, 0x1000, 0x401000, 0x800, 0x800);
    set_phdr(1, PT_NOTE, ELF_SEG_R, 0xFFFFFFFFFFFF0000ULL, 0, 0x100000, 0x100000);
    set_phdr(2, PT_LOAD, ELF_SEG_R | ELF_SEG_W, 0x2000, 0x402000, 0x100, 0x3000);
    set_phdr(3, PT_GNU_STACK, ELF_SEG_R | ELF_SEG_W, 0, 0, 0, 0);
    for (size_t i = 0x1000; i < 0x1800; i++)
        img[i] = 0x90;
}

static int parse(size_t len)
{
    struct elf_image out;
    return elf_parse(img, len, &out);
}

TEST(valid_image)
{
    build_default();
    struct elf_image out;
    CHECK_EQ(elf_parse(img, IMG_SIZE, &out), ELF_OK);
    CHECK_EQ(out.entry, 0x401010);
    CHECK_EQ(out.nseg, 2);
    CHECK_EQ(out.seg[0].vaddr, 0x401000);
    CHECK_EQ(out.seg[0].memsz, 0x800);
    CHECK_EQ(out.seg[0].offset, 0x1000);
    CHECK_EQ(out.seg[0].filesz, 0x800);
    CHECK_EQ(out.seg[0].flags, ELF_SEG_R | ELF_SEG_X);
    CHECK_EQ(out.seg[1].vaddr, 0x402000);
    CHECK_EQ(out.seg[1].memsz, 0x3000);
    CHECK_EQ(out.seg[1].offset, 0x2000);
    CHECK_EQ(out.seg[1].filesz, 0x100);
    CHECK_EQ(out.seg[1].flags, ELF_SEG_R | ELF_SEG_W);
    CHECK_EQ(out.lowest, 0x401000);
    CHECK_EQ(out.highest, 0x405000);
}

TEST(unaligned_buffer_and_rounding)
{
    build_default();
    /* Segments not on page boundaries: bounds round outwards. */
    set_phdr(0, PT_LOAD, ELF_SEG_R | ELF_SEG_X | 0xF0000000u, 0x1000, 0x401234, 0x10, 0x10);
    set_phdr(2, PT_LOAD, ELF_SEG_R, 0x2000, 0x401244, 0x10, 0x1000);   /* same page, no overlap */
    set_header(0x401234, 4);
    static uint8_t shifted[IMG_SIZE + 1];
    for (size_t i = 0; i < IMG_SIZE; i++)
        shifted[i + 1] = img[i];
    struct elf_image out;
    CHECK_EQ(elf_parse(shifted + 1, IMG_SIZE, &out), ELF_OK);
    CHECK_EQ(out.nseg, 2);
    CHECK_EQ(out.seg[0].flags, ELF_SEG_R | ELF_SEG_X);               /* OS bits dropped */
    CHECK_EQ(out.lowest, 0x401000);
    CHECK_EQ(out.highest, 0x403000);
}

TEST(too_small)
{
    build_default();
    CHECK_EQ(elf_parse(NULL, 0, NULL), ELF_ETOOSMALL);
    CHECK_EQ(parse(4), ELF_ETOOSMALL);
    CHECK_EQ(parse(63), ELF_ETOOSMALL);
    /* Header fits, program headers do not. */
    CHECK_EQ(parse(64), ELF_EPHDR);
    CHECK_EQ(parse(PH_OFF + 4 * 56 - 1), ELF_EPHDR);
    /* Headers fit, segment contents do not. */
    CHECK_EQ(parse(PH_OFF + 4 * 56), ELF_ESEGMENT);
    CHECK_EQ(parse(0x2100 - 1), ELF_ESEGMENT);
    CHECK_EQ(parse(0x2100), ELF_OK);
}

TEST(bad_magic)
{
    for (int i = 0; i < 4; i++) {
        build_default();
        img[i] ^= 0x20;
        CHECK_EQ(parse(IMG_SIZE), ELF_EMAGIC);
    }
}

TEST(bad_class)
{
    static const struct { size_t off; uint64_t val; unsigned bytes; } bad[] = {
        { 4, 1, 1 },                    /* ELFCLASS32 */
        { 5, 2, 1 },                    /* big-endian */
        { 6, 0, 1 },                    /* EI_VERSION */
        { E_TYPE, 3, 2 },               /* ET_DYN */
        { E_TYPE, 1, 2 },               /* ET_REL */
        { E_MACHINE, 3, 2 },            /* EM_386 */
        { E_MACHINE, 183, 2 },          /* EM_AARCH64 */
        { E_VERSION, 0, 4 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        build_default();
        put_le(bad[i].off, bad[i].val, bad[i].bytes);
        CHECK_EQ(parse(IMG_SIZE), ELF_ECLASS);
    }
}

TEST(bad_program_headers)
{
    static const struct { size_t off; uint64_t val; unsigned bytes; } bad[] = {
        { E_PHENTSIZE, 64, 2 },
        { E_PHENTSIZE, 0, 2 },
        { E_PHNUM, 0, 2 },
        { E_PHNUM, 0xFFFF, 2 },                         /* PN_XNUM: extended numbering */
        { E_PHNUM, 250, 2 },                            /* table runs past the end */
        { E_PHOFF, IMG_SIZE + 1, 8 },
        { E_PHOFF, IMG_SIZE - 56 * 4 + 1, 8 },
        { E_PHOFF, 0xFFFFFFFFFFFFFF00ULL, 8 },          /* offset + size wraps */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        build_default();
        put_le(bad[i].off, bad[i].val, bad[i].bytes);
        CHECK_EQ(parse(IMG_SIZE), ELF_EPHDR);
    }
    /* The table may sit anywhere in the file, unaligned, up to its very end. */
    build_default();
    for (size_t i = 0; i < 4 * 56; i++)
        img[IMG_SIZE - 4 * 56 + i] = img[PH_OFF + i];
    put_le(E_PHOFF, IMG_SIZE - 4 * 56, 8);
    put_le(ph(0), 0, 4);                                /* old copy: PT_NULL, must not be read */
    CHECK_EQ(parse(IMG_SIZE), ELF_OK);
}

/* PN_XNUM means "the real count is elsewhere": refused even when 0xFFFF headers would fit. */
TEST(extended_numbering_refused)
{
    build_default();
    size_t len = PH_OFF + 56 * (size_t)0xFFFF;
    uint8_t *big = calloc(1, len);
    CHECK(big != NULL);
    for (size_t i = 0; i < IMG_SIZE; i++)
        big[i] = img[i];
    big[E_PHNUM] = 0xFF;
    big[E_PHNUM + 1] = 0xFF;
    struct elf_image out;
    int rc = elf_parse(big, len, &out);
    free(big);
    CHECK_EQ(rc, ELF_EPHDR);
}

TEST(bad_segment)
{
    build_default();
    put_le(ph(0) + P_FILESZ, 0x801, 8);                 /* filesz > memsz */
    CHECK_EQ(parse(IMG_SIZE), ELF_ESEGMENT);
    build_default();
    put_le(ph(2) + P_OFFSET, IMG_SIZE + 1, 8);          /* starts past the file */
    CHECK_EQ(parse(IMG_SIZE), ELF_ESEGMENT);
    build_default();
    put_le(ph(2) + P_OFFSET, IMG_SIZE - 0xFF, 8);       /* ends past the file */
    CHECK_EQ(parse(IMG_SIZE), ELF_ESEGMENT);
    build_default();
    put_le(ph(2) + P_OFFSET, IMG_SIZE - 0x100, 8);      /* ends exactly at the end: fine */
    CHECK_EQ(parse(IMG_SIZE), ELF_OK);
    build_default();
    put_le(ph(2) + P_OFFSET, 0xFFFFFFFFFFFFFFF0ULL, 8); /* offset + filesz wraps */
    CHECK_EQ(parse(IMG_SIZE), ELF_ESEGMENT);
    build_default();
    set_phdr(2, PT_LOAD, ELF_SEG_R, 0x2000, 0xFFFFFFFFFFFFF000ULL, 0, 0x2000);  /* vaddr wraps */
    CHECK_EQ(parse(IMG_SIZE), ELF_ESEGMENT);
    build_default();
    set_phdr(2, PT_LOAD, ELF_SEG_R, 0x2000, 0x402000, 0x10, 0); /* empty but filesz > memsz */
    CHECK_EQ(parse(IMG_SIZE), ELF_ESEGMENT);
}

TEST(ignores_other_and_empty_segments)
{
    build_default();
    /* An empty PT_LOAD at address 0 (which would be out of range) is skipped. */
    set_phdr(3, PT_LOAD, ELF_SEG_R, 0, 0, 0, 0);
    struct elf_image out;
    CHECK_EQ(elf_parse(img, IMG_SIZE, &out), ELF_OK);
    CHECK_EQ(out.nseg, 2);
    /* The PT_NOTE's absurd fields were never checked (it is header 1). */
    CHECK_EQ(out.seg[1].vaddr, 0x402000);
}

TEST(bad_range)
{
    build_default();
    put_le(ph(0) + P_VADDR, 0, 8);                      /* page 0 */
    CHECK_EQ(parse(IMG_SIZE), ELF_ERANGE);
    build_default();
    put_le(ph(0) + P_VADDR, 0xFFF, 8);
    CHECK_EQ(parse(IMG_SIZE), ELF_ERANGE);
    build_default();
    set_phdr(2, PT_LOAD, ELF_SEG_R, 0x2000, USER_ADDR_END - 0x1000, 0x100, 0x1001);
    CHECK_EQ(parse(IMG_SIZE), ELF_ERANGE);               /* one byte past user space */
    build_default();
    set_phdr(2, PT_LOAD, ELF_SEG_R, 0x2000, 0xFFFF800000000000ULL, 0x100, 0x1000);
    CHECK_EQ(parse(IMG_SIZE), ELF_ERANGE);               /* kernel half */
    build_default();
    set_phdr(2, PT_LOAD, ELF_SEG_R, 0x2000, USER_ADDR_END - 0x1000, 0x100, 0x1000);
    struct elf_image out;
    CHECK_EQ(elf_parse(img, IMG_SIZE, &out), ELF_OK);   /* the last user page is fine */
    CHECK_EQ(out.highest, USER_ADDR_END);
    /* Overlap with the first segment, from either side and by containment. */
    build_default();
    put_le(ph(2) + P_VADDR, 0x4017FF, 8);
    CHECK_EQ(parse(IMG_SIZE), ELF_ERANGE);
    build_default();
    put_le(ph(2) + P_VADDR, 0x400000, 8);               /* [0x400000, 0x403000) covers it */
    CHECK_EQ(parse(IMG_SIZE), ELF_ERANGE);
    build_default();
    put_le(ph(2) + P_VADDR, 0x401800, 8);               /* touching is not overlapping */
    CHECK_EQ(parse(IMG_SIZE), ELF_OK);
}

TEST(too_many_segments)
{
    for (size_t i = 0; i < sizeof img; i++)
        img[i] = 0;
    unsigned n = ELF_MAX_SEGMENTS + 1;
    set_header(0x10000, n);
    for (unsigned i = 0; i < n; i++)
        set_phdr(i, PT_LOAD, ELF_SEG_R | ELF_SEG_X, 0x1000, 0x10000 + 0x1000ULL * i, 0x10, 0x10);
    CHECK_EQ(parse(IMG_SIZE), ELF_ETOOMANY);
    put_le(E_PHNUM, ELF_MAX_SEGMENTS, 2);
    struct elf_image out;
    CHECK_EQ(elf_parse(img, IMG_SIZE, &out), ELF_OK);
    CHECK_EQ(out.nseg, ELF_MAX_SEGMENTS);
    CHECK_EQ(out.lowest, 0x10000);
    CHECK_EQ(out.highest, 0x10000 + 0x1000ULL * ELF_MAX_SEGMENTS);
}

TEST(bad_entry)
{
    build_default();
    put_le(E_ENTRY, 0x402000, 8);                       /* in data: not executable */
    CHECK_EQ(parse(IMG_SIZE), ELF_EENTRY);
    build_default();
    put_le(E_ENTRY, 0x401800, 8);                       /* one past the text */
    CHECK_EQ(parse(IMG_SIZE), ELF_EENTRY);
    build_default();
    put_le(E_ENTRY, 0, 8);
    CHECK_EQ(parse(IMG_SIZE), ELF_EENTRY);
    build_default();
    put_le(E_ENTRY, 0x401000, 8);                       /* first byte: fine */
    CHECK_EQ(parse(IMG_SIZE), ELF_OK);
    build_default();
    put_le(ph(0) + P_TYPE, PT_NOTE, 4);                 /* no executable segment at all */
    CHECK_EQ(parse(IMG_SIZE), ELF_EENTRY);
}

TEST(strerror_names_every_code)
{
    const int codes[] = { ELF_OK, ELF_ETOOSMALL, ELF_EMAGIC, ELF_ECLASS, ELF_EPHDR,
                          ELF_ESEGMENT, ELF_ERANGE, ELF_ETOOMANY, ELF_EENTRY };
    const char *unknown = elf_strerror(-100);
    CHECK(unknown != NULL && unknown[0] != '\0');
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *s = elf_strerror(codes[i]);
        CHECK(s != NULL && s[0] != '\0');
        CHECK(strcmp(s, unknown) != 0);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(s, elf_strerror(codes[j])) != 0);
    }
}

HTEST_MAIN("elf")
