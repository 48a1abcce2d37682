/* kip.c — building the kernel interface page (X.2 layout, abi/include/sigma4/kip.h).
 *
 * Page layout written by kip_build (offsets from the KIP base):
 *   0x000..0x240   the fixed KIP words (magic, versions, root servers, infos, syscall links);
 *   0x240          ncpus processor descriptors of KIP_PROC_DESC_SIZE bytes (ProcDescPtr);
 *   then           the kernel descriptor (KernelDescPtr): 4 words, then the version string,
 *                  the feature strings and an empty string, each NUL-terminated;
 *   then           the memory descriptors, 16-byte aligned, one per memmap region in map order;
 *   then           the NUMA memory affinity entries (sigma4 extension, NumaInfo at 0x1F8), two
 *                  words each, only if there are any;
 *   0xF00..0x1000  the system-call stubs, one KIP_STUB_SIZE slot per SYS_* number; unused
 *                  bytes of the area are int3.
 * Every write below KIP_STUB_AREA is bounds-checked first, so a parameter set that does not
 * fit makes kip_build return -1 without writing past the page.  `kip` must be 8-aligned (it
 * is a page).  Runs once at boot; pure function of its parameters.
 */
#include "core/kip.h"
#include <stdbool.h>
#include <sigma4/kip.h>
#include <sigma4/layout.h>
#include <sigma4/syscall.h>

#define KIP_SUPPLIER    "sgm4"
#define KIP_MDESC_SIZE  16
#define OP_MOV_EAX      0xB8
#define OP_RET          0xC3
#define OP_INT3         0xCC
/* KIP_API_VERSION_WORD shifts the int 0x84 into bit 31 (undefined, and sign-extends to 64
 * bits), so the word is built here from its unsigned parts. */
#define KIP_API_VERSION ((uint64_t)KIP_API_VERSION_X2 << 24 | (uint64_t)KIP_API_SUBVERSION << 16)

_Static_assert(KIP_STUB_AREA + KIP_STUB_SIZE * SYS_COUNT <= KIP_SIZE, "stubs fit the KIP");
_Static_assert(KIP_OFF_END + KIP_MAX_CPUS * KIP_PROC_DESC_SIZE + KDESC_OFF_STRINGS < KIP_STUB_AREA,
               "processor and kernel descriptors fit below the stubs");

/* The X.2 system-call links and the sigma4 call each one reaches. */
static const struct { uint16_t off; uint16_t sys; } kip_links[] = {
    { KIP_OFF_SPACE_CONTROL,      SYS_SPACE_CONTROL },
    { KIP_OFF_THREAD_CONTROL,     SYS_THREAD_CONTROL },
    { KIP_OFF_PROCESSOR_CONTROL,  SYS_PROCESSOR_CONTROL },
    { KIP_OFF_MEMORY_CONTROL,     SYS_MEMORY_CONTROL },
    { KIP_OFF_IPC,                SYS_IPC },
    { KIP_OFF_LIPC,               SYS_LIPC },
    { KIP_OFF_UNMAP,              SYS_UNMAP },
    { KIP_OFF_EXCHANGE_REGISTERS, SYS_EXCHANGE_REGISTERS },
    { KIP_OFF_SYSTEM_CLOCK,       SYS_SYSTEM_CLOCK },
    { KIP_OFF_THREAD_SWITCH,      SYS_THREAD_SWITCH },
    { KIP_OFF_SCHEDULE,           SYS_SCHEDULE },
};

static void put_word(uint8_t *kip, size_t off, uint64_t v)
{
    *(uint64_t *)(void *)(kip + off) = v;
}

static void put_root(uint8_t *kip, size_t off, const struct kip_root_server *r)
{
    put_word(kip, off + 0x00, r->sp);
    put_word(kip, off + 0x08, r->ip);
    put_word(kip, off + 0x10, r->low);
    put_word(kip, off + 0x18, r->high);
}

/* The fixed words that do not depend on where the variable parts land. */
static void put_fixed(uint8_t *kip, const struct kip_params *p)
{
    put_word(kip, KIP_OFF_MAGIC, KIP_MAGIC_WORD);
    put_word(kip, KIP_OFF_API_VERSION, KIP_API_VERSION);
    put_word(kip, KIP_OFF_API_FLAGS, KIP_API_FLAGS_WORD);
    put_root(kip, KIP_OFF_SIGMA0, &p->sigma0);
    put_root(kip, KIP_OFF_SIGMA1, &p->sigma1);
    put_root(kip, KIP_OFF_ROOT_SERVER, &p->root);
    put_word(kip, KIP_OFF_UTCB_INFO, KIP_UTCB_INFO(UTCB_AREA_MIN_LOG2, UTCB_SIZE_LOG2, 1));
    put_word(kip, KIP_OFF_KIP_AREA_INFO, KIP_SIZE_LOG2);
    put_word(kip, KIP_OFF_BOOT_INFO, p->boot_info);
    put_word(kip, KIP_OFF_PROC_DESC_PTR, KIP_OFF_END);
    put_word(kip, KIP_OFF_CLOCK_INFO, 0);
    put_word(kip, KIP_OFF_THREAD_INFO,
             KIP_THREAD_INFO(THREAD_ID_BITS, THREAD_SYSTEM_BASE, THREAD_USER_BASE));
    put_word(kip, KIP_OFF_PAGE_INFO, KIP_PAGE_INFO);
    put_word(kip, KIP_OFF_PROCESSOR_INFO, KIP_PROCESSOR_INFO((uint64_t)p->ncpus));
}

/* Processor descriptors at KIP_OFF_END; returns the offset just past them. */
static size_t put_cpus(uint8_t *kip, const struct kip_params *p)
{
    size_t off = KIP_OFF_END;
    for (unsigned i = 0; i < p->ncpus; i++, off += KIP_PROC_DESC_SIZE) {
        put_word(kip, off + 0x00, p->bus_khz);
        put_word(kip, off + 0x08, p->cpu_khz[i]);
        put_word(kip, off + KIP_PDESC_OFF_ARCH, p->cpu_node[i] & KIP_PDESC_NODE_MASK);
    }
    return off;
}

/* Copy s with its NUL to kip+*off if it fits below the stub area; advances *off. */
static bool put_string(uint8_t *kip, size_t *off, const char *s)
{
    size_t i = 0;
    do {
        if (*off + i >= KIP_STUB_AREA)
            return false;
        kip[*off + i] = (uint8_t)s[i];
    } while (s[i++] != '\0');
    *off += i;
    return true;
}

/* Kernel descriptor at `off`; returns the offset past its strings, or 0 if they do not fit. */
static size_t put_kdesc(uint8_t *kip, size_t off, const struct kip_params *p)
{
    put_word(kip, KIP_OFF_KERNEL_DESC, off);
    put_word(kip, off + KDESC_OFF_KERNEL_ID, KDESC_KERNEL_ID_SIGMA4);
    put_word(kip, off + KDESC_OFF_GEN_DATE, p->gen_date);
    put_word(kip, off + KDESC_OFF_VERSION, p->version);
    for (size_t i = 0; i < 4; i++)
        kip[off + KDESC_OFF_SUPPLIER + i] = (uint8_t)KIP_SUPPLIER[i];
    size_t s = off + KDESC_OFF_STRINGS;
    if (!put_string(kip, &s, p->version_string ? p->version_string : ""))
        return 0;
    for (const char *const *f = p->features; f && *f; f++)
        if (**f != '\0' && !put_string(kip, &s, *f))    /* "" would end the list early */
            return 0;
    if (!put_string(kip, &s, ""))
        return 0;
    return s;
}

/* Memory descriptors from the map at `off` (16-aligned); the offset past them, or 0 if they
 * reach the stub area. */
static size_t put_memdescs(uint8_t *kip, size_t off, const struct memmap *m)
{
    unsigned n = m ? m->n : 0;
    if (n > (KIP_STUB_AREA - off) / KIP_MDESC_SIZE)
        return 0;
    put_word(kip, KIP_OFF_MEMORY_INFO, (uint64_t)off << 32 | n);
    for (unsigned i = 0; i < n; i++, off += KIP_MDESC_SIZE) {
        const struct mem_region *r = &m->r[i];
        uint64_t w0 = ((uint64_t)(r->type & MDESC_TYPE_MASK) << MDESC_TYPE_SHIFT) |
                      ((uint64_t)(r->subtype & MDESC_SUBTYPE_MASK) << MDESC_SUBTYPE_SHIFT) |
                      (r->base & MDESC_ADDR_MASK);
        put_word(kip, off, w0);
        put_word(kip, off + 8, (r->end - 1) & MDESC_ADDR_MASK);   /* high is inclusive */
    }
    return off;
}

/* The NUMA affinity entries at `off` (16-aligned) and the NumaInfo word; -1 if they reach the
 * stub area or a range is malformed (see kip_build). */
static int put_numa(uint8_t *kip, size_t off, const struct kip_params *p)
{
    if (p->nnuma == 0)
        return 0;                               /* NumaInfo stays 0: everything on node 0 */
    if (p->nnuma > KIP_MAX_NUMA || p->nnuma > (KIP_STUB_AREA - off) / KIP_NUMA_ENTRY_SIZE)
        return -1;
    for (unsigned i = 0; i < p->nnuma; i++) {
        const struct kip_numa_range *r = &p->numa[i];
        if ((r->base | r->end) & ~KIP_NUMA_ADDR_MASK || r->base >= r->end ||
            r->node > KIP_NUMA_NODE_MASK || (i > 0 && r->base < p->numa[i - 1].end))
            return -1;
    }
    put_word(kip, KIP_OFF_NUMA_INFO, KIP_NUMA_INFO(off, p->nnuma));
    for (unsigned i = 0; i < p->nnuma; i++, off += KIP_NUMA_ENTRY_SIZE) {
        put_word(kip, off, p->numa[i].base | p->numa[i].node);
        put_word(kip, off + 8, p->numa[i].end);
    }
    return 0;
}

/* Stub area full of int3, then `mov $nr,%eax; syscall; ret` per call, and the link words. */
static void put_stubs(uint8_t *kip)
{
    for (size_t i = KIP_STUB_AREA; i < KIP_SIZE; i++)
        kip[i] = OP_INT3;
    for (uint32_t nr = 0; nr < SYS_COUNT; nr++) {
        uint8_t *s = kip + KIP_STUB_AREA + KIP_STUB_SIZE * nr;
        s[0] = OP_MOV_EAX;
        for (unsigned b = 0; b < 4; b++)
            s[1 + b] = (uint8_t)(nr >> (8 * b));
        s[5] = 0x0F;                            /* syscall = 0F 05 */
        s[6] = 0x05;
        s[7] = OP_RET;
    }
    for (size_t i = 0; i < sizeof kip_links / sizeof kip_links[0]; i++)
        put_word(kip, kip_links[i].off, KIP_STUB_AREA + KIP_STUB_SIZE * kip_links[i].sys);
}

unsigned kip_numa_normalize(struct kip_numa_range *r, unsigned n)
{
    unsigned k = 0;
    for (unsigned i = 0; i < n; i++) {
        struct kip_numa_range x = r[i];
        x.base = (x.base + KIP_SIZE - 1) & KIP_NUMA_ADDR_MASK;
        x.end &= KIP_NUMA_ADDR_MASK;
        if (x.base >= x.end || x.node > KIP_NUMA_NODE_MASK)
            continue;
        unsigned j = k++;                       /* insertion sort: n is small */
        for (; j > 0 && r[j - 1].base > x.base; j--)
            r[j] = r[j - 1];
        r[j] = x;
    }
    unsigned m = 0;
    for (unsigned i = 0; i < k; i++) {
        if (m > 0 && r[i].base < r[m - 1].end)
            r[i].base = r[m - 1].end;
        if (r[i].base < r[i].end)
            r[m++] = r[i];
    }
    return m;
}

int kip_build(void *page, const struct kip_params *p)
{
    uint8_t *kip = page;
    for (size_t i = 0; i < KIP_SIZE; i++)
        kip[i] = 0;
    if (p->ncpus == 0 || p->ncpus > KIP_MAX_CPUS)
        return -1;
    put_fixed(kip, p);
    size_t off = put_kdesc(kip, put_cpus(kip, p), p);
    if (off == 0)
        return -1;
    off = put_memdescs(kip, (off + 15) & ~(size_t)15, p->memmap);
    if (off == 0 || put_numa(kip, off, p) != 0)
        return -1;
    put_stubs(kip);
    return 0;
}
