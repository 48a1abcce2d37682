/* reply.c — sigma0's answers: a map item for memory it hands out, the nil map item for a
 * refusal, the empty message for everything else.
 *
 * A map item (X.2): word 0 = SendBase (bits 63-10) | 0x8 (map, bit 0 clear: the last item),
 * word 1 = the fpage.  sigma0's fpages name physical memory (its space is the identity mapping
 * of conventional memory); the receiver's window decides where the pages land.  The answers
 * are written to MR0..MR2 of sigma0's UTCB; the next IPC sends them.
 */
#include "sigma0.h"

#define MAPITEM_MAP     0x8UL           /* bits 3-1 = 100b */

/* MR0..MR2 := label 0, u 0, t 2: the map item (send fpage `fpage`, SendBase `base`). */
static void reply_item(L4_Word_t base, L4_Word_t fpage)
{
    L4_LoadMR(1, (base & L4_FPAGE_BASE_MASK) | MAPITEM_MAP);
    L4_LoadMR(2, fpage);
    L4_Set_MsgTag(L4_MsgTagMake(0, 0, 2));
}

void reply_map(L4_Word_t base, unsigned log2, L4_Word_t rwx)
{
    L4_Fpage_t f = L4_FpageLog2(base, (int)log2);
    reply_item(base, L4_FpageAddRights(f, rwx).raw);
}

void reply_io(L4_Word_t fpage)
{
    reply_item(0, fpage | 0x6);                 /* read and write the ports */
}

void reply_refuse(void)
{
    reply_item(0, L4_Nilpage.raw);
}

void reply_empty(void)
{
    L4_Set_MsgTag(L4_Niltag);
}
