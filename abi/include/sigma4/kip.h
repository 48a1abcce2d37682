/* kip.h — the kernel interface page (KIP): X.2 layout on amd64, shared by kernel and libl4.
 *
 * One 4 KiB page, mapped read-only (and executable: it holds the system-call stubs) into every
 * address space at the space's KIP area.  All offsets are bytes from the KIP base.  Fields are
 * 64-bit words; bit fields are built with the shifts and masks below, never with C bit-fields.
 */
#pragma once

#define KIP_MAGIC_WORD          0x4be6344cULL   /* 'L','4',0xE6,'K' in the low 4 bytes */
#define KIP_SIZE                4096
#define KIP_SIZE_LOG2           12

/* Word offsets of the KIP proper. */
#define KIP_OFF_MAGIC           0x00
#define KIP_OFF_API_VERSION     0x08
#define KIP_OFF_API_FLAGS       0x10
#define KIP_OFF_KERNEL_DESC     0x18    /* offset of the kernel descriptor from the KIP base */
#define KIP_OFF_KDEBUG_INIT     0x20
#define KIP_OFF_KDEBUG_ENTRY    0x28
#define KIP_OFF_KDEBUG_LOW      0x30
#define KIP_OFF_KDEBUG_HIGH     0x38
#define KIP_OFF_SIGMA0          0x40    /* 4 words each: SP, IP, mem low, mem high */
#define KIP_OFF_SIGMA1          0x60
#define KIP_OFF_ROOT_SERVER     0x80
#define KIP_OFF_MEMORY_INFO     0xA8    /* bits 31-0 count, 63-32 offset of descriptor array */
#define KIP_OFF_UTCB_INFO       0x150
#define KIP_OFF_KIP_AREA_INFO   0x158
#define KIP_OFF_BOOT_INFO       0x170
#define KIP_OFF_PROC_DESC_PTR   0x178
#define KIP_OFF_CLOCK_INFO      0x180
#define KIP_OFF_THREAD_INFO     0x188
#define KIP_OFF_PAGE_INFO       0x190
#define KIP_OFF_PROCESSOR_INFO  0x198
#define KIP_OFF_SPACE_CONTROL   0x1A0   /* system-call links: offsets of stubs from the KIP base */
#define KIP_OFF_THREAD_CONTROL  0x1A8
#define KIP_OFF_PROCESSOR_CONTROL 0x1B0
#define KIP_OFF_MEMORY_CONTROL  0x1B8
#define KIP_OFF_IPC             0x1C0
#define KIP_OFF_LIPC            0x1C8
#define KIP_OFF_UNMAP           0x1D0
#define KIP_OFF_EXCHANGE_REGISTERS 0x1D8
#define KIP_OFF_SYSTEM_CLOCK    0x1E0
#define KIP_OFF_THREAD_SWITCH   0x1E8
#define KIP_OFF_SCHEDULE        0x1F0
#define KIP_OFF_NUMA_INFO       0x1F8   /* sigma4 extension (reserved in X.2): see below */
#define KIP_OFF_ARCH_SYSCALL0   0x220
#define KIP_OFF_END             0x240   /* first byte after the fixed part */

/* ApiVersion / ApiFlags */
#define KIP_API_VERSION_X2      0x84
#define KIP_API_SUBVERSION      0x07    /* sigma4: X.2 revision 7 */
#define KIP_API_VERSION_WORD    (((unsigned long long)KIP_API_VERSION_X2 << 24) | ((unsigned long long)KIP_API_SUBVERSION << 16))
#define KIP_API_FLAGS_WORD      0x4ULL  /* little endian, 64-bit */

/* Kernel descriptor: KernelId, generation date, version, supplier, then strings. */
#define KDESC_OFF_KERNEL_ID     0x00
#define KDESC_OFF_GEN_DATE      0x08
#define KDESC_OFF_VERSION       0x10
#define KDESC_OFF_SUPPLIER      0x18
#define KDESC_OFF_STRINGS       0x20    /* version string, feature strings, empty string */
#define KDESC_KERNEL_ID_SIGMA4  ((0x04ULL << 24) | (0x80ULL << 16)) /* id 4 (L4Ka family), subid 0x80 = sigma4 */
#define KDESC_GEN_DATE(y, m, d) ((((y) - 2000ULL) << 9) | ((m) << 5) | (d))

/* Memory descriptors: 2 words each. */
#define MDESC_TYPE_SHIFT        0
#define MDESC_TYPE_MASK         0xFULL
#define MDESC_SUBTYPE_SHIFT     4
#define MDESC_SUBTYPE_MASK      0xFULL
#define MDESC_VIRTUAL           (1ULL << 9)
#define MDESC_ADDR_MASK         (~0x3FFULL)
#define MDESC_UNDEFINED         0x0
#define MDESC_CONVENTIONAL      0x1
#define MDESC_RESERVED          0x2
#define MDESC_DEDICATED         0x3
#define MDESC_SHARED            0x4
#define MDESC_BOOTLOADER        0xE
#define MDESC_ARCH              0xF
/* Subtypes of MDESC_BOOTLOADER used by sigma4. */
#define MDESC_BOOT_MODULE       0x3     /* a boot module's pages (sigma0: the root task's) */
#define MDESC_BOOT_INFO         0x4     /* the boot-info page (sigma4/bootinfo.h; the root's) */
/* Subtypes of MDESC_RESERVED used by sigma4 (informational). */
#define MDESC_RES_KERNEL        0x1     /* kernel image */
#define MDESC_RES_KPOOL         0x2     /* kernel object pool */

/* UtcbAreaInfo: bits 9-0 m, 15-10 a (log2 alignment), 21-16 s (log2 min area size). */
#define KIP_UTCB_INFO(s, a, m)  (((unsigned long long)(s) << 16) | ((a) << 10) | (m))

/* ThreadInfo: bits 7-0 t, 19-8 SystemBase, 31-20 UserBase. */
#define KIP_THREAD_INFO(t, sb, ub) (((unsigned long long)(ub) << 20) | ((sb) << 8) | (t))

/* ProcessorInfo: bits 15-0 CPUs-1, 63-60 log2 descriptor size. */
#define KIP_PROCESSOR_INFO(n)   ((5ULL << 60) | ((n) - 1))
#define KIP_PROC_DESC_SIZE      32      /* ExternalFreq, InternalFreq, freq-change word, arch word */
/* sigma4 NUMA extension, part 1: the processor descriptor's architecture-specific word
 * (offset 0x18) holds the CPU's NUMA node in bits 15-0 (dense numbers 0..nodes-1; 0 without
 * an SRAT); bits 63-16 are 0. */
#define KIP_PDESC_OFF_ARCH      0x18
#define KIP_PDESC_NODE_MASK     0xFFFFULL

/* sigma4 NUMA extension, part 2 (docs/abi/kernel_interface.md, "NUMA"): the word at
 * KIP_OFF_NUMA_INFO holds the number of memory affinity entries in bits 31-0 and their
 * offset from the KIP base in bits 63-32 (0 without an SRAT: every CPU and all memory are on
 * node 0).  Each entry is two words: w0 = base | node (base 4 KiB aligned, node in bits
 * 11-0), w1 = end (exclusive, 4 KiB aligned).  Entries are sorted by base and disjoint. */
#define KIP_NUMA_INFO(off, n)   (((unsigned long long)(off) << 32) | (n))
#define KIP_NUMA_COUNT_MASK     0xFFFFFFFFULL
#define KIP_NUMA_OFF_SHIFT      32
#define KIP_NUMA_ENTRY_SIZE     16
#define KIP_NUMA_NODE_MASK      0xFFFULL
#define KIP_NUMA_ADDR_MASK      (~0xFFFULL)

/* PageInfo: bits 2-0 rwx, bits 63-10 page-size mask / 1024. */
#define KIP_PAGE_INFO           (((1ULL << 12) | (1ULL << 21)) | 0x7)

/* Offsets of the system-call stubs the kernel places in the page, by system-call number
 * (SYS_*); the KIP's link words hold the same offsets.  Each stub is
 *     mov $SYS_x, %eax ; syscall ; ret
 * so X.2 programs that call through the KIP links reach the kernel's convention. */
#define KIP_STUB_AREA   0xF00           /* stubs live in [0xF00, 0x1000) */
#define KIP_STUB_SIZE   16
