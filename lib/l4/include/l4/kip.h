/* l4/kip.h — the kernel interface page: finding it (KernelInterface) and reading its fields.
 *
 * KernelInterface is not a system call but the trapping instruction `lock; nop` (F0 90): the
 * kernel returns RAX = the KIP's address in the caller's space, RCX = ApiVersion, RDX =
 * ApiFlags, RSI = KernelId, and resumes after the two bytes.  Every field is read through the
 * byte offsets of abi/include/sigma4/kip.h and decoded with shifts and masks (fact sheet §5);
 * the named words of L4_KernelInterfacePage_t are pinned to the same offsets.
 */
#pragma once
#include <l4/types.h>
#include <sigma4/kip.h>

#ifdef __cplusplus
extern "C" {
#endif

#define L4_MAGIC                0x4BE6344CUL    /* 'L','4',0xE6,'K' */
#define L4_APIVERSION_X2        0x84
#define L4_APISUBVERSION_X2     KIP_API_SUBVERSION
#define L4_APIFLAG_LE           0x0             /* ApiFlags bits 1-0 */
#define L4_APIFLAG_BE           0x1
#define L4_APIFLAG_32BIT        0x0             /* ApiFlags bits 3-2 */
#define L4_APIFLAG_64BIT        0x1
/* ApiVersion versions and subversions (bits 31-24 and 23-16 of the ApiVersion word). */
#define L4_APIVERSION_2         0x02
#define L4_APIVERSION_4         0x04
#define L4_APIVERSION_X0        0x83
#define L4_APIVERSION_X1        0x83
#define L4_APISUBVERSION_X0     0x80
#define L4_APISUBVERSION_X1     0x81
/* Kernel ids as (id << 8) + subid, the id and subid fields of the KernelId word. */
#define L4_KID_L4_486           ((0 << 8) + 1)
#define L4_KID_L4_PENTIUM       ((0 << 8) + 2)
#define L4_KID_L4_X86           ((0 << 8) + 3)
#define L4_KID_L4_MIPS          ((1 << 8) + 1)
#define L4_KID_L4_ALPHA         ((2 << 8) + 1)
#define L4_KID_FIASCO           ((3 << 8) + 1)
#define L4_KID_L4KA_HAZELNUT    ((4 << 8) + 1)
#define L4_KID_L4KA_PISTACHIO   ((4 << 8) + 2)
#define L4_KID_L4KA_STRAWBERRY  ((4 << 8) + 3)
#define L4_KID_SIGMA4           ((4 << 8) + 0x80)   /* (KDESC_KERNEL_ID_SIGMA4 >> 16) */
/* Suppliers: the 4 characters of the kernel descriptor's Supplier word (little endian). */
#define __L4_SUPL(a, b, c, d)   (((L4_Word_t)(d) << 24) | ((c) << 16) | ((b) << 8) | (a))
#define L4_SUPL_GMD             __L4_SUPL('G', 'M', 'D', ' ')
#define L4_SUPL_IBM             __L4_SUPL('I', 'B', 'M', ' ')
#define L4_SUPL_UNSW            __L4_SUPL('U', 'N', 'S', 'W')
#define L4_SUPL_UKA             __L4_SUPL('U', 'K', 'a', ' ')

/* ---- the X.2 structure view -----------------------------------------------------------------
 * X.2 programs read the KIP as a structure: kip->ThreadInfo.X.UserBase, kip->KipAreaInfo.X.s,
 * kip->KernelVerPtr, kip->MemoryInfo.n.  The bit-field views (.X, and .x where X.2 programs
 * spell it so) are little-endian x86-64 layouts for those programs; libl4 itself reads every
 * field through the offsets of sigma4/kip.h with shifts and masks (the accessors below), and
 * the _Static_asserts pin each named field to the offset the kernel writes. */

typedef union {
    L4_Word_t raw;
    struct { L4_Word_t __pad : 16; L4_Word_t subversion : 8; L4_Word_t version : 8; L4_Word_t : 32; } X;
    struct { L4_Word_t __pad : 16; L4_Word_t subversion : 8; L4_Word_t version : 8; L4_Word_t : 32; } x;
} L4_ApiVersion_t;

typedef union {
    L4_Word_t raw;
    struct { L4_Word_t ee : 2; L4_Word_t ww : 2; L4_Word_t : 60; } X;
    struct { L4_Word_t ee : 2; L4_Word_t ww : 2; L4_Word_t : 60; } x;
} L4_ApiFlags_t;

typedef union {
    L4_Word_t raw;
    struct { L4_Word_t __pad : 16; L4_Word_t subid : 8; L4_Word_t id : 8; L4_Word_t : 32; } X;
    struct { L4_Word_t __pad : 16; L4_Word_t subid : 8; L4_Word_t id : 8; L4_Word_t : 32; } x;
} L4_KernelId_t;

/* MemoryInfo: n descriptors at byte offset MemDescPtr from the KIP base. */
typedef union {
    L4_Word_t raw;
    struct { L4_Word_t n : 32; L4_Word_t MemDescPtr : 32; };
    struct { L4_Word_t n : 32; L4_Word_t MemDescPtr : 32; } X;
} L4_MemoryInfo_t;

/* A low/high pair of the legacy memory fields (MainMem, ReservedMem, DedicatedMem). */
typedef struct {
    L4_Word_t low, high;
} L4_KipMemRange_t;

/* The fixed part of the KIP (offsets checked below against sigma4/kip.h). */
typedef struct {
    L4_Word_t magic;
    L4_ApiVersion_t ApiVersion;
    L4_ApiFlags_t ApiFlags;
    union {
        L4_Word_t KernelVerPtr;                 /* X.2 name: offset of the kernel descriptor */
        L4_Word_t KernelDescPtr;                /* sigma4 name of the same word */
    };
    struct { L4_Word_t init, entry, low, high; } Kdebug;
    struct { L4_Word_t sp, ip, low, high; } sigma0, sigma1, RootServer;
    L4_Word_t __reserved0;
    L4_MemoryInfo_t MemoryInfo;
    L4_Word_t KdebugConfig[2];
    L4_KipMemRange_t MainMem, ReservedMem[2], DedicatedMem[5];
    L4_Word_t __reserved1[2];
    union {
        L4_Word_t raw;
        struct { L4_Word_t m : 10; L4_Word_t a : 6; L4_Word_t s : 6; L4_Word_t : 42; } X;
    } UtcbAreaInfo;
    union {
        L4_Word_t raw;
        struct { L4_Word_t s : 6; L4_Word_t : 58; } X;
    } KipAreaInfo;
    L4_Word_t __reserved2[2];
    L4_Word_t BootInfo;
    L4_Word_t ProcDescPtr;
    union {
        L4_Word_t raw;
        struct { L4_Word_t ReadPrecision : 16; L4_Word_t SchedulePrecision : 16; L4_Word_t : 32; } X;
    } ClockInfo;
    union {
        L4_Word_t raw;
        struct { L4_Word_t t : 8; L4_Word_t SystemBase : 12; L4_Word_t UserBase : 12; L4_Word_t : 32; } X;
    } ThreadInfo;
    union {
        L4_Word_t raw;
        struct { L4_Word_t rwx : 3; L4_Word_t : 7; L4_Word_t page_size_mask : 54; } X;
    } PageInfo;
    union {
        L4_Word_t raw;
        struct { L4_Word_t processors : 16; L4_Word_t : 44; L4_Word_t s : 4; } X;
    } ProcessorInfo;
    L4_Word_t SpaceControl, ThreadControl, ProcessorControl, MemoryControl;
    L4_Word_t Ipc, Lipc, Unmap, ExchangeRegisters, SystemClock, ThreadSwitch, Schedule;
    L4_Word_t NumaInfo;                 /* sigma4 extension (0x1F8) */
    L4_Word_t __reserved3[4];
    L4_Word_t ArchSyscall0, ArchSyscall1, ArchSyscall2, ArchSyscall3;
} L4_KernelInterfacePage_t;

#define __L4_KIP_PINNED(field, off) \
    L4_STATIC_ASSERT(__builtin_offsetof(L4_KernelInterfacePage_t, field) == (off), #field " offset")
__L4_KIP_PINNED(magic, KIP_OFF_MAGIC);
__L4_KIP_PINNED(ApiVersion, KIP_OFF_API_VERSION);
__L4_KIP_PINNED(ApiFlags, KIP_OFF_API_FLAGS);
__L4_KIP_PINNED(KernelVerPtr, KIP_OFF_KERNEL_DESC);
__L4_KIP_PINNED(KernelDescPtr, KIP_OFF_KERNEL_DESC);
__L4_KIP_PINNED(Kdebug.init, KIP_OFF_KDEBUG_INIT);
__L4_KIP_PINNED(Kdebug.entry, KIP_OFF_KDEBUG_ENTRY);
__L4_KIP_PINNED(Kdebug.low, KIP_OFF_KDEBUG_LOW);
__L4_KIP_PINNED(Kdebug.high, KIP_OFF_KDEBUG_HIGH);
__L4_KIP_PINNED(sigma0, KIP_OFF_SIGMA0);
__L4_KIP_PINNED(sigma1, KIP_OFF_SIGMA1);
__L4_KIP_PINNED(RootServer, KIP_OFF_ROOT_SERVER);
__L4_KIP_PINNED(MemoryInfo, KIP_OFF_MEMORY_INFO);
__L4_KIP_PINNED(UtcbAreaInfo, KIP_OFF_UTCB_INFO);
__L4_KIP_PINNED(KipAreaInfo, KIP_OFF_KIP_AREA_INFO);
__L4_KIP_PINNED(BootInfo, KIP_OFF_BOOT_INFO);
__L4_KIP_PINNED(ProcDescPtr, KIP_OFF_PROC_DESC_PTR);
__L4_KIP_PINNED(ClockInfo, KIP_OFF_CLOCK_INFO);
__L4_KIP_PINNED(ThreadInfo, KIP_OFF_THREAD_INFO);
__L4_KIP_PINNED(PageInfo, KIP_OFF_PAGE_INFO);
__L4_KIP_PINNED(ProcessorInfo, KIP_OFF_PROCESSOR_INFO);
__L4_KIP_PINNED(SpaceControl, KIP_OFF_SPACE_CONTROL);
__L4_KIP_PINNED(ThreadControl, KIP_OFF_THREAD_CONTROL);
__L4_KIP_PINNED(ProcessorControl, KIP_OFF_PROCESSOR_CONTROL);
__L4_KIP_PINNED(MemoryControl, KIP_OFF_MEMORY_CONTROL);
__L4_KIP_PINNED(Ipc, KIP_OFF_IPC);
__L4_KIP_PINNED(Lipc, KIP_OFF_LIPC);
__L4_KIP_PINNED(Unmap, KIP_OFF_UNMAP);
__L4_KIP_PINNED(ExchangeRegisters, KIP_OFF_EXCHANGE_REGISTERS);
__L4_KIP_PINNED(SystemClock, KIP_OFF_SYSTEM_CLOCK);
__L4_KIP_PINNED(ThreadSwitch, KIP_OFF_THREAD_SWITCH);
__L4_KIP_PINNED(Schedule, KIP_OFF_SCHEDULE);
__L4_KIP_PINNED(NumaInfo, KIP_OFF_NUMA_INFO);
__L4_KIP_PINNED(ArchSyscall0, KIP_OFF_ARCH_SYSCALL0);
L4_STATIC_ASSERT(sizeof(L4_KernelInterfacePage_t) == KIP_OFF_END, "KIP fixed part size");

/* Processor descriptor (KIP_PROC_DESC_SIZE bytes each): frequencies in kHz. */
typedef union {
    L4_Word_t raw[4];
    struct { L4_Word_t ExternalFreq, InternalFreq, FreqChange, Arch; } X;
} L4_ProcDesc_t;
L4_STATIC_ASSERT(sizeof(L4_ProcDesc_t) == KIP_PROC_DESC_SIZE, "processor descriptor size");

/* Memory descriptor: w0 = type (3-0), subtype t (7-4), virtual v (9), low/1024 (63-10);
 * w1 = high/1024 (63-10), high inclusive. */
typedef union {
    L4_Word_t raw[2];
    struct { L4_Word_t type : 4; L4_Word_t t : 4; L4_Word_t : 1; L4_Word_t v : 1; L4_Word_t low : 54;
             L4_Word_t : 10; L4_Word_t high : 54; } x;
    struct { L4_Word_t type : 4; L4_Word_t t : 4; L4_Word_t : 1; L4_Word_t v : 1; L4_Word_t low : 54;
             L4_Word_t : 10; L4_Word_t high : 54; } X;
} L4_MemoryDesc_t;
L4_STATIC_ASSERT(sizeof(L4_MemoryDesc_t) == 16, "memory descriptor is two words");

#define L4_UndefinedMemoryType              MDESC_UNDEFINED
#define L4_ConventionalMemoryType           MDESC_CONVENTIONAL
#define L4_ReservedMemoryType               MDESC_RESERVED
#define L4_DedicatedMemoryType              MDESC_DEDICATED
#define L4_SharedMemoryType                 MDESC_SHARED
#define L4_BootLoaderSpecificMemoryType     MDESC_BOOTLOADER
#define L4_ArchitectureSpecificMemoryType   MDESC_ARCH

/* Kernel descriptor: KernelId, generation date, version, supplier, then the version string
 * and the feature strings. */
typedef struct {
    L4_KernelId_t KernelId;
    union {
        L4_Word_t raw;
        struct { L4_Word_t day : 5; L4_Word_t month : 4; L4_Word_t year : 7; L4_Word_t : 48; } X;
    } KernelGenDate;
    union {
        L4_Word_t raw;
        struct { L4_Word_t subsubver : 16; L4_Word_t subver : 8; L4_Word_t ver : 8; L4_Word_t : 32; } X;
    } KernelVer;
    L4_Word_t Supplier;         /* 4 characters in the low bytes */
    char VersionString[];
} L4_KernelDesc_t;
#define __L4_KDESC_PINNED(field, off) \
    L4_STATIC_ASSERT(__builtin_offsetof(L4_KernelDesc_t, field) == (off), #field " offset")
__L4_KDESC_PINNED(KernelId, KDESC_OFF_KERNEL_ID);
__L4_KDESC_PINNED(KernelGenDate, KDESC_OFF_GEN_DATE);
__L4_KDESC_PINNED(KernelVer, KDESC_OFF_VERSION);
__L4_KDESC_PINNED(Supplier, KDESC_OFF_SUPPLIER);
__L4_KDESC_PINNED(VersionString, KDESC_OFF_STRINGS);

/* ---- KernelInterface --------------------------------------------------------------------- */

/* Trap `lock; nop`: the KIP's address; the three words are stored where the pointers point
 * (each may be NULL). */
L4_INLINE void *L4_KernelInterface(L4_Word_t *ApiVersion, L4_Word_t *ApiFlags, L4_Word_t *KernelId)
{
    void *kip;
    L4_Word_t ver, flags, id;
    __asm__ __volatile__(".byte 0xF0, 0x90      /* lock; nop = KernelInterface */"
                         : "=a"(kip), "=c"(ver), "=d"(flags), "=S"(id)
                         :
                         : "r11", "cc", "memory");
    if (ApiVersion)
        *ApiVersion = ver;
    if (ApiFlags)
        *ApiFlags = flags;
    if (KernelId)
        *KernelId = id;
    return kip;
}

/* The KIP's address in the caller's space. */
L4_INLINE void *L4_GetKernelInterface(void)
{
    return L4_KernelInterface((L4_Word_t *)0, (L4_Word_t *)0, (L4_Word_t *)0);
}

/* The ApiVersion word (version in bits 31-24, subversion in 23-16). */
L4_INLINE L4_Word_t L4_ApiVersion(void)
{
    L4_Word_t v;
    L4_KernelInterface(&v, (L4_Word_t *)0, (L4_Word_t *)0);
    return v;
}

/* The ApiFlags word (endianness bits 1-0, word width bits 3-2). */
L4_INLINE L4_Word_t L4_ApiFlags(void)
{
    L4_Word_t f;
    L4_KernelInterface((L4_Word_t *)0, &f, (L4_Word_t *)0);
    return f;
}

/* The KernelId word (id in bits 31-24, subid in 23-16). */
L4_INLINE L4_Word_t L4_KernelId(void)
{
    L4_Word_t id;
    L4_KernelInterface((L4_Word_t *)0, (L4_Word_t *)0, &id);
    return id;
}

/* ---- field access ------------------------------------------------------------------------ */

/* The word at byte offset `off` of the KIP. */
L4_INLINE L4_Word_t __L4_KipWord(const void *kip, L4_Word_t off)
{
    return *(const volatile L4_Word_t *)((const char *)kip + off);
}

/* Does kip start with the KIP magic? */
L4_INLINE L4_Bool_t L4_KipIsValid(const void *kip)
{
    return (__L4_KipWord(kip, KIP_OFF_MAGIC) & 0xFFFFFFFFUL) == L4_MAGIC;
}

/* The number of processors. */
L4_INLINE L4_Word_t L4_NumProcessors(const void *kip)
{
    return (__L4_KipWord(kip, KIP_OFF_PROCESSOR_INFO) & 0xFFFF) + 1;
}

/* Descriptor of processor `cpu` (< L4_NumProcessors), or NULL. */
L4_INLINE L4_ProcDesc_t *L4_ProcDesc(const void *kip, L4_Word_t cpu)
{
    L4_Word_t info = __L4_KipWord(kip, KIP_OFF_PROCESSOR_INFO);
    if (cpu > (info & 0xFFFF))
        return (L4_ProcDesc_t *)0;
    return (L4_ProcDesc_t *)((const char *)kip + __L4_KipWord(kip, KIP_OFF_PROC_DESC_PTR) +
                             (cpu << (info >> 60)));
}

/* External (bus) frequency of a processor, kHz. */
L4_INLINE L4_Word_t L4_ProcDescExternalFreq(const L4_ProcDesc_t *pd) { return pd->raw[0]; }
/* Internal (core) frequency of a processor, kHz. */
L4_INLINE L4_Word_t L4_ProcDescInternalFreq(const L4_ProcDesc_t *pd) { return pd->raw[1]; }

/* sigma4 NUMA extension (docs/abi/kip.md): the NUMA node of a processor (0 without an SRAT). */
L4_INLINE L4_Word_t L4_ProcDescNode(const L4_ProcDesc_t *pd) { return pd->raw[3] & KIP_PDESC_NODE_MASK; }

/* sigma4 NUMA extension: one memory affinity range, [base, end) on a node. */
typedef union {
    L4_Word_t raw[2];
} L4_NumaRange_t;
L4_STATIC_ASSERT(sizeof(L4_NumaRange_t) == KIP_NUMA_ENTRY_SIZE, "NUMA range size");

/* The NumaInfo word (0 without an SRAT). */
L4_INLINE L4_Word_t L4_NumaInfo(const void *kip) { return __L4_KipWord(kip, KIP_OFF_NUMA_INFO); }
/* The number of memory affinity ranges (0 without an SRAT: all memory on node 0). */
L4_INLINE L4_Word_t L4_NumNumaRanges(const void *kip) { return L4_NumaInfo(kip) & KIP_NUMA_COUNT_MASK; }
/* Memory affinity range `i` (< L4_NumNumaRanges; sorted by base, disjoint), or NULL. */
L4_INLINE L4_NumaRange_t *L4_NumaRange(const void *kip, L4_Word_t i)
{
    L4_Word_t info = L4_NumaInfo(kip);
    if (i >= (info & KIP_NUMA_COUNT_MASK))
        return (L4_NumaRange_t *)0;
    return (L4_NumaRange_t *)((const char *)kip + (info >> KIP_NUMA_OFF_SHIFT) +
                              i * KIP_NUMA_ENTRY_SIZE);
}
/* First byte of a memory affinity range. */
L4_INLINE L4_Word_t L4_NumaRangeBase(const L4_NumaRange_t *r) { return r->raw[0] & KIP_NUMA_ADDR_MASK; }
/* First byte after a memory affinity range. */
L4_INLINE L4_Word_t L4_NumaRangeEnd(const L4_NumaRange_t *r)  { return r->raw[1]; }
/* Node of a memory affinity range. */
L4_INLINE L4_Word_t L4_NumaRangeNode(const L4_NumaRange_t *r) { return r->raw[0] & KIP_NUMA_NODE_MASK; }
/* The node of physical address `pa`: the range holding it, 0 if none does. */
L4_INLINE L4_Word_t L4_NumaNodeOf(const void *kip, L4_Word_t pa)
{
    for (L4_Word_t i = 0; i < L4_NumNumaRanges(kip); i++) {
        const L4_NumaRange_t *r = L4_NumaRange(kip, i);
        if (pa >= L4_NumaRangeBase(r) && pa < L4_NumaRangeEnd(r))
            return L4_NumaRangeNode(r);
    }
    return 0;
}

/* The number of memory descriptors. */
L4_INLINE L4_Word_t L4_NumMemoryDescriptors(const void *kip)
{
    return __L4_KipWord(kip, KIP_OFF_MEMORY_INFO) & 0xFFFFFFFFUL;
}

/* Memory descriptor `i` (< L4_NumMemoryDescriptors), or NULL. */
L4_INLINE L4_MemoryDesc_t *L4_MemoryDesc(const void *kip, L4_Word_t i)
{
    L4_Word_t info = __L4_KipWord(kip, KIP_OFF_MEMORY_INFO);
    if (i >= (info & 0xFFFFFFFFUL))
        return (L4_MemoryDesc_t *)0;
    return (L4_MemoryDesc_t *)((const char *)kip + (info >> 32) + i * sizeof(L4_MemoryDesc_t));
}

/* First byte of a memory region. */
L4_INLINE L4_Word_t L4_MemoryDescLow(const L4_MemoryDesc_t *m)  { return m->raw[0] & MDESC_ADDR_MASK; }
/* Last byte of a memory region (inclusive). */
L4_INLINE L4_Word_t L4_MemoryDescHigh(const L4_MemoryDesc_t *m) { return m->raw[1] | 0x3FF; }
/* Does the descriptor describe virtual (not physical) memory? */
L4_INLINE L4_Bool_t L4_IsMemoryDescVirtual(const L4_MemoryDesc_t *m) { return (m->raw[0] & MDESC_VIRTUAL) != 0; }
/* Alias of L4_IsMemoryDescVirtual. */
L4_INLINE L4_Bool_t L4_MemoryDescVirtual(const L4_MemoryDesc_t *m)   { return L4_IsMemoryDescVirtual(m); }
/* Type in bits 3-0; for the boot-loader and architecture types (0xE, 0xF) the subtype is
 * included in bits 7-4. */
L4_INLINE L4_Word_t L4_MemoryDescType(const L4_MemoryDesc_t *m)
{
    L4_Word_t t = m->raw[0] & MDESC_TYPE_MASK;
    return t >= MDESC_BOOTLOADER ? (m->raw[0] & 0xFF) : t;
}

/* Valid bits of a global thread number. */
L4_INLINE L4_Word_t L4_ThreadIdBits(const void *kip)
{
    return __L4_KipWord(kip, KIP_OFF_THREAD_INFO) & 0xFF;
}
/* First thread number above the interrupt threads. */
L4_INLINE L4_Word_t L4_ThreadIdSystemBase(const void *kip)
{
    return (__L4_KipWord(kip, KIP_OFF_THREAD_INFO) >> 8) & 0xFFF;
}
/* First thread number of user threads (below: kernel threads). */
L4_INLINE L4_Word_t L4_ThreadIdUserBase(const void *kip)
{
    return (__L4_KipWord(kip, KIP_OFF_THREAD_INFO) >> 20) & 0xFFF;
}

/* log2 of the smallest UTCB area. */
L4_INLINE L4_Word_t L4_UtcbAreaSizeLog2(const void *kip)
{
    return (__L4_KipWord(kip, KIP_OFF_UTCB_INFO) >> 16) & 0x3F;
}
/* Bytes of the smallest UTCB area. */
L4_INLINE L4_Word_t L4_UtcbAreaSize(const void *kip)   { return 1UL << L4_UtcbAreaSizeLog2(kip); }
/* log2 of the UTCB alignment. */
L4_INLINE L4_Word_t L4_UtcbAlignmentLog2(const void *kip)
{
    return (__L4_KipWord(kip, KIP_OFF_UTCB_INFO) >> 10) & 0x3F;
}
/* Bytes per UTCB: 2^a · m. */
L4_INLINE L4_Word_t L4_UtcbSize(const void *kip)
{
    L4_Word_t info = __L4_KipWord(kip, KIP_OFF_UTCB_INFO);
    return (1UL << ((info >> 10) & 0x3F)) * (info & 0x3FF);
}
/* log2 of the KIP area size. */
L4_INLINE L4_Word_t L4_KipAreaSizeLog2(const void *kip)
{
    return __L4_KipWord(kip, KIP_OFF_KIP_AREA_INFO) & 0x3F;
}

/* Bytes of the KIP area. */
L4_INLINE L4_Word_t L4_KipAreaSize(const void *kip)     { return 1UL << L4_KipAreaSizeLog2(kip); }

/* Supported page sizes: bit n set = 2^n-byte pages. */
L4_INLINE L4_Word_t L4_PageSizeMask(const void *kip)
{
    return __L4_KipWord(kip, KIP_OFF_PAGE_INFO) & ~0x3FFUL;
}
/* Supported access rights (rwx = 4/2/1). */
L4_INLINE L4_Word_t L4_PageRights(const void *kip)
{
    return __L4_KipWord(kip, KIP_OFF_PAGE_INFO) & 0x7;
}

/* Precision of SystemClock reads, µs (0: unknown). */
L4_INLINE L4_Word_t L4_ReadPrecision(const void *kip)
{
    return __L4_KipWord(kip, KIP_OFF_CLOCK_INFO) & 0xFFFF;
}
/* Precision of timeouts and scheduling, µs (0: unknown). */
L4_INLINE L4_Word_t L4_SchedulePrecision(const void *kip)
{
    return (__L4_KipWord(kip, KIP_OFF_CLOCK_INFO) >> 16) & 0xFFFF;
}

/* The BootInfo word: on sigma4 the physical address of the boot-info page (sigma4/bootinfo.h). */
L4_INLINE L4_Word_t L4_BootInfo(const void *kip) { return __L4_KipWord(kip, KIP_OFF_BOOT_INFO); }

/* ---- kernel descriptor ------------------------------------------------------------------- */

/* The kernel descriptor. */
L4_INLINE L4_KernelDesc_t *L4_KernelDesc(const void *kip)
{
    return (L4_KernelDesc_t *)((const char *)kip + __L4_KipWord(kip, KIP_OFF_KERNEL_DESC));
}

/* The generation date (year e.g. 2025, month 1-12, day 1-31). */
L4_INLINE void L4_KernelGenDate(const void *kip, L4_Word_t *year, L4_Word_t *month, L4_Word_t *day)
{
    L4_Word_t d = L4_KernelDesc(kip)->KernelGenDate.raw;
    *year = ((d >> 9) & 0x7F) + 2000;
    *month = (d >> 5) & 0xF;
    *day = d & 0x1F;
}

/* Kernel version: ver (31-24), subver (23-16), subsubver (15-0). */
L4_INLINE void L4_KernelVersion(const void *kip, L4_Word_t *ver, L4_Word_t *subver, L4_Word_t *subsubver)
{
    L4_Word_t v = L4_KernelDesc(kip)->KernelVer.raw;
    *ver = (v >> 24) & 0xFF;
    *subver = (v >> 16) & 0xFF;
    *subsubver = v & 0xFFFF;
}

/* The supplier: 4 characters in the low bytes. */
L4_INLINE L4_Word_t L4_KernelSupplier(const void *kip) { return L4_KernelDesc(kip)->Supplier; }

/* The NUL-terminated kernel version string. */
L4_INLINE char *L4_KernelVersionString(const void *kip)
{
    return (char *)L4_KernelDesc(kip) + KDESC_OFF_STRINGS;
}

/* Feature string `n` (0-based), or NULL past the last one. */
L4_INLINE char *L4_Feature(const void *kip, L4_Word_t n)
{
    char *s = L4_KernelVersionString(kip);
    const char *end = (const char *)kip + KIP_SIZE;
    while (s < end && *s)               /* skip the version string */
        s++;
    s++;
    for (;;) {
        if (s >= end || *s == 0)
            return (char *)0;
        if (n-- == 0)
            return s;
        while (s < end && *s)
            s++;
        s++;
    }
}

/* Does the kernel list the feature `name`? */
L4_INLINE L4_Bool_t L4_HasFeature(const char *name)
{
    const void *kip = L4_GetKernelInterface();
    char *f;
    for (L4_Word_t i = 0; (f = L4_Feature(kip, i)) != (char *)0; i++) {
        const char *a = f, *b = name;
        while (*a && *a == *b)
            a++, b++;
        if (*a == 0 && *b == 0)
            return 1;
    }
    return 0;
}

#ifdef __cplusplus
}

/* C++: KernelInterface() = GetKernelInterface(). */
inline void *L4_KernelInterface() { return L4_GetKernelInterface(); }
/* C++ short names of the descriptor accessors. */
inline L4_Bool_t L4_IsVirtual(const L4_MemoryDesc_t *m)       { return L4_IsMemoryDescVirtual(m); }
inline L4_Word_t L4_Type(const L4_MemoryDesc_t *m)            { return L4_MemoryDescType(m); }
inline L4_Word_t L4_Low(const L4_MemoryDesc_t *m)             { return L4_MemoryDescLow(m); }
inline L4_Word_t L4_High(const L4_MemoryDesc_t *m)            { return L4_MemoryDescHigh(m); }
inline L4_Word_t L4_ExternalFreq(const L4_ProcDesc_t *p)      { return L4_ProcDescExternalFreq(p); }
inline L4_Word_t L4_InternalFreq(const L4_ProcDesc_t *p)      { return L4_ProcDescInternalFreq(p); }
#endif
