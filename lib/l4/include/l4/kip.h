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
#define L4_KID_SIGMA4           KDESC_KERNEL_ID_SIGMA4

typedef union {
    L4_Word_t raw;
    struct { L4_Word_t __pad : 16; L4_Word_t subversion : 8; L4_Word_t version : 8; L4_Word_t : 32; } X;
} L4_ApiVersion_t;

typedef union {
    L4_Word_t raw;
    struct { L4_Word_t ee : 2; L4_Word_t ww : 2; L4_Word_t : 60; } X;
} L4_ApiFlags_t;

typedef union {
    L4_Word_t raw;
    struct { L4_Word_t __pad : 16; L4_Word_t subid : 8; L4_Word_t id : 8; L4_Word_t : 32; } X;
} L4_KernelId_t;

/* The fixed part of the KIP as named words (offsets checked below against sigma4/kip.h). */
typedef struct {
    L4_Word_t magic;
    L4_Word_t ApiVersion;
    L4_Word_t ApiFlags;
    L4_Word_t KernelDescPtr;
    L4_Word_t KdebugInit, KdebugEntry, KdebugLow, KdebugHigh;
    struct { L4_Word_t sp, ip, low, high; } sigma0, sigma1, root_server;
    L4_Word_t __reserved0;
    L4_Word_t MemoryInfo;
    L4_Word_t KdebugConfig[2];
    L4_Word_t MainMem[2], ReservedMem[2][2], DedicatedMem[5][2];
    L4_Word_t __reserved1[2];
    L4_Word_t UtcbAreaInfo;
    L4_Word_t KipAreaInfo;
    L4_Word_t __reserved2[2];
    L4_Word_t BootInfo;
    L4_Word_t ProcDescPtr;
    L4_Word_t ClockInfo;
    L4_Word_t ThreadInfo;
    L4_Word_t PageInfo;
    L4_Word_t ProcessorInfo;
    L4_Word_t SpaceControl, ThreadControl, ProcessorControl, MemoryControl;
    L4_Word_t Ipc, Lipc, Unmap, ExchangeRegisters, SystemClock, ThreadSwitch, Schedule;
    L4_Word_t __reserved3[5];
    L4_Word_t ArchSyscall[4];
} L4_KernelInterfacePage_t;

#define __L4_KIP_PINNED(field, off) \
    L4_STATIC_ASSERT(__builtin_offsetof(L4_KernelInterfacePage_t, field) == (off), #field " offset")
__L4_KIP_PINNED(ApiVersion, KIP_OFF_API_VERSION);
__L4_KIP_PINNED(KernelDescPtr, KIP_OFF_KERNEL_DESC);
__L4_KIP_PINNED(sigma0, KIP_OFF_SIGMA0);
__L4_KIP_PINNED(root_server, KIP_OFF_ROOT_SERVER);
__L4_KIP_PINNED(MemoryInfo, KIP_OFF_MEMORY_INFO);
__L4_KIP_PINNED(UtcbAreaInfo, KIP_OFF_UTCB_INFO);
__L4_KIP_PINNED(KipAreaInfo, KIP_OFF_KIP_AREA_INFO);
__L4_KIP_PINNED(BootInfo, KIP_OFF_BOOT_INFO);
__L4_KIP_PINNED(ProcDescPtr, KIP_OFF_PROC_DESC_PTR);
__L4_KIP_PINNED(ThreadInfo, KIP_OFF_THREAD_INFO);
__L4_KIP_PINNED(ProcessorInfo, KIP_OFF_PROCESSOR_INFO);
__L4_KIP_PINNED(SpaceControl, KIP_OFF_SPACE_CONTROL);
__L4_KIP_PINNED(Ipc, KIP_OFF_IPC);
__L4_KIP_PINNED(Schedule, KIP_OFF_SCHEDULE);
__L4_KIP_PINNED(ArchSyscall, KIP_OFF_ARCH_SYSCALL0);
L4_STATIC_ASSERT(sizeof(L4_KernelInterfacePage_t) == KIP_OFF_END, "KIP fixed part size");

/* Processor descriptor (KIP_PROC_DESC_SIZE bytes each). */
typedef struct {
    L4_Word_t ExternalFreq;     /* kHz */
    L4_Word_t InternalFreq;     /* kHz */
    L4_Word_t FreqChange;
    L4_Word_t Arch;
} L4_ProcDesc_t;

/* Memory descriptor: w0 = type (3-0), subtype (7-4), virtual (9), low/1024 (63-10);
 * w1 = high/1024 (63-10), high inclusive. */
typedef struct {
    L4_Word_t raw[2];
} L4_MemoryDesc_t;

#define L4_UndefinedMemoryType              MDESC_UNDEFINED
#define L4_ConventionalMemoryType           MDESC_CONVENTIONAL
#define L4_ReservedMemoryType               MDESC_RESERVED
#define L4_DedicatedMemoryType              MDESC_DEDICATED
#define L4_SharedMemoryType                 MDESC_SHARED
#define L4_BootLoaderSpecificMemoryType     MDESC_BOOTLOADER
#define L4_ArchitectureSpecificMemoryType   MDESC_ARCH

/* Kernel descriptor: KernelId, generation date, version, supplier, then the strings. */
typedef struct {
    L4_Word_t KernelId;
    L4_Word_t KernelGenDate;
    L4_Word_t KernelVer;
    L4_Word_t Supplier;         /* 4 characters in the low bytes */
} L4_KernelDesc_t;

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
L4_INLINE L4_Word_t L4_ProcDescExternalFreq(const L4_ProcDesc_t *pd) { return pd->ExternalFreq; }
/* Internal (core) frequency of a processor, kHz. */
L4_INLINE L4_Word_t L4_ProcDescInternalFreq(const L4_ProcDesc_t *pd) { return pd->InternalFreq; }

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

/* The BootInfo word the boot loader left. */
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
    L4_Word_t d = L4_KernelDesc(kip)->KernelGenDate;
    *year = ((d >> 9) & 0x7F) + 2000;
    *month = (d >> 5) & 0xF;
    *day = d & 0x1F;
}

/* Kernel version: ver (31-24), subver (23-16), subsubver (15-0). */
L4_INLINE void L4_KernelVersion(const void *kip, L4_Word_t *ver, L4_Word_t *subver, L4_Word_t *subsubver)
{
    L4_Word_t v = L4_KernelDesc(kip)->KernelVer;
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
#endif
