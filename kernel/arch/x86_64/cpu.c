/* cpu.c — per-CPU processor set-up: features, GDT, TSS, IDT, syscall MSRs, CR4 bits, FPU.
 *
 * cpu_detect() runs once on the boot CPU; cpu_init() runs on every CPU before it takes an
 * interrupt.  The IDT is shared (one table, read-only after boot); NMI, #DF and #MC use IST
 * stacks, one set per CPU (the TSS points at this CPU's).  The GDT has no 32-bit user code
 * descriptor: compatibility mode cannot be entered (a far jump to GDT_UCODE32 is a #GP).
 */
#include "cpu.h"
#include "arch.h"
#include "frame.h"
#include "core/percpu.h"
#include "core/thread.h"
#include "lib/string.h"
#include <stddef.h>
#include "debug/console.h"

struct cpu_features cpu_feat;
struct percpu percpu[MAX_CPUS];
char arch_cpu_anchor;                              /* see arch_this_cpu (arch.h) */
unsigned ncpus_online = 1;

struct idt_gate { uint16_t off0, sel; uint8_t ist, type; uint16_t off1; uint32_t off2, zero; }
    __attribute__((packed));
static struct idt_gate idt[256] __attribute__((aligned(16)));

extern const uint64_t isr_table[256];
extern char syscall_entry[], syscall_compat_entry[];

uint8_t cpu_smap_on;                    /* entry.S: clac on entries (CR4.SMAP is set) */

/* IST stacks: index 1 NMI, 2 #DF, 3 #MC (the IDT's ist field), one set per CPU. */
#define IST_NMI 1
#define IST_DF  2
#define IST_MC  3
#define IST_STACK_SIZE 4096
static uint8_t ist_stacks[MAX_CPUS][3][IST_STACK_SIZE] __attribute__((aligned(16)));

struct __attribute__((packed)) desc_ptr { uint16_t limit; uint64_t base; };

void cpu_detect(void)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    uint32_t max = r[0];
    memcpy(cpu_feat.vendor, &r[1], 4);
    memcpy(cpu_feat.vendor + 4, &r[3], 4);
    memcpy(cpu_feat.vendor + 8, &r[2], 4);
    cpuid(1, 0, r);
    cpu_feat.pcid = r[2] & (1u << 17);
    cpu_feat.x2apic = r[2] & (1u << 21);
    cpu_feat.tsc_deadline = r[2] & (1u << 24);
    cpu_feat.xsave = r[2] & (1u << 26);
    cpu_feat.pge = r[3] & (1u << 13);
    cpu_feat.fxsr = r[3] & (1u << 24);
    if (max >= 7) {
        cpuid(7, 0, r);
        cpu_feat.fsgsbase = r[1] & (1u << 0);
        cpu_feat.smep = r[1] & (1u << 7);
        cpu_feat.invpcid = r[1] & (1u << 10);
        cpu_feat.smap = r[1] & (1u << 20);
    }
    cpuid(0x80000000, 0, r);
    if (r[0] >= 0x80000004) {
        for (unsigned i = 0; i < 3; i++) {
            cpuid(0x80000002 + i, 0, r);
            memcpy(cpu_feat.brand + 16 * i, r, 16);
        }
    }
    cpuid(0x80000001, 0, r);
    cpu_feat.nx = r[3] & (1u << 20);
    cpu_feat.pdpe1gb = r[3] & (1u << 26);
}

static void idt_set(unsigned v, uint64_t handler, unsigned dpl, unsigned ist)
{
    idt[v] = (struct idt_gate){
        .off0 = (uint16_t)handler, .sel = GDT_KCODE, .ist = (uint8_t)ist,
        .type = (uint8_t)(0x8E | (dpl << 5)),          /* present, interrupt gate */
        .off1 = (uint16_t)(handler >> 16), .off2 = (uint32_t)(handler >> 32), .zero = 0,
    };
}

void idt_init(void)
{
    for (unsigned v = 0; v < 256; v++)
        idt_set(v, isr_table[v], 0, 0);
    idt_set(3, isr_table[3], 3, 0);     /* int3: the kernel-debugger interface */
    idt_set(2, isr_table[2], 0, IST_NMI);
    idt_set(8, isr_table[8], 0, IST_DF);
    idt_set(18, isr_table[18], 0, IST_MC);
}

static void gdt_init(struct percpu *c)
{
    uint64_t *g = c->arch.gdt;
    g[0] = 0;
    g[GDT_KCODE / 8] = 0x00AF9A000000FFFFULL;
    g[GDT_KDATA / 8] = 0x00CF92000000FFFFULL;
    g[GDT_UCODE32 / 8] = 0;             /* STAR's base for sysret; never a code segment */
    g[GDT_UDATA / 8] = 0x00CFF2000000FFFFULL;
    g[GDT_UCODE / 8] = 0x00AFFA000000FFFFULL;
    uint64_t tss = (uint64_t)&c->arch.tss, lim = sizeof(struct tss) + IO_BITMAP_BYTES;
    _Static_assert(offsetof(struct percpu_arch, iobitmap) ==
                   offsetof(struct percpu_arch, tss) + sizeof(struct tss), "IO bitmap after TSS");
    memset(c->arch.iobitmap, 0xFF, sizeof(c->arch.iobitmap));
    g[GDT_TSS / 8] = (lim & 0xFFFF) | ((tss & 0xFFFFFF) << 16) | (0x89ULL << 40) |
                     (((lim >> 16) & 0xF) << 48) | (((tss >> 24) & 0xFF) << 56);
    g[GDT_TSS / 8 + 1] = tss >> 32;
    c->arch.tss.iomap_base = sizeof(struct tss);        /* all ports denied until io.c grants */
    for (unsigned i = 0; i < 3; i++)
        c->arch.tss.ist[i] = (uint64_t)ist_stacks[c - percpu][i] + IST_STACK_SIZE;

    struct desc_ptr gp = { sizeof(c->arch.gdt) - 1, (uint64_t)g };
    __asm__ volatile(
        "lgdt %0\n\t"
        "mov %1, %%ds\n\tmov %1, %%es\n\tmov %1, %%ss\n\t"
        "pushq %2\n\tlea 1f(%%rip), %%rax\n\tpushq %%rax\n\tlretq\n1:\n\t"
        "ltr %w3"
        :: "m"(gp), "r"(GDT_KDATA), "i"(GDT_KCODE), "r"(GDT_TSS) : "rax", "memory");
}

/* Bring this CPU to the kernel's standard state.  c = this CPU's percpu block. */
void cpu_init(struct percpu *c)
{
    c->self = c;
    gdt_init(c);
    struct desc_ptr ip = { sizeof(idt) - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" :: "m"(ip));
    __asm__ volatile("mov %0, %%fs\n\tmov %0, %%gs" :: "r"(0));
    wrmsr(MSR_GS_BASE, (uint64_t)c);
    wrmsr(MSR_KERNEL_GS_BASE, 0);

    /* PAT: 0 WB, 1 WT, 2 UC-, 3 UC, 4 WC, 5 WP, 6 UC-, 7 UC (MemoryControl's cache types). */
    wrmsr(MSR_PAT, 0x0007050100070406ULL);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE | (cpu_feat.nx ? EFER_NXE : 0));
    wrmsr(MSR_STAR, ((uint64_t)(GDT_UCODE32 | 3) << 48) | ((uint64_t)GDT_KCODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_CSTAR, (uint64_t)syscall_compat_entry);
    wrmsr(MSR_FMASK, RFLAGS_KERNEL_CLEAR);

    uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
    if (cpu_feat.pge) cr4 |= CR4_PGE;
    if (cpu_feat.smep) cr4 |= CR4_SMEP;
    if (cpu_feat.smap) cr4 |= CR4_SMAP;
    cpu_smap_on = cpu_feat.smap;
    write_cr4(cr4);
    write_cr0((read_cr0() | CR0_WP | (1u << 1)) & ~((1ul << 2) | (1ul << 3)));  /* MP; no EM, TS */
    __asm__ volatile("fninit");
}

unsigned arch_cpu_id(void)
{
    return ((struct percpu *)arch_this_cpu())->cpu;
}

void arch_tlb_flush_all(void)
{
    struct percpu *c = this_cpu();
    c->arch.cr3 = c->current->root;
    write_cr3(c->arch.cr3);
}
