/* l4/space.h — address spaces: SpaceControl, Unmap/Flush of fpages, MemoryControl.
 *
 * Convention (abi/syscalls.tbl, generated stubs): SpaceControl and MemoryControl are privileged
 * (root-server spaces) and return 1 or 0 with L4_ErrorCode() set (l4/errors.h).  Unmap takes
 * only its control word in a register: the fpages are in MR0..MRk of the caller's UTCB, and the
 * kernel writes each back with its status bits.  Unmap control: bits 5-0 k (fpages in MR0..MRk),
 * bit 6 f (flush: revoke also in the caller's own space).  The rights of each fpage name the
 * rights to revoke.  MemoryControl control: k likewise; the low 2 bits of each fpage pick one
 * of attribute0..3 (fact sheet §1).  The memory interface (status bits, IO fpages, sigma0)
 * extends this file.
 */
#pragma once
#include <l4/types.h>
#include <l4/fpage.h>
#include <l4/utcb.h>
#include <sigma4/syscall_stubs.h>
#include <sigma4/space.h>

#define L4_UNMAP_COUNT_MASK     0x3FUL          /* k: fpages in MR0..MRk */
#define L4_UNMAP_FLUSH          0x40UL          /* f */

#define L4_DefaultMemory        0               /* MemoryControl attribute 0 */

#ifdef __cplusplus
extern "C" {
#endif

/* SpaceControl (privileged): set up the space of SpaceSpecifier (any thread in it, usually a
 * new inactive one): its KIP area and UTCB area (fixed by the first call), redirector and
 * control word (amd64: bit 63 = compatibility mode); *old_control := the previous control.
 * 1 on success; 0 and L4_ErrorCode() (L4_ErrUtcbArea, L4_ErrKipArea, ...) on failure. */
L4_INLINE L4_Word_t L4_SpaceControl(L4_ThreadId_t SpaceSpecifier, L4_Word_t control, L4_Fpage_t KipArea,
                                    L4_Fpage_t UtcbArea, L4_ThreadId_t Redirector, L4_Word_t *old_control)
{
    struct sys_space_control_in in;
    struct sys_space_control_out out;
    in.space = SpaceSpecifier.raw;
    in.control = control;
    in.kip_area = KipArea.raw;
    in.utcb_area = UtcbArea.raw;
    in.redirector = Redirector.raw;
    __l4_sys_space_control(&in, &out);
    if (old_control)
        *old_control = out.control;
    return out.result;
}

/* sigma4 (privileged): give the space of SpaceSpecifier a kernel-memory account of its own
 * with a limit of `bytes` (rounded down to 4 KiB; L4_SPACE_QUOTA_UNLIMITED: none) and move
 * everything it holds there.  1, or 0 with L4_ErrorCode(): 5 for a root server's space, 8 if
 * the space already holds more (docs/abi/space_control.md). */
#define L4_SPACE_QUOTA_UNLIMITED    (~0UL)
L4_INLINE L4_Word_t L4_SpaceQuota(L4_ThreadId_t SpaceSpecifier, L4_Word_t bytes)
{
    L4_Word_t pages = bytes == L4_SPACE_QUOTA_UNLIMITED ? SPACE_QUOTA_UNLIMITED : bytes >> 12;
    if (pages > SPACE_QUOTA_UNLIMITED)
        pages = SPACE_QUOTA_UNLIMITED;
    return L4_SpaceControl(SpaceSpecifier, SPACE_CONTROL_QUOTA | pages, L4_Nilpage, L4_Nilpage,
                           L4_nilthread, (L4_Word_t *)0);
}

/* The Unmap system call: revoke the fpages in MR0..MRk (control, see the file comment); the
 * MRs then hold the fpages with their status bits. */
L4_INLINE void L4_Unmap(L4_Word_t control)
{
    struct sys_unmap_in in;
    struct sys_unmap_out out;
    in.control = control;
    __l4_sys_unmap(&in, &out);
}

/* Revoke the rights of fpages[0..n-1] (1 <= n <= 64) in the spaces that received them from the
 * caller (flush: in the caller's space too); fpages[] := the results with status bits. */
L4_INLINE void __L4_UnmapFpages(L4_Word_t n, L4_Fpage_t *fpages, L4_Word_t flush)
{
    if (n == 0 || n > L4_NUM_MRS)
        return;
    L4_LoadMRs(0, (int)n, &fpages[0].raw);
    L4_Unmap(flush | ((n - 1) & L4_UNMAP_COUNT_MASK));
    L4_StoreMRs(0, (int)n, &fpages[0].raw);
}
/* Revoke the rights of f from the spaces that received it from the caller; f with status. */
L4_INLINE L4_Fpage_t L4_UnmapFpage(L4_Fpage_t f)
{
    __L4_UnmapFpages(1, &f, 0);
    return f;
}
/* L4_UnmapFpage for each of fpages[0..n-1] in one call (1 <= n <= 64). */
L4_INLINE void L4_UnmapFpages(L4_Word_t n, L4_Fpage_t *fpages)
{
    __L4_UnmapFpages(n, fpages, 0);
}
/* Revoke the rights of f also in the caller's own space; f with status. */
L4_INLINE L4_Fpage_t L4_Flush(L4_Fpage_t f)
{
    __L4_UnmapFpages(1, &f, L4_UNMAP_FLUSH);
    return f;
}
/* L4_Flush for each of fpages[0..n-1] in one call (1 <= n <= 64). */
L4_INLINE void L4_FlushFpages(L4_Word_t n, L4_Fpage_t *fpages)
{
    __L4_UnmapFpages(n, fpages, L4_UNMAP_FLUSH);
}

/* MemoryControl (privileged): give the fpages in MR0..MRk (k = control bits 5-0) the attribute
 * attributes[low 2 bits of each fpage]; 1 or 0 and L4_ErrorCode(). */
L4_INLINE L4_Word_t L4_MemoryControl(L4_Word_t control, const L4_Word_t *attributes)
{
    struct sys_memory_control_in in;
    struct sys_memory_control_out out;
    in.control = control;
    in.attr0 = attributes[0];
    in.attr1 = attributes[1];
    in.attr2 = attributes[2];
    in.attr3 = attributes[3];
    __l4_sys_memory_control(&in, &out);
    return out.result;
}

/* MemoryControl on the one fpage f (its rights bits ignored): give its pages `attribute`
 * (0 default, n > 0 the cache type n - 1); 1 on success, 0 (ErrorCode set) otherwise. */
L4_INLINE L4_Word_t L4_Set_PageAttribute(L4_Fpage_t f, L4_Word_t attribute)
{
    L4_Word_t attributes[4] = { attribute, 0, 0, 0 };
    L4_LoadMR(0, f.raw & ~L4_FPAGE_RIGHTS_MASK);       /* attribute index 0 */
    return L4_MemoryControl(0, attributes);
}

#ifdef __cplusplus
}   /* extern "C" */

/* ---- C++ overloads (X.2 convenience interface) ------------------------------------------- */
/* Each overload or operator is the C function it calls (or the raw comparison it makes), under
 * the name X.2 gives it in C++. */

inline L4_Fpage_t L4_Unmap(L4_Fpage_t f)                       { return L4_UnmapFpage(f); }
inline void L4_Unmap(L4_Word_t n, L4_Fpage_t *fpages)          { L4_UnmapFpages(n, fpages); }
inline void L4_Flush(L4_Word_t n, L4_Fpage_t *fpages)          { L4_FlushFpages(n, fpages); }
#endif
