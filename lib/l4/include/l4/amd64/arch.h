/* l4/amd64/arch.h — amd64-only parts of the X.2 convenience interface: IO-fpages.
 *
 * An x86 IO-fpage names 2^s IO ports starting at port p (p aligned to 2^s): bits 3-0 rwx
 * (the memory fpage's rights bits and bit 3), bits 9-4 = 2 (the marker: as a memory fpage
 * this would be an impossible 4-byte page), bits 15-10 s, bits 31-16 p (fact sheet §6).  IO-
 * fpages travel in map and grant items, in Unmap and in the IO-fault message (label -8, MR1);
 * the complete IO space is s = 16, p = 0.  Built with shifts and masks; the bit-field view X of
 * L4_IoFpage_t is for X.2 programs only.
 */
#pragma once
#include <l4/types.h>
#include <l4/fpage.h>
#include <l4/utcb.h>
#include <l4/kdebug.h>

#define L4_IOFPAGE_MARKER       (2UL << L4_FPAGE_S_SHIFT)   /* bits 9-4 = 2 */
#define L4_IOFPAGE_MARKER_MASK  (L4_FPAGE_S_MASK << L4_FPAGE_S_SHIFT)
#define L4_IOFPAGE_S_SHIFT      10
#define L4_IOFPAGE_PORT_SHIFT   16
#define L4_IOFPAGE_PORTS_LOG2   16                          /* the IO space: 2^16 ports */

typedef union {
    L4_Word_t raw;
    struct { L4_Word_t rwx : 4; L4_Word_t __two : 6; L4_Word_t s : 6; L4_Word_t p : 16; L4_Word_t : 32; } X;
} L4_IoFpage_t;
L4_STATIC_ASSERT(sizeof(L4_IoFpage_t) == 8, "IO-fpage is one word");

#ifdef __cplusplus
extern "C" {
#endif

/* The IO-fpage of 2^log2 ports at BasePort (aligned down to 2^log2), no rights; log2 is
 * clipped to 16 (the whole IO space). */
L4_INLINE L4_Fpage_t L4_IoFpageLog2(L4_Word_t BasePort, int log2)
{
    L4_Word_t s = log2 < 0 ? 0 : log2 > L4_IOFPAGE_PORTS_LOG2 ? L4_IOFPAGE_PORTS_LOG2 : (L4_Word_t)log2;
    L4_Word_t port = BasePort & 0xFFFFUL & ~((1UL << s) - 1);
    return __L4_FpageFromRaw((port << L4_IOFPAGE_PORT_SHIFT) | (s << L4_IOFPAGE_S_SHIFT) | L4_IOFPAGE_MARKER);
}
/* The IO-fpage at BasePort of FpageSize ports rounded up to a power of two, no rights. */
L4_INLINE L4_Fpage_t L4_IoFpage(L4_Word_t BasePort, int FpageSize)
{
    int s = 0;
    while (s < L4_IOFPAGE_PORTS_LOG2 && (1L << s) < FpageSize)
        s++;
    return L4_IoFpageLog2(BasePort, s);
}
/* Is f an IO-fpage (bits 9-4 = 2)? */
L4_INLINE L4_Bool_t L4_IsIoFpage(L4_Fpage_t f)
{
    return (f.raw & L4_IOFPAGE_MARKER_MASK) == L4_IOFPAGE_MARKER;
}
/* The first port of IO-fpage f. */
L4_INLINE L4_Word_t L4_IoFpagePort(L4_Fpage_t f)     { return (f.raw >> L4_IOFPAGE_PORT_SHIFT) & 0xFFFFUL; }
/* log2 of the number of ports of IO-fpage f. */
L4_INLINE L4_Word_t L4_IoFpageSizeLog2(L4_Fpage_t f) { return (f.raw >> L4_IOFPAGE_S_SHIFT) & L4_FPAGE_S_MASK; }
/* The number of ports of IO-fpage f. */
L4_INLINE L4_Word_t L4_IoFpageSize(L4_Fpage_t f)     { return 1UL << L4_IoFpageSizeLog2(f); }

#ifdef __cplusplus
}   /* extern "C" */

/* C++: an IO-fpage view as a plain fpage (for map items, Unmap). */
inline L4_Fpage_t L4_Fpage(L4_IoFpage_t f)                         { return __L4_FpageFromRaw(f.raw); }
#endif
