/* cpu.h — x86-64 privileged instructions, one inline each, and CPU feature bits.
 * Only code under kernel/arch/ includes this file; generic code uses arch.h. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

#define MSR_EFER            0xC0000080
#define MSR_STAR            0xC0000081
#define MSR_LSTAR           0xC0000082
#define MSR_CSTAR           0xC0000083
#define MSR_FMASK           0xC0000084
#define MSR_FS_BASE         0xC0000100
#define MSR_GS_BASE         0xC0000101
#define MSR_KERNEL_GS_BASE  0xC0000102
#define MSR_APIC_BASE       0x1B
#define MSR_PAT             0x277

#define EFER_SCE            (1u << 0)
#define EFER_LME            (1u << 8)
#define EFER_NXE            (1u << 11)

#define CR0_WP              (1ul << 16)
#define CR4_PGE             (1ul << 7)
#define CR4_OSFXSR          (1ul << 9)
#define CR4_OSXMMEXCPT      (1ul << 10)
#define CR4_FSGSBASE        (1ul << 16)
#define CR4_PCIDE           (1ul << 17)
#define CR4_SMEP            (1ul << 20)
#define CR4_SMAP            (1ul << 21)

#define RFLAGS_IF           (1ul << 9)
#define RFLAGS_TF           (1ul << 8)
#define RFLAGS_DF           (1ul << 10)
#define RFLAGS_NT           (1ul << 14)
#define RFLAGS_AC           (1ul << 18)
/* Flags the kernel never runs with (syscall's FMASK; trap_common clears DF and AC). */
#define RFLAGS_KERNEL_CLEAR (RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_NT | RFLAGS_AC)

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }
static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }
static inline void invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cpu_halt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline void enable_and_halt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline void stac(void) { __asm__ volatile("stac" ::: "memory"); }
static inline void clac(void) { __asm__ volatile("clac" ::: "memory"); }
static inline uint64_t read_rflags(void) { uint64_t f; __asm__ volatile("pushfq; pop %0" : "=r"(f)); return f; }

/* CPU features discovered once on the boot CPU (cpu.c). */
struct cpu_features {
    bool smep, smap, pcid, invpcid, fsgsbase, pge, x2apic, tsc_deadline, pdpe1gb, nx, fxsr, xsave;
    char vendor[13];
    char brand[49];
};
extern struct cpu_features cpu_feat;

/* Boot-time set-up inside arch/ (cpu.c, serial.c). */
struct percpu;
void cpu_detect(void);                  /* fill cpu_feat (boot CPU) */
void idt_init(void);                    /* the shared IDT (boot CPU) */
void cpu_init(struct percpu *c);        /* GDT, TSS, IDT, GS, syscall MSRs, CR0/CR4 (each CPU) */
void serial_init(void);
