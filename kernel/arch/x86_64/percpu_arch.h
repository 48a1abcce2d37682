/* percpu_arch.h — the x86-64 part of struct percpu: this CPU's GDT and TSS. */
#pragma once
#include <stdint.h>

struct tss {
    uint32_t reserved0;
    uint64_t rsp0, rsp1, rsp2;
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "TSS layout");

#define IO_BITMAP_BYTES 8192    /* one bit per port; a set bit denies access */

struct space;

struct percpu_arch {
    uint64_t gdt[8];            /* null, kcode, kdata, ucode32, udata, ucode, tss (2 slots) */
    struct tss tss;
    uint8_t iobitmap[IO_BITMAP_BYTES + 1];  /* follows the TSS; the last byte stays 0xFF */
    struct space *io_owner;     /* whose ports the bitmap currently grants (NULL: none) */
    uint64_t cr3;               /* the value in CR3 (load_context, arch_tlb_flush_all) */
} __attribute__((aligned(16)));
