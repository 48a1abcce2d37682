/* l4/fpage.h — flexpages: size-aligned power-of-two regions of an address space, with rights.
 *
 * Word layout (fact sheet §6): bits 2-0 rwx (r = 4, w = 2, x = 1), bit 3 extended (sigma0 > 32-bit
 * physical), bits 9-4 s = log2 size, bits 63-10 base / 1024 (the base is 2^s aligned, so bits
 * below s are ignored).  Nil = 0; the complete address space = s 1, base 0 (raw 0x10).  Pages are
 * at least 1 KiB in the format (s >= 10); the kernel maps at its page sizes (L4_PageSizeMask).
 * Built and read with shifts and masks; the bit-field view X is for X.2 programs only.
 * The memory interface (map/grant items, unmap status, IO fpages) extends this file's type.
 */
#pragma once
#include <l4/types.h>

#define L4_FPAGE_RIGHTS_MASK    0x7UL
#define L4_FPAGE_EXTENDED       0x8UL
#define L4_FPAGE_S_SHIFT        4
#define L4_FPAGE_S_MASK         0x3FUL
#define L4_FPAGE_BASE_MASK      (~0x3FFUL)

typedef union {
    L4_Word_t raw;
    struct { L4_Word_t rwx : 3; L4_Word_t extended : 1; L4_Word_t s : 6; L4_Word_t b : 54; } X;
} L4_Fpage_t;
L4_STATIC_ASSERT(sizeof(L4_Fpage_t) == 8, "fpage is one word");

/* Access rights (the rwx bits). */
#define L4_NoAccess             0x00
#define L4_eXecutable           0x01
#define L4_Writable             0x02
#define L4_Readable             0x04
#define L4_ReadeXecOnly         0x05
#define L4_ReadWriteOnly        0x06
#define L4_FullyAccessible      0x07

#ifdef __cplusplus
const L4_Fpage_t L4_Nilpage = { 0UL };
const L4_Fpage_t L4_CompleteAddressSpace = { 1UL << L4_FPAGE_S_SHIFT };
extern "C" {
#else
#define L4_Nilpage              ((L4_Fpage_t){ .raw = 0UL })
#define L4_CompleteAddressSpace ((L4_Fpage_t){ .raw = 1UL << L4_FPAGE_S_SHIFT })
#endif

/* An fpage with the given raw word. */
L4_INLINE L4_Fpage_t __L4_FpageFromRaw(L4_Word_t raw)
{
    L4_Fpage_t f;
    f.raw = raw;
    return f;
}

/* The fpage of 2^log2size bytes containing BaseAddress (aligned down), no rights.
 * log2size must be 10..63 (1 on its own means the complete address space). */
L4_INLINE L4_Fpage_t L4_FpageLog2(L4_Word_t BaseAddress, int log2size)
{
    L4_Word_t s = (L4_Word_t)log2size & L4_FPAGE_S_MASK;
    L4_Word_t align = s >= 10 ? ~((1UL << s) - 1) : L4_FPAGE_BASE_MASK;
    return __L4_FpageFromRaw((BaseAddress & align & L4_FPAGE_BASE_MASK) | (s << L4_FPAGE_S_SHIFT));
}

/* The fpage at BaseAddress of FpageSize bytes rounded up to a power of two, no rights. */
L4_INLINE L4_Fpage_t L4_Fpage(L4_Word_t BaseAddress, L4_Word_t FpageSize)
{
    int s = 0;
    while (s < 63 && (1UL << s) < FpageSize)
        s++;
    return L4_FpageLog2(BaseAddress, s);
}

/* Is f the nil fpage? */
L4_INLINE L4_Bool_t L4_IsNilFpage(L4_Fpage_t f)         { return f.raw == 0; }
/* log2 of the size of f (0 for the nil fpage). */
L4_INLINE L4_Word_t L4_SizeLog2(L4_Fpage_t f)           { return (f.raw >> L4_FPAGE_S_SHIFT) & L4_FPAGE_S_MASK; }
/* Size of f in bytes (0 for the nil fpage). */
L4_INLINE L4_Word_t L4_Size(L4_Fpage_t f)
{
    L4_Word_t s = L4_SizeLog2(f);
    return s == 0 ? 0 : 1UL << s;
}
/* Base address of f (aligned to its size). */
L4_INLINE L4_Word_t L4_Address(L4_Fpage_t f)
{
    return f.raw & L4_FPAGE_BASE_MASK & ~((1UL << L4_SizeLog2(f)) - 1);
}
/* The rwx rights of f. */
L4_INLINE L4_Word_t L4_Rights(L4_Fpage_t f)             { return f.raw & L4_FPAGE_RIGHTS_MASK; }
/* Replace the rights of *f by rwx; the new fpage. */
L4_INLINE L4_Fpage_t L4_Set_Rights(L4_Fpage_t *f, L4_Word_t rwx)
{
    f->raw = (f->raw & ~L4_FPAGE_RIGHTS_MASK) | (rwx & L4_FPAGE_RIGHTS_MASK);
    return *f;
}
/* f with the rights rwx added. */
L4_INLINE L4_Fpage_t L4_FpageAddRights(L4_Fpage_t f, L4_Word_t rwx)
{
    return __L4_FpageFromRaw(f.raw | (rwx & L4_FPAGE_RIGHTS_MASK));
}
/* Add the rights rwx to *f; the new fpage. */
L4_INLINE L4_Fpage_t L4_FpageAddRightsTo(L4_Fpage_t *f, L4_Word_t rwx)
{
    *f = L4_FpageAddRights(*f, rwx);
    return *f;
}
/* f without the rights rwx. */
L4_INLINE L4_Fpage_t L4_FpageRemoveRights(L4_Fpage_t f, L4_Word_t rwx)
{
    return __L4_FpageFromRaw(f.raw & ~(rwx & L4_FPAGE_RIGHTS_MASK));
}
/* Remove the rights rwx from *f; the new fpage. */
L4_INLINE L4_Fpage_t L4_FpageRemoveRightsFrom(L4_Fpage_t *f, L4_Word_t rwx)
{
    *f = L4_FpageRemoveRights(*f, rwx);
    return *f;
}

/* After Unmap (or Flush): was the page referenced (any access; status bit 2) since the last
 * Unmap that reported it? */
L4_INLINE L4_Bool_t L4_WasReferenced(L4_Fpage_t f)      { return (f.raw & L4_Readable) != 0; }
/* After Unmap: was the page written (status bit 1)? */
L4_INLINE L4_Bool_t L4_WasWritten(L4_Fpage_t f)         { return (f.raw & L4_Writable) != 0; }
/* After Unmap: was the page executed (status bit 0)? */
L4_INLINE L4_Bool_t L4_WasExecuted(L4_Fpage_t f)        { return (f.raw & L4_eXecutable) != 0; }

#ifdef __cplusplus
}   /* extern "C" */

/* ---- C++ overloads (X.2 convenience interface) ------------------------------------------- */
/* Each overload or operator is the C function it calls (or the raw comparison it makes), under
 * the name X.2 gives it in C++. */

inline bool operator==(const L4_Fpage_t &l, const L4_Fpage_t &r) { return l.raw == r.raw; }
inline bool operator!=(const L4_Fpage_t &l, const L4_Fpage_t &r) { return l.raw != r.raw; }
inline L4_Fpage_t operator+(const L4_Fpage_t &f, L4_Word_t rwx)  { return L4_FpageAddRights(f, rwx); }
inline L4_Fpage_t operator+=(L4_Fpage_t &f, L4_Word_t rwx)       { return L4_FpageAddRightsTo(&f, rwx); }
inline L4_Fpage_t operator-(const L4_Fpage_t &f, L4_Word_t rwx)  { return L4_FpageRemoveRights(f, rwx); }
inline L4_Fpage_t operator-=(L4_Fpage_t &f, L4_Word_t rwx)       { return L4_FpageRemoveRightsFrom(&f, rwx); }
#endif
