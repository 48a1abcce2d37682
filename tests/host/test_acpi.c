/* test_acpi.c — host tests of the ACPI parser on tables captured from QEMU, and on broken copies.
 *
 * The captures in tests/host/data/acpi/<config>.bin come from tools/capture-acpi.py (SeaBIOS
 * q35 and pc machines, one with two NUMA nodes, and OVMF for an RSDP revision 2 with an XSDT).  They
 * are embedded with .incbin (the build runs from the repository root), loaded into one
 * malloc'd buffer per record so AddressSanitizer traps any read past a table, and served by
 * cap_map(), which returns NULL for anything outside the records.  Error-path tests edit a
 * private copy: corrupt a byte, rewrite a length, or splice in synthesized tables.
 */
#include "acpi.c"
#include "htest.h"

#define BLOB(sym, file)                                                          \
    __asm__(".pushsection .rodata\n.balign 16\n"                                \
            ".globl " #sym "\n.hidden " #sym "\n" #sym ":\n"                     \
            ".incbin \"tests/host/data/acpi/" file "\"\n"                        \
            ".globl " #sym "_end\n.hidden " #sym "_end\n" #sym "_end:\n"         \
            ".popsection\n");                                                   \
    extern const uint8_t sym[], sym##_end[]

BLOB(blob_q35_smp1, "q35-smp1.bin");
BLOB(blob_q35_numa, "q35-smp4-numa2.bin");
BLOB(blob_pc_smp2, "pc-smp2.bin");
BLOB(blob_ovmf, "q35-ovmf-smp2.bin");

/* ---- captures: records of (phys, len, bytes) ---- */

#define CAP_MAX 32
struct rec { uint64_t phys; uint32_t len; uint8_t *data; };
struct cap { unsigned n; struct rec r[CAP_MAX]; };

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

static struct rec *cap_add(struct cap *c, uint64_t phys, const uint8_t *data, uint32_t len)
{
    if (c->n >= CAP_MAX)
        abort();
    struct rec *r = &c->r[c->n++];
    r->phys = phys;
    r->len = len;
    r->data = malloc(len ? len : 1);
    memcpy(r->data, data, len);
    return r;
}

/* Parse a capture blob ("ACPICAP1", then u64 phys, u32 len, bytes...). 0 if malformed. */
static int cap_load(struct cap *c, const uint8_t *b, const uint8_t *end)
{
    memset(c, 0, sizeof *c);
    if (end - b < 8 || memcmp(b, "ACPICAP1", 8) != 0)
        return 0;
    for (b += 8; b < end; ) {
        if (end - b < 12)
            return 0;
        uint64_t phys = le(b, 8);
        uint32_t len = (uint32_t)le(b + 8, 4);
        if ((uint64_t)(end - b - 12) < len)
            return 0;
        cap_add(c, phys, b + 12, len);
        b += 12 + len;
    }
    return 1;
}

static void cap_free(struct cap *c)
{
    for (unsigned i = 0; i < c->n; i++)
        free(c->r[i].data);
    c->n = 0;
}

static unsigned map_calls;

static const void *cap_map(uint64_t phys, size_t len, void *ctx)
{
    struct cap *c = ctx;
    map_calls++;
    for (unsigned i = 0; i < c->n; i++) {
        struct rec *r = &c->r[i];
        if (phys >= r->phys && phys - r->phys <= r->len && len <= r->len - (phys - r->phys))
            return r->data + (phys - r->phys);
    }
    return NULL;
}

static const void *map_nothing(uint64_t phys, size_t len, void *ctx)
{
    (void)phys; (void)len; (void)ctx;
    return NULL;
}

static struct rec *cap_at(struct cap *c, uint64_t phys)
{
    for (unsigned i = 0; i < c->n; i++)
        if (c->r[i].phys == phys)
            return &c->r[i];
    return NULL;
}

/* The record holding the table with this signature ("RSD " finds the RSDP). */
static struct rec *cap_sig(struct cap *c, const char *sig)
{
    for (unsigned i = 0; i < c->n; i++)
        if (c->r[i].len >= 4 && memcmp(c->r[i].data, sig, 4) == 0)
            return &c->r[i];
    return NULL;
}

static void fix_sum(uint8_t *p, size_t len, size_t at)
{
    uint8_t s = 0;
    p[at] = 0;
    for (size_t i = 0; i < len; i++)
        s = (uint8_t)(s + p[i]);
    p[at] = (uint8_t)-s;
}

static void fix_table(struct rec *r) { fix_sum(r->data, le(r->data + 4, 4), 9); }

static struct cap load(const uint8_t *b, const uint8_t *end)
{
    struct cap c;
    if (!cap_load(&c, b, end)) {
        printf("# bad capture blob\n");
        abort();
    }
    return c;
}

#define LOAD(name) load(blob_##name, blob_##name##_end)

/* ---- synthesized tables ---- */

struct tb { uint8_t b[4096]; uint32_t len; };

static void tb_start(struct tb *t, const char *sig, uint32_t hdr_len)
{
    memset(t, 0, sizeof *t);
    memcpy(t->b, sig, 4);
    t->b[8] = 1;                                        /* revision */
    memcpy(t->b + 10, "SIGMA4", 6);
    t->len = hdr_len;                                   /* 36 + table-specific fixed part */
}

static void tb_put(struct tb *t, uint64_t v, int n)
{
    put_le(t->b + t->len, v, n);
    t->len += (uint32_t)n;
}

/* Close the table (length, checksum) and add it to the capture at phys. */
static struct rec *tb_add(struct cap *c, struct tb *t, uint64_t phys)
{
    put_le(t->b + 4, t->len, 4);
    fix_sum(t->b, t->len, 9);
    return cap_add(c, phys, t->b, t->len);
}

/* Replace the RSDT of a SeaBIOS capture with one listing exactly these tables. */
static void set_rsdt(struct cap *c, const uint64_t *tables, unsigned n)
{
    struct rec *rsdp = cap_sig(c, "RSD ");
    struct rec *old = cap_at(c, le(rsdp->data + 16, 4));
    struct tb t;
    tb_start(&t, "RSDT", 36);
    for (unsigned i = 0; i < n; i++)
        tb_put(&t, tables[i], 4);
    put_le(t.b + 4, t.len, 4);
    fix_sum(t.b, t.len, 9);
    free(old->data);
    old->data = malloc(t.len);
    memcpy(old->data, t.b, t.len);
    old->len = t.len;
}

static void madt_start(struct tb *t)
{
    tb_start(t, "APIC", 44);
    put_le(t->b + 36, 0xFEE00000, 4);
    put_le(t->b + 40, 1, 4);
}

static void madt_lapic(struct tb *t, uint8_t uid, uint8_t id, uint32_t flags)
{
    tb_put(t, 0, 1); tb_put(t, 8, 1); tb_put(t, uid, 1); tb_put(t, id, 1); tb_put(t, flags, 4);
}

static void madt_x2apic(struct tb *t, uint32_t id, uint32_t flags, uint32_t uid)
{
    tb_put(t, 9, 1); tb_put(t, 16, 1); tb_put(t, 0, 2);
    tb_put(t, id, 4); tb_put(t, flags, 4); tb_put(t, uid, 4);
}

static void madt_ioapic(struct tb *t, uint8_t id, uint32_t addr, uint32_t gsi)
{
    tb_put(t, 1, 1); tb_put(t, 12, 1); tb_put(t, id, 1); tb_put(t, 0, 1);
    tb_put(t, addr, 4); tb_put(t, gsi, 4);
}

static void madt_iso(struct tb *t, uint8_t irq, uint32_t gsi, uint16_t flags)
{
    tb_put(t, 2, 1); tb_put(t, 10, 1); tb_put(t, 0, 1); tb_put(t, irq, 1);
    tb_put(t, gsi, 4); tb_put(t, flags, 2);
}

static void srat_start(struct tb *t)
{
    tb_start(t, "SRAT", 48);
    put_le(t->b + 36, 1, 4);
}

static void srat_cpu(struct tb *t, uint32_t dom, uint8_t apic_id, uint32_t flags)
{
    tb_put(t, 0, 1); tb_put(t, 16, 1); tb_put(t, dom & 0xFF, 1); tb_put(t, apic_id, 1);
    tb_put(t, flags, 4); tb_put(t, 0, 1); tb_put(t, dom >> 8, 3); tb_put(t, 0, 4);
}

static void srat_x2cpu(struct tb *t, uint32_t dom, uint32_t id, uint32_t flags)
{
    tb_put(t, 2, 1); tb_put(t, 24, 1); tb_put(t, 0, 2); tb_put(t, dom, 4);
    tb_put(t, id, 4); tb_put(t, flags, 4); tb_put(t, 0, 4); tb_put(t, 0, 4);
}

static void srat_mem(struct tb *t, uint32_t dom, uint64_t base, uint64_t len, uint32_t flags)
{
    tb_put(t, 1, 1); tb_put(t, 40, 1); tb_put(t, dom, 4); tb_put(t, 0, 2);
    tb_put(t, base, 8); tb_put(t, len, 8); tb_put(t, 0, 4); tb_put(t, flags, 4); tb_put(t, 0, 8);
}

static struct acpi_info info;                           /* large: keep it off the stack */

static int parse(struct cap *c)
{
    return acpi_parse(cap_sig(c, "RSD ")->phys, cap_map, c, &info);
}

/* Invariants any parse result must satisfy, whatever the input. */
static int info_sane(const struct acpi_info *in)
{
    if (in->ncpus > ACPI_MAX_CPUS || in->nioapics > ACPI_MAX_IOAPICS ||
        in->noverrides > ACPI_MAX_OVERRIDES || in->nmemaff > ACPI_MAX_MEMAFF ||
        in->nnodes < 1 || in->nnodes > ACPI_MAX_NODES || in->oem_id[6] != 0)
        return 0;
    for (unsigned i = 0; i < in->ncpus; i++)
        if (in->cpu[i].node >= in->nnodes)
            return 0;
    for (unsigned i = 0; i < in->nmemaff; i++)
        if (in->memaff[i].node >= in->nnodes || in->memaff[i].length == 0)
            return 0;
    return 1;
}

/* ---- RSDP discovery ---- */

TEST(find_rsdp_seabios)
{
    struct cap c = LOAD(q35_smp1);
    uint64_t a = acpi_find_rsdp(cap_map, &c);
    cap_free(&c);
    CHECK_EQ(a, 0xF59E0);
    c = LOAD(q35_numa);
    a = acpi_find_rsdp(cap_map, &c);
    cap_free(&c);
    CHECK_EQ(a, 0xF59E0);
    c = LOAD(pc_smp2);
    a = acpi_find_rsdp(cap_map, &c);
    cap_free(&c);
    CHECK_EQ(a, 0xF59D0);
}

TEST(find_rsdp_uefi_has_none_in_legacy_areas)
{
    struct cap c = LOAD(ovmf);
    uint64_t a = acpi_find_rsdp(cap_map, &c);
    uint64_t real = cap_sig(&c, "RSD ")->phys;
    cap_free(&c);
    CHECK_EQ(a, 0);
    CHECK_EQ(real, 0xF77E014);
}

TEST(find_rsdp_prefers_ebda)
{
    struct cap c = LOAD(q35_smp1);
    struct rec *ebda = cap_at(&c, 0x9FC00), *rsdp = cap_sig(&c, "RSD ");
    CHECK(ebda && ebda->len == 1024 && rsdp);
    memcpy(ebda->data + 0x40, rsdp->data, 20);
    uint64_t a = acpi_find_rsdp(cap_map, &c);
    memcpy(ebda->data + 0x48, rsdp->data, 20);          /* not 16-byte aligned: ignored */
    memset(ebda->data + 0x40, 0, 8);
    uint64_t b = acpi_find_rsdp(cap_map, &c);
    cap_free(&c);
    CHECK_EQ(a, 0x9FC40);
    CHECK_EQ(b, 0xF59E0);
}

TEST(find_rsdp_skips_bad_candidates)
{
    struct cap c = LOAD(q35_smp1);
    struct rec *rsdp = cap_sig(&c, "RSD ");
    uint8_t bad[36];
    memcpy(bad, rsdp->data, 20);
    bad[9] ^= 1;                                        /* v1 checksum now wrong */
    cap_add(&c, 0xE0000, bad, 20);
    memcpy(bad, rsdp->data, 20);                        /* revision 2, extended checksum bad */
    bad[15] = 2;
    put_le(bad + 20, 36, 4);
    memset(bad + 24, 0, 12);
    fix_sum(bad, 20, 8);
    fix_sum(bad, 36, 32);
    bad[33] ^= 1;
    cap_add(&c, 0xE0020, bad, 36);
    uint64_t a = acpi_find_rsdp(cap_map, &c);
    bad[33] ^= 1;                                       /* repair it: now it is found first */
    memcpy(c.r[c.n - 1].data, bad, 36);
    uint64_t b = acpi_find_rsdp(cap_map, &c);
    cap_free(&c);
    CHECK_EQ(a, 0xF59E0);
    CHECK_EQ(b, 0xE0020);
}

TEST(find_and_parse_with_nothing_mapped)
{
    CHECK_EQ(acpi_find_rsdp(map_nothing, NULL), 0);
    CHECK_EQ(acpi_parse(0xF59E0, map_nothing, NULL, &info), -1);
    CHECK_EQ(info.nnodes, 1);
    CHECK_EQ(info.ncpus, 0);
}

/* ---- the captures, parsed ---- */

TEST(q35_smp1)
{
    struct cap c = LOAD(q35_smp1);
    memset(&info, 0xA5, sizeof info);                   /* acpi_parse must zero it */
    int r = parse(&c);
    cap_free(&c);
    CHECK_EQ(r, 0);
    CHECK(info_sane(&info));
    CHECK_EQ(info.rsdp, 0xF59E0);
    CHECK_EQ(info.revision, 0);
    CHECK(strcmp(info.oem_id, "BOCHS ") == 0);
    CHECK_EQ(info.lapic_addr, 0xFEE00000);
    CHECK(info.pcat_compat);
    CHECK_EQ(info.ncpus, 1);
    CHECK_EQ(info.cpu[0].apic_id, 0);
    CHECK_EQ(info.cpu[0].node, 0);
    CHECK_EQ(info.nioapics, 1);
    CHECK_EQ(info.ioapic[0].id, 0);
    CHECK_EQ(info.ioapic[0].addr, 0xFEC00000);
    CHECK_EQ(info.ioapic[0].gsi_base, 0);
    CHECK_EQ(info.noverrides, 5);
    CHECK_EQ(info.override[0].bus, 0);
    CHECK_EQ(info.override[0].source_irq, 0);
    CHECK_EQ(info.override[0].gsi, 2);
    CHECK_EQ(info.override[0].flags, 0);
    CHECK_EQ(info.override[1].source_irq, 5);
    CHECK_EQ(info.override[1].gsi, 5);
    CHECK_EQ(info.override[1].flags, 0xD);              /* level, active high */
    CHECK(!info.has_srat);
    CHECK_EQ(info.nnodes, 1);
    CHECK_EQ(info.nmemaff, 0);
    CHECK_EQ(info.hpet_addr, 0xFED00000);
}

TEST(q35_smp4_numa2)
{
    struct cap c = LOAD(q35_numa);
    int r = parse(&c);
    cap_free(&c);
    CHECK_EQ(r, 0);
    CHECK(info_sane(&info));
    CHECK_EQ(info.ncpus, 4);
    for (unsigned i = 0; i < 4; i++) {
        CHECK_EQ(info.cpu[i].apic_id, i);
        CHECK_EQ(info.cpu[i].uid, i);
        CHECK_EQ(info.cpu[i].node, i / 2);
        CHECK_EQ(acpi_cpu_node(&info, i), i / 2);
    }
    CHECK_EQ(acpi_cpu_node(&info, 77), 0);
    CHECK_EQ(info.nioapics, 1);
    CHECK_EQ(info.ioapic[0].addr, 0xFEC00000);
    CHECK_EQ(info.ioapic[0].gsi_base, 0);
    CHECK_EQ(info.override[0].source_irq, 0);
    CHECK_EQ(info.override[0].gsi, 2);
    CHECK_EQ(info.lapic_addr, 0xFEE00000);
    CHECK(info.has_srat);
    CHECK_EQ(info.nnodes, 2);
    CHECK_EQ(info.nmemaff, 3);                          /* the fourth entry is disabled */
    CHECK_EQ(info.memaff[0].base, 0);
    CHECK_EQ(info.memaff[0].length, 0xA0000);
    CHECK_EQ(info.memaff[0].node, 0);
    CHECK_EQ(info.memaff[1].base, 0x100000);
    CHECK_EQ(info.memaff[1].length, 0x7F00000);
    CHECK_EQ(info.memaff[1].node, 0);
    CHECK_EQ(info.memaff[2].base, 0x8000000);
    CHECK_EQ(info.memaff[2].length, 0x8000000);
    CHECK_EQ(info.memaff[2].node, 1);
    CHECK(!info.memaff[0].hotplug && !info.memaff[2].hotplug);
    CHECK_EQ(info.hpet_addr, 0xFED00000);
}

TEST(pc_smp2)
{
    struct cap c = LOAD(pc_smp2);
    int r = parse(&c);
    cap_free(&c);
    CHECK_EQ(r, 0);
    CHECK(info_sane(&info));
    CHECK_EQ(info.rsdp, 0xF59D0);
    CHECK_EQ(info.ncpus, 2);
    CHECK_EQ(info.cpu[0].apic_id, 0);
    CHECK_EQ(info.cpu[1].apic_id, 1);
    CHECK_EQ(info.nioapics, 1);
    CHECK_EQ(info.ioapic[0].addr, 0xFEC00000);
    CHECK_EQ(info.noverrides, 5);
    CHECK_EQ(info.override[0].gsi, 2);
    CHECK_EQ(info.override[4].source_irq, 11);
    CHECK_EQ(info.nnodes, 1);
    CHECK_EQ(info.hpet_addr, 0xFED00000);
}

TEST(ovmf_xsdt)
{
    struct cap c = LOAD(ovmf);
    int r = parse(&c);
    CHECK_EQ(r, 0);
    CHECK(info_sane(&info));
    CHECK_EQ(info.revision, 2);
    CHECK_EQ(info.rsdp, 0xF77E014);
    CHECK_EQ(info.ncpus, 2);
    CHECK_EQ(info.cpu[1].apic_id, 1);
    CHECK_EQ(info.ioapic[0].addr, 0xFEC00000);
    CHECK_EQ(info.hpet_addr, 0xFED00000);
    /* Empty the RSDT: the tables are still found, so the XSDT is what was used. */
    struct rec *rsdt = cap_sig(&c, "RSDT"), *xsdt = cap_sig(&c, "XSDT");
    CHECK(rsdt && xsdt);
    memset(rsdt->data + 36, 0, rsdt->len - 36);
    fix_table(rsdt);
    r = parse(&c);
    int ncpus = (int)info.ncpus;
    /* Break the XSDT checksum: the parser falls back to the (now empty) RSDT. */
    xsdt->data[40] ^= 1;
    int r2 = parse(&c);
    /* ... and with the RSDT broken too, there is no root at all. */
    rsdt->data[20] ^= 1;
    int r3 = parse(&c);
    cap_free(&c);
    CHECK_EQ(r, 0);
    CHECK_EQ(ncpus, 2);
    CHECK_EQ(r2, -2);
    CHECK_EQ(r3, -1);
}

/* ---- error paths on corrupted copies ---- */

TEST(bad_rsdp_checksum)
{
    struct cap c = LOAD(q35_smp1);
    struct rec *rsdp = cap_sig(&c, "RSD ");
    rsdp->data[10] ^= 0x20;                             /* "BOCHS" -> "BoCHS" */
    uint64_t a = acpi_find_rsdp(cap_map, &c);
    int r = acpi_parse(0xF59E0, cap_map, &c, &info);
    cap_free(&c);
    CHECK_EQ(a, 0);
    CHECK_EQ(r, -1);
    CHECK_EQ(info.ncpus, 0);
}

TEST(bad_rsdp_extended_checksum)
{
    struct cap c = LOAD(ovmf);
    struct rec *rsdp = cap_sig(&c, "RSD ");
    rsdp->data[35] ^= 1;                                /* reserved byte, outside the v1 sum */
    int r = parse(&c);
    rsdp->data[35] ^= 1;
    put_le(rsdp->data + 20, 40, 4);                     /* length beyond what is mapped */
    fix_sum(rsdp->data, 20, 8);
    fix_sum(rsdp->data, 36, 32);
    int r2 = parse(&c);
    cap_free(&c);
    CHECK_EQ(r, -1);
    CHECK_EQ(r2, -1);
}

TEST(bad_madt_checksum)
{
    struct cap c = LOAD(q35_numa);
    struct rec *madt = cap_sig(&c, "APIC");
    madt->data[50] ^= 0x10;
    int r = parse(&c);
    cap_free(&c);
    CHECK_EQ(r, -2);
}

TEST(bad_srat_checksum_means_no_numa)
{
    struct cap c = LOAD(q35_numa);
    cap_sig(&c, "SRAT")->data[60] ^= 1;
    int r = parse(&c);
    cap_free(&c);
    CHECK_EQ(r, 0);
    CHECK_EQ(info.ncpus, 4);
    CHECK(!info.has_srat);
    CHECK_EQ(info.nnodes, 1);
    CHECK_EQ(info.nmemaff, 0);
    CHECK_EQ(info.cpu[3].node, 0);
}

TEST(truncated_tables)
{
    struct cap c = LOAD(q35_numa);
    struct rec *madt = cap_sig(&c, "APIC");
    uint32_t len = madt->len;
    put_le(madt->data + 4, len + 8, 4);                 /* claims more than exists */
    int r1 = parse(&c);
    put_le(madt->data + 4, 44 + 2 * 8 + 6, 4);          /* two CPUs, then half an entry */
    fix_table(madt);
    int r2 = parse(&c);
    unsigned n2 = info.ncpus, io2 = info.nioapics;
    put_le(madt->data + 4, 40, 4);                      /* shorter than the MADT header */
    fix_table(madt);
    int r3 = parse(&c);
    put_le(madt->data + 4, len, 4);
    fix_table(madt);
    struct rec *rsdt = cap_sig(&c, "RSDT");
    put_le(rsdt->data + 4, rsdt->len + 4, 4);           /* root table runs off its record */
    int r4 = parse(&c);
    cap_free(&c);
    CHECK_EQ(r1, -2);
    CHECK_EQ(r2, 0);
    CHECK_EQ(n2, 2);
    CHECK_EQ(io2, 0);
    CHECK_EQ(r3, -2);
    CHECK_EQ(r4, -1);
}

TEST(rsdt_last_entry_cut)
{
    struct cap c = LOAD(q35_numa);
    struct rec *rsdt = cap_sig(&c, "RSDT");
    uint32_t n = (rsdt->len - 36) / 4, srat_at = 0;
    for (uint32_t i = 0; i < n; i++)
        if (cap_at(&c, le(rsdt->data + 36 + 4 * i, 4)) == cap_sig(&c, "SRAT"))
            srat_at = i;
    /* Move the SRAT pointer to the last slot and cut that slot in half. */
    uint8_t tmp[4];
    memcpy(tmp, rsdt->data + 36 + 4 * srat_at, 4);
    memcpy(rsdt->data + 36 + 4 * srat_at, rsdt->data + 36 + 4 * (n - 1), 4);
    memcpy(rsdt->data + 36 + 4 * (n - 1), tmp, 4);
    fix_table(rsdt);
    int r1 = parse(&c);
    bool srat1 = info.has_srat;
    put_le(rsdt->data + 4, rsdt->len - 2, 4);
    fix_table(rsdt);
    int r2 = parse(&c);
    cap_free(&c);
    CHECK_EQ(r1, 0);
    CHECK(srat1);
    CHECK_EQ(r2, 0);
    CHECK(!info.has_srat);
    CHECK_EQ(info.ncpus, 4);
}

TEST(madt_entry_length_zero_terminates)
{
    struct cap c = LOAD(q35_numa);
    struct rec *madt = cap_sig(&c, "APIC");
    madt->data[44 + 8 + 1] = 0;                         /* second LAPIC entry: length 0 */
    fix_table(madt);
    map_calls = 0;
    int r = parse(&c);
    unsigned n1 = info.ncpus, calls = map_calls;
    madt->data[44 + 8 + 1] = 1;                         /* length 1: cannot hold its header */
    fix_table(madt);
    int r2 = parse(&c);
    unsigned n2 = info.ncpus;
    madt->data[44 + 8 + 1] = 200;                       /* runs past the end of the table */
    fix_table(madt);
    int r3 = parse(&c);
    unsigned n3 = info.ncpus, io3 = info.nioapics;
    cap_free(&c);
    CHECK_EQ(r, 0);
    CHECK_EQ(n1, 1);
    CHECK(calls < 100);
    CHECK_EQ(r2, 0);
    CHECK_EQ(n2, 1);
    CHECK_EQ(r3, 0);
    CHECK_EQ(n3, 1);
    CHECK_EQ(io3, 0);
}

TEST(more_entries_than_limits)
{
    struct cap c = LOAD(q35_smp1);
    struct tb *t = malloc(sizeof *t);
    madt_start(t);
    for (unsigned i = 0; i < ACPI_MAX_CPUS + 6; i++)
        madt_lapic(t, (uint8_t)i, (uint8_t)(i + 1), 1);
    for (unsigned i = 0; i < ACPI_MAX_IOAPICS + 2; i++)
        madt_ioapic(t, (uint8_t)i, 0xFEC00000 + 0x1000 * i, 24 * i);
    for (unsigned i = 0; i < ACPI_MAX_OVERRIDES + 3; i++)
        madt_iso(t, (uint8_t)i, 100 + i, 0);
    tb_add(&c, t, 0x200003);                            /* odd address: unaligned fields */
    const uint64_t tables[] = { 0x200003 };
    set_rsdt(&c, tables, 1);
    int r = parse(&c);
    free(t);
    cap_free(&c);
    CHECK_EQ(r, 0);
    CHECK(info_sane(&info));
    CHECK_EQ(info.ncpus, ACPI_MAX_CPUS);
    CHECK_EQ(info.cpu[0].apic_id, 1);
    CHECK_EQ(info.cpu[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS);
    CHECK_EQ(info.nioapics, ACPI_MAX_IOAPICS);
    CHECK_EQ(info.ioapic[ACPI_MAX_IOAPICS - 1].gsi_base, 24 * (ACPI_MAX_IOAPICS - 1));
    CHECK_EQ(info.noverrides, ACPI_MAX_OVERRIDES);
    CHECK_EQ(info.override[ACPI_MAX_OVERRIDES - 1].gsi, 100 + ACPI_MAX_OVERRIDES - 1);
    CHECK_EQ(info.hpet_addr, 0);                        /* no HPET listed any more */
}

TEST(madt_entry_kinds)
{
    struct cap c = LOAD(q35_smp1);
    struct tb t;
    madt_start(&t);
    put_le(t.b + 40, 0, 4);                             /* no 8259s */
    madt_lapic(&t, 0, 0, 1);
    madt_lapic(&t, 1, 1, 0);                            /* disabled */
    madt_lapic(&t, 2, 2, 2);                            /* online-capable only: not now */
    madt_lapic(&t, 3, 3, 3);                            /* enabled (and online-capable) */
    tb_put(&t, 1, 1); tb_put(&t, 4, 1); tb_put(&t, 0, 2);       /* IO-APIC, too short: skip */
    tb_put(&t, 77, 1); tb_put(&t, 6, 1); tb_put(&t, 0, 4);      /* unknown type: skip */
    madt_x2apic(&t, 300, 1, 9);
    madt_x2apic(&t, 301, 0, 10);                        /* disabled */
    madt_x2apic(&t, 3, 1, 3);                           /* same CPU as the LAPIC entry */
    tb_put(&t, 5, 1); tb_put(&t, 12, 1); tb_put(&t, 0, 2); tb_put(&t, 0x1FEE00000ull, 8);
    madt_ioapic(&t, 2, 0xFEC01000, 24);
    tb_add(&c, &t, 0x200000);
    const uint64_t tables[] = { 0x200000 };
    set_rsdt(&c, tables, 1);
    int r = parse(&c);
    cap_free(&c);
    CHECK_EQ(r, 0);
    CHECK(!info.pcat_compat);
    CHECK_EQ(info.ncpus, 3);
    CHECK_EQ(info.cpu[0].apic_id, 0);
    CHECK_EQ(info.cpu[1].apic_id, 3);
    CHECK_EQ(info.cpu[2].apic_id, 300);
    CHECK_EQ(info.cpu[2].uid, 9);
    CHECK_EQ(info.lapic_addr, 0x1FEE00000ull);
    CHECK_EQ(info.nioapics, 1);
    CHECK_EQ(info.ioapic[0].id, 2);
    CHECK_EQ(info.ioapic[0].addr, 0xFEC01000);
    CHECK_EQ(info.ioapic[0].gsi_base, 24);
}

TEST(srat_sparse_domains)
{
    struct cap c = LOAD(q35_smp1);
    struct tb t;
    madt_start(&t);
    madt_lapic(&t, 0, 0, 1);
    madt_lapic(&t, 1, 1, 1);
    madt_lapic(&t, 2, 2, 1);
    madt_x2apic(&t, 300, 1, 3);
    tb_add(&c, &t, 0x200000);
    srat_start(&t);
    srat_cpu(&t, 0x102, 0, 1);                          /* high domain bytes in use */
    srat_cpu(&t, 2, 1, 1);
    srat_cpu(&t, 99, 2, 0);                             /* disabled: domain 99 not counted */
    srat_x2cpu(&t, 7, 300, 1);
    srat_mem(&t, 2, 0, 0x100000, 1);
    srat_mem(&t, 0x102, 0x100000000ull, 0x40000000, 3); /* enabled, hot-pluggable */
    srat_mem(&t, 55, 0x200000000ull, 0x1000, 0);        /* disabled */
    srat_mem(&t, 56, 0x300000000ull, 0, 1);             /* empty */
    tb_add(&c, &t, 0x210001);
    const uint64_t tables[] = { 0x210001, 0x200000 };   /* SRAT listed before the MADT */
    set_rsdt(&c, tables, 2);
    int r = parse(&c);
    cap_free(&c);
    CHECK_EQ(r, 0);
    CHECK(info_sane(&info));
    CHECK(info.has_srat);
    CHECK_EQ(info.nnodes, 3);                           /* domains 2, 7, 0x102 -> 0, 1, 2 */
    CHECK_EQ(acpi_cpu_node(&info, 0), 2);
    CHECK_EQ(acpi_cpu_node(&info, 1), 0);
    CHECK_EQ(acpi_cpu_node(&info, 2), 0);
    CHECK_EQ(acpi_cpu_node(&info, 300), 1);
    CHECK_EQ(info.nmemaff, 2);
    CHECK_EQ(info.memaff[0].node, 0);
    CHECK(!info.memaff[0].hotplug);
    CHECK_EQ(info.memaff[1].base, 0x100000000ull);
    CHECK_EQ(info.memaff[1].length, 0x40000000);
    CHECK_EQ(info.memaff[1].node, 2);
    CHECK(info.memaff[1].hotplug);
}

TEST(srat_more_domains_than_nodes)
{
    struct cap c = LOAD(q35_smp1);
    struct tb t;
    srat_start(&t);
    for (unsigned i = 0; i < ACPI_MAX_NODES + 4; i++)   /* domains 500..519, shuffled */
        srat_mem(&t, 500 + (i * 7) % (ACPI_MAX_NODES + 4), 0x1000000ull * i, 0x1000000, 1);
    srat_cpu(&t, 519, 0, 1);                            /* largest domain: dropped */
    tb_add(&c, &t, 0x210000);
    const uint64_t tables[] = { cap_sig(&c, "APIC")->phys, 0x210000 };
    set_rsdt(&c, tables, 2);
    int r = parse(&c);
    cap_free(&c);
    CHECK_EQ(r, 0);
    CHECK(info_sane(&info));
    CHECK_EQ(info.ncpus, 1);
    CHECK_EQ(info.cpu[0].node, 0);
    CHECK_EQ(info.nnodes, ACPI_MAX_NODES);
    CHECK_EQ(info.nmemaff, ACPI_MAX_NODES);             /* the 4 largest domains are dropped */
    for (unsigned i = 0, k = 0; i < ACPI_MAX_NODES + 4; i++) {
        unsigned dom = (i * 7) % (ACPI_MAX_NODES + 4);
        if (dom >= ACPI_MAX_NODES)
            continue;
        CHECK_EQ(info.memaff[k].base, 0x1000000ull * i);
        CHECK_EQ(info.memaff[k].node, dom);             /* dense rank of domain 500 + dom */
        k++;
    }
}

TEST(first_valid_madt_wins)
{
    struct cap c = LOAD(q35_smp1);
    struct tb t;
    madt_start(&t);
    madt_lapic(&t, 0, 5, 1);
    madt_lapic(&t, 1, 6, 1);
    struct rec *second = tb_add(&c, &t, 0x200000);
    const uint64_t tables[] = { cap_sig(&c, "APIC")->phys, 0x200000 };
    set_rsdt(&c, tables, 2);
    int r1 = parse(&c);
    unsigned n1 = info.ncpus;
    cap_sig(&c, "APIC")->data[44 + 3] ^= 1;             /* first MADT: bad checksum */
    int r2 = parse(&c);
    unsigned n2 = info.ncpus, id2 = info.cpu[1].apic_id;
    second->data[9] ^= 1;                               /* both bad */
    int r3 = parse(&c);
    cap_free(&c);
    CHECK_EQ(r1, 0);
    CHECK_EQ(n1, 1);
    CHECK_EQ(r2, 0);
    CHECK_EQ(n2, 2);
    CHECK_EQ(id2, 6);
    CHECK_EQ(r3, -2);
}

TEST(hpet_only_in_memory_space)
{
    struct cap c = LOAD(pc_smp2);
    struct rec *hpet = cap_sig(&c, "HPET");
    hpet->data[40] = 1;                                 /* GAS address space: system I/O */
    fix_table(hpet);
    int r1 = parse(&c);
    uint64_t a1 = info.hpet_addr;
    hpet->data[40] = 0;
    fix_table(hpet);
    hpet->data[20] ^= 1;                                /* bad checksum */
    int r2 = parse(&c);
    cap_free(&c);
    CHECK_EQ(r1, 0);
    CHECK_EQ(a1, 0);
    CHECK_EQ(r2, 0);
    CHECK_EQ(info.hpet_addr, 0);
    CHECK_EQ(info.ncpus, 2);
}

/* Random byte edits to the MADT and SRAT, checksums repaired: no crash, no sanitizer
 * report, no hang, and the result is always internally consistent. */
TEST(fuzz_madt_srat)
{
    uint32_t seed = 12345;
    for (int iter = 0; iter < 3000; iter++) {
        struct cap c = LOAD(q35_numa);
        struct rec *t = cap_sig(&c, (iter & 1) ? "SRAT" : "APIC");
        for (int k = 0; k < 1 + iter % 4; k++) {
            seed = seed * 1103515245 + 12345;
            uint32_t at = 36 + (seed >> 8) % (t->len - 36);
            seed = seed * 1103515245 + 12345;
            t->data[at] = (uint8_t)(seed >> 16);
        }
        fix_table(t);
        int r = parse(&c);
        cap_free(&c);
        CHECK(r == 0 || r == -2);
        CHECK(info_sane(&info));
    }
}

HTEST_MAIN("acpi");
