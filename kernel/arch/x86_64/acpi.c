/* acpi.c — ACPI table discovery: find the RSDP, walk the RSDT/XSDT, decode MADT, SRAT and HPET.
 *
 * Design.  Firmware tables are input, not truth: every table is checksum-verified before any
 * field of it is used, every length is bounded (ACPI_TABLE_MAX, and entry lengths against the
 * table), and a malformed entry or table is skipped rather than trusted.  Memory is reached
 * only through the caller's acpi_map_fn and a pointer is used only until the next map call,
 * so a map function with a single temporary window works too.  The tables are packed and may
 * sit at odd addresses (SeaBIOS places them byte-aligned), so every multi-byte field is read
 * with byte loads.  Proximity domains are renumbered densely (ascending domain order) into
 * node numbers 0..nnodes-1 so callers can index per-node arrays.
 * Context: boot CPU, once, before SMP; no locks; no allocation.
 */
#include "acpi.h"

#define ACPI_HDR_LEN    36u             /* signature .. creator revision */
#define ACPI_TABLE_MAX  (1u << 20)      /* refuse tables claiming more than 1 MiB */
#define RSDP_V1_LEN     20u
#define RSDP_V2_LEN     36u
#define MADT_ENTRIES    44u             /* header + local APIC address + flags */
#define SRAT_ENTRIES    48u             /* header + 4 reserved (revision 1) + 8 reserved */
#define HPET_LEN        56u             /* header + block id + address GAS + number + tick + attr */

/* ---- byte-wise access to packed little-endian fields ---- */

static uint32_t rd16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static uint8_t sum8(const uint8_t *p, size_t len)
{
    uint8_t s = 0;
    for (size_t i = 0; i < len; i++)
        s = (uint8_t)(s + p[i]);
    return s;
}

static bool sig_eq(const uint8_t *p, const char *sig, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (uint8_t)sig[i])
            return false;
    return true;
}

/* ---- RSDP and system description tables ---- */

/* The RSDP at phys, verified (signature, v1 checksum, and for revision >= 2 the extended
 * length and checksum), mapped for *len bytes; NULL if unusable. */
static const uint8_t *rsdp_map(uint64_t phys, acpi_map_fn map, void *ctx, size_t *len)
{
    const uint8_t *p = map(phys, RSDP_V1_LEN, ctx);
    if (!p || !sig_eq(p, "RSD PTR ", 8) || sum8(p, RSDP_V1_LEN) != 0)
        return NULL;
    *len = RSDP_V1_LEN;
    if (p[15] < 2)
        return p;
    uint32_t xlen = rd32(p + 20);
    if (xlen < RSDP_V2_LEN || xlen > 4096)
        return NULL;
    p = map(phys, xlen, ctx);
    if (!p || sum8(p, xlen) != 0)
        return NULL;
    *len = xlen;
    return p;
}

/* Map the whole table at phys if its header length is sane (>= min_len, <= ACPI_TABLE_MAX),
 * its signature matches (when sig is non-NULL) and its checksum is zero; else NULL. */
static const uint8_t *table_map(uint64_t phys, const char *sig, uint32_t min_len,
                                acpi_map_fn map, void *ctx, uint32_t *len)
{
    if (phys == 0)
        return NULL;
    const uint8_t *h = map(phys, ACPI_HDR_LEN, ctx);
    if (!h || (sig && !sig_eq(h, sig, 4)))
        return NULL;
    uint32_t n = rd32(h + 4);
    if (n < min_len || n < ACPI_HDR_LEN || n > ACPI_TABLE_MAX)
        return NULL;
    const uint8_t *t = map(phys, n, ctx);
    if (!t || sum8(t, n) != 0)
        return NULL;
    *len = n;
    return t;
}

/* ---- MADT ---- */

static void cpu_add(struct acpi_info *out, uint32_t apic_id, uint32_t uid)
{
    for (unsigned i = 0; i < out->ncpus; i++)
        if (out->cpu[i].apic_id == apic_id)
            return;                                     /* listed twice (xAPIC + x2APIC) */
    if (out->ncpus >= ACPI_MAX_CPUS)
        return;
    struct acpi_cpu *c = &out->cpu[out->ncpus++];
    c->apic_id = apic_id;
    c->uid = uid;
    c->node = 0;
}

/* One MADT entry e of length n (>= 2, within the table).  Entries shorter than their type's
 * layout are skipped; longer ones are accepted (later revisions append fields). */
static void madt_entry(const uint8_t *e, uint32_t n, struct acpi_info *out)
{
    switch (e[0]) {
    case 0:                                             /* processor local APIC */
        if (n >= 8 && (rd32(e + 4) & 1))                /* bit 1 online-capable: not now */
            cpu_add(out, e[3], e[2]);
        break;
    case 1:                                             /* I/O APIC */
        if (n >= 12 && out->nioapics < ACPI_MAX_IOAPICS) {
            struct acpi_ioapic *io = &out->ioapic[out->nioapics++];
            io->id = e[2];
            io->addr = rd32(e + 4);
            io->gsi_base = rd32(e + 8);
        }
        break;
    case 2:                                             /* interrupt source override */
        if (n >= 10 && out->noverrides < ACPI_MAX_OVERRIDES) {
            struct acpi_override *o = &out->override[out->noverrides++];
            o->bus = e[2];
            o->source_irq = e[3];
            o->gsi = rd32(e + 4);
            o->flags = (uint16_t)rd16(e + 8);
        }
        break;
    case 5:                                             /* local APIC address override */
        if (n >= 12)
            out->lapic_addr = rd64(e + 4);
        break;
    case 9:                                             /* processor local x2APIC */
        if (n >= 16 && (rd32(e + 8) & 1))
            cpu_add(out, rd32(e + 4), rd32(e + 12));
        break;
    default:
        break;
    }
}

/* Decode a verified MADT of length len.  A zero or overlong entry length ends the walk: the
 * rest of the table cannot be framed. */
static void madt_parse(const uint8_t *t, uint32_t len, struct acpi_info *out)
{
    out->lapic_addr = rd32(t + 36);
    out->pcat_compat = rd32(t + 40) & 1;
    for (uint32_t off = MADT_ENTRIES; len - off >= 2; ) {
        uint32_t n = t[off + 1];
        if (n < 2 || n > len - off)
            break;
        madt_entry(t + off, n, out);
        off += n;
    }
}

/* ---- SRAT ---- */

/* Proximity domain of SRAT entry e (length n) if it is a well-formed, enabled entry we use. */
static bool srat_domain(const uint8_t *e, uint32_t n, uint32_t *dom)
{
    switch (e[0]) {
    case 0:                                             /* processor local APIC affinity */
        if (n < 16 || !(rd32(e + 4) & 1))
            return false;
        *dom = e[2] | (uint32_t)e[9] << 8 | (uint32_t)e[10] << 16 | (uint32_t)e[11] << 24;
        return true;
    case 1:                                             /* memory affinity */
        if (n < 40 || !(rd32(e + 28) & 1) || rd64(e + 16) == 0)
            return false;
        *dom = rd32(e + 2);
        return true;
    case 2:                                             /* processor local x2APIC affinity */
        if (n < 24 || !(rd32(e + 12) & 1))
            return false;
        *dom = rd32(e + 4);
        return true;
    default:
        return false;
    }
}

/* Keep the ACPI_MAX_NODES smallest distinct domains, sorted ascending, in doms[0..*nd). */
static void domain_note(uint32_t *doms, unsigned *nd, uint32_t d)
{
    unsigned i = 0;
    while (i < *nd && doms[i] < d)
        i++;
    if (i < *nd && doms[i] == d)
        return;
    if (i == ACPI_MAX_NODES)
        return;
    unsigned last = *nd < ACPI_MAX_NODES ? (*nd)++ : ACPI_MAX_NODES - 1;
    for (unsigned j = last; j > i; j--)
        doms[j] = doms[j - 1];
    doms[i] = d;
}

/* Dense node number of domain d, or -1 if it did not make the cut. */
static int domain_node(const uint32_t *doms, unsigned nd, uint32_t d)
{
    for (unsigned i = 0; i < nd; i++)
        if (doms[i] == d)
            return (int)i;
    return -1;
}

static void srat_apply(const uint8_t *e, int node, struct acpi_info *out)
{
    uint32_t apic_id = e[0] == 0 ? e[3] : rd32(e + 8);
    if (e[0] == 1) {
        if (out->nmemaff < ACPI_MAX_MEMAFF) {
            struct acpi_memaff *m = &out->memaff[out->nmemaff++];
            m->base = rd64(e + 8);
            m->length = rd64(e + 16);
            m->node = (uint32_t)node;
            m->hotplug = (rd32(e + 28) >> 1) & 1;
        }
        return;
    }
    for (unsigned i = 0; i < out->ncpus; i++)
        if (out->cpu[i].apic_id == apic_id)
            out->cpu[i].node = (uint32_t)node;
}

/* Decode a verified SRAT in two walks: collect the domains, then assign dense node numbers. */
static void srat_parse(const uint8_t *t, uint32_t len, struct acpi_info *out)
{
    uint32_t doms[ACPI_MAX_NODES];
    unsigned nd = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t off = SRAT_ENTRIES; len - off >= 2; ) {
            uint32_t n = t[off + 1], d;
            if (n < 2 || n > len - off)
                break;
            if (srat_domain(t + off, n, &d)) {
                if (pass == 0)
                    domain_note(doms, &nd, d);
                else if (domain_node(doms, nd, d) >= 0)
                    srat_apply(t + off, domain_node(doms, nd, d), out);
            }
            off += n;
        }
    }
    out->has_srat = true;
    out->nnodes = nd ? nd : 1;
}

/* ---- entry points ---- */

static bool rsdp_at(uint64_t phys, acpi_map_fn map, void *ctx)
{
    size_t len;
    const uint8_t *p = map(phys, 8, ctx);
    return p && sig_eq(p, "RSD PTR ", 8) && rsdp_map(phys, map, ctx, &len);
}

uint64_t acpi_find_rsdp(acpi_map_fn map, void *ctx)
{
    const uint8_t *bda = map(0x40E, 2, ctx);
    uint64_t ebda = bda ? (uint64_t)rd16(bda) << 4 : 0;
    if (ebda >= 0x80000 && ebda < 0xA0000)
        for (uint64_t a = ebda & ~15ull; a < ebda + 1024; a += 16)
            if (rsdp_at(a, map, ctx))
                return a;
    for (uint64_t a = 0xE0000; a < 0x100000; a += 16)
        if (rsdp_at(a, map, ctx))
            return a;
    return 0;
}

static void info_zero(struct acpi_info *out)
{
    volatile uint8_t *b = (volatile uint8_t *)out;     /* volatile: no memset call emitted */
    for (size_t i = 0; i < sizeof *out; i++)
        b[i] = 0;
}

/* Root table: the XSDT if the RSDP has one that verifies, else the RSDT. */
static uint64_t root_find(const uint8_t *rsdp, size_t rsdp_len, acpi_map_fn map, void *ctx,
                          uint32_t *esz, uint32_t *len)
{
    uint64_t xsdt = rsdp_len >= RSDP_V2_LEN ? rd64(rsdp + 24) : 0;
    uint64_t rsdt = rd32(rsdp + 16);
    if (table_map(xsdt, "XSDT", ACPI_HDR_LEN, map, ctx, len)) {
        *esz = 8;
        return xsdt;
    }
    if (table_map(rsdt, "RSDT", ACPI_HDR_LEN, map, ctx, len)) {
        *esz = 4;
        return rsdt;
    }
    return 0;
}

int acpi_parse(uint64_t rsdp_phys, acpi_map_fn map, void *ctx, struct acpi_info *out)
{
    info_zero(out);
    out->nnodes = 1;
    size_t rlen;
    const uint8_t *rsdp = rsdp_map(rsdp_phys, map, ctx, &rlen);
    if (!rsdp)
        return -1;
    out->rsdp = rsdp_phys;
    out->revision = rsdp[15];
    for (int i = 0; i < 6; i++)
        out->oem_id[i] = (char)rsdp[9 + i];
    uint32_t esz, rootlen;
    uint64_t root = root_find(rsdp, rlen, map, ctx, &esz, &rootlen);
    if (!root)
        return -1;

    /* First valid table of each kind; the root is re-mapped per entry (one live mapping). */
    uint64_t madt = 0, srat = 0;
    for (uint32_t off = ACPI_HDR_LEN; rootlen - off >= esz; off += esz) {
        const uint8_t *ent = map(root + off, esz, ctx);
        if (!ent)
            break;
        uint64_t phys = esz == 8 ? rd64(ent) : rd32(ent);
        uint32_t len;
        const uint8_t *t;
        if (!madt && table_map(phys, "APIC", MADT_ENTRIES, map, ctx, &len))
            madt = phys;
        else if (!srat && table_map(phys, "SRAT", SRAT_ENTRIES, map, ctx, &len))
            srat = phys;
        else if (!out->hpet_addr && (t = table_map(phys, "HPET", HPET_LEN, map, ctx, &len))
                 && t[40] == 0)                         /* GAS address space: system memory */
            out->hpet_addr = rd64(t + 44);
    }

    uint32_t len;
    const uint8_t *t = table_map(madt, "APIC", MADT_ENTRIES, map, ctx, &len);
    if (!t)
        return -2;
    madt_parse(t, len, out);
    t = table_map(srat, "SRAT", SRAT_ENTRIES, map, ctx, &len);
    if (t)
        srat_parse(t, len, out);
    return 0;
}

uint32_t acpi_cpu_node(const struct acpi_info *info, uint32_t apic_id)
{
    for (unsigned i = 0; i < info->ncpus; i++)
        if (info->cpu[i].apic_id == apic_id)
            return info->cpu[i].node;
    return 0;
}
