/* l4/ext.h — the virtualization extensions (docs/design/virt-extensions.md): control transfer
 * items, Schedule's switches for preemption messages and extended page faults, zero time
 * slices, the preemption message, and the KIP feature names.
 *
 * Control transfer item (a typed item, after the untyped words):
 *   word 0   bit 0 C (another typed item follows), bits 3-1 = 110b, bits 8-4 n = register
 *            words - 1, bits 9+k vmask (set register k), the rest 0
 *   word k+1 register k, in the order of the amd64 exception message: L4_CTRLXFER_RIP (0) ..
 *            L4_CTRLXFER_RFLAGS (17).  A partial item carries only registers 0..n; a word
 *            whose vmask bit is clear is ignored.  From RFLAGS only the status flags and DF
 *            are taken.
 * The receiver applies an item only if it accepts control transfers (BR0 bit 1,
 * L4_CtrlXferItemsAcceptor) or waits for the reply to a message the kernel sent for it
 * (page fault, exception, preemption); otherwise the item is data only.
 *
 * Preemption control (Schedule): bits 23-0 are X.2's delayed preemption, bit 24 p (preemption
 * messages to the scheduler), bit 25 r (with the registers as a control transfer item), bit 26
 * f (extended page-fault messages).  Schedule sets the whole word at once and cannot report
 * the current one, so every helper here that writes it writes all of it: combine the switches
 * with L4_Set_PreemptionControl when more than one is wanted.
 *
 * Preemption message (the preempted thread Calls its scheduler): label -3 (L4_Label() ==
 * L4_LABEL_PREEMPTION), u = 2, t = 0 or 19; MR1 SystemClock at the preemption, MR2 cause
 * (L4_PREEMPT_CAUSE_*), with r MR3..MR21 a control transfer item of all 18 registers.
 *
 * Every function here is static inline and touches only its arguments, the caller's UTCB
 * (message and buffer registers) or the KIP.
 */
#pragma once
#include <l4/types.h>
#include <l4/message.h>
#include <l4/schedule.h>
#include <l4/kip.h>

/* ---- control transfer items ---------------------------------------------------------------- */

#define L4_CTRLXFER_RIP         0
#define L4_CTRLXFER_RBX         1
#define L4_CTRLXFER_R10         2
#define L4_CTRLXFER_R12         3
#define L4_CTRLXFER_R13         4
#define L4_CTRLXFER_R14         5
#define L4_CTRLXFER_R15         6
#define L4_CTRLXFER_RAX         7
#define L4_CTRLXFER_RCX         8
#define L4_CTRLXFER_RDX         9
#define L4_CTRLXFER_RSI         10
#define L4_CTRLXFER_RDI         11
#define L4_CTRLXFER_RBP         12
#define L4_CTRLXFER_R8          13
#define L4_CTRLXFER_R9          14
#define L4_CTRLXFER_R11         15
#define L4_CTRLXFER_RSP         16
#define L4_CTRLXFER_RFLAGS      17
#define L4_CTRLXFER_REGS        18              /* registers of a full item */

#define L4_ITEM_TYPE_CTRLXFER   0xCUL           /* bits 3-1 = 110b */
#define L4_CTRLXFER_N_SHIFT     4
#define L4_CTRLXFER_N_MASK      (0x1FUL << L4_CTRLXFER_N_SHIFT)
#define L4_CTRLXFER_VMASK_SHIFT 9
#define L4_CTRLXFER_VMASK_ALL   ((1UL << L4_CTRLXFER_REGS) - 1)

/* One control transfer item: raw[0] the header, raw[1 + k] register k.  Only the first
 * L4_CtrlXferItemWords() words are sent. */
typedef union {
    L4_Word_t raw[1 + L4_CTRLXFER_REGS];
} L4_CtrlXferItem_t;
L4_STATIC_ASSERT(sizeof(L4_CtrlXferItem_t) == 8 * (1 + L4_CTRLXFER_REGS),
                 "control transfer item is a header and 18 register words");

#ifdef __cplusplus
const L4_Acceptor_t L4_CtrlXferItemsAcceptor = { L4_ACCEPT_CTRLXFER };
extern "C" {
#else
#define L4_CtrlXferItemsAcceptor ((L4_Acceptor_t){ .raw = L4_ACCEPT_CTRLXFER })
#endif

/* Is w the first word of a control transfer item (a non-string item of type 110b)? */
L4_INLINE L4_Bool_t L4_IsCtrlXferItemWord(L4_Word_t w)
{
    return (w & 0x8UL) != 0 && (w & L4_ITEM_TYPE_MASK) == L4_ITEM_TYPE_CTRLXFER;
}
/* The number of register words (n + 1) of the item whose header is w. */
L4_INLINE L4_Word_t __L4_CtrlXferRegs(L4_Word_t w)
{
    return ((w & L4_CTRLXFER_N_MASK) >> L4_CTRLXFER_N_SHIFT) + 1;
}
/* The number of words of item (header + registers). */
L4_INLINE L4_Word_t L4_CtrlXferItemWords(const L4_CtrlXferItem_t *item)
{
    return 1 + __L4_CtrlXferRegs(item->raw[0]);
}
/* The vmask of item. */
L4_INLINE L4_Word_t L4_CtrlXferItemMask(const L4_CtrlXferItem_t *item)
{
    return (item->raw[0] >> L4_CTRLXFER_VMASK_SHIFT) & L4_CTRLXFER_VMASK_ALL;
}

/* A partial item of `regs` register words (1..18, clipped), all words 0, vmask = `mask`
 * (bits at or above `regs` dropped). */
L4_INLINE L4_CtrlXferItem_t L4_CtrlXferItemPartial(L4_Word_t regs, L4_Word_t mask)
{
    L4_CtrlXferItem_t item;
    if (regs < 1)
        regs = 1;
    if (regs > L4_CTRLXFER_REGS)
        regs = L4_CTRLXFER_REGS;
    mask &= (1UL << regs) - 1;
    item.raw[0] = (mask << L4_CTRLXFER_VMASK_SHIFT) | ((regs - 1) << L4_CTRLXFER_N_SHIFT) |
                  L4_ITEM_TYPE_CTRLXFER;
    for (L4_Word_t k = 0; k < L4_CTRLXFER_REGS; k++)
        item.raw[1 + k] = 0;
    return item;
}
/* A full item (18 register words), all 0, with vmask `mask`. */
L4_INLINE L4_CtrlXferItem_t L4_CtrlXferItemFull(L4_Word_t mask)
{
    return L4_CtrlXferItemPartial(L4_CTRLXFER_REGS, mask);
}
/* The shortest item (one register word, RIP, unmasked) to fill with L4_CtrlXferItemSet,
 * which grows it as needed. */
L4_INLINE L4_CtrlXferItem_t L4_CtrlXferItem(void)
{
    return L4_CtrlXferItemPartial(1, 0);
}
/* Replace item's vmask by `mask` (bits beyond its register words dropped). */
L4_INLINE void L4_Set_CtrlXferItemMask(L4_CtrlXferItem_t *item, L4_Word_t mask)
{
    L4_Word_t regs = __L4_CtrlXferRegs(item->raw[0]);
    mask &= (1UL << regs) - 1;
    item->raw[0] = (item->raw[0] & ~(L4_CTRLXFER_VMASK_ALL << L4_CTRLXFER_VMASK_SHIFT)) |
                   (mask << L4_CTRLXFER_VMASK_SHIFT);
}
/* Register k of item := value and set its vmask bit; the item grows to k + 1 register words
 * if it is shorter (the new words 0, unmasked).  k >= 18: ignored. */
L4_INLINE void L4_CtrlXferItemSet(L4_CtrlXferItem_t *item, L4_Word_t k, L4_Word_t value)
{
    if (k >= L4_CTRLXFER_REGS)
        return;
    L4_Word_t regs = __L4_CtrlXferRegs(item->raw[0]);
    for (; regs <= k; regs++)
        item->raw[1 + regs] = 0;
    item->raw[0] = (item->raw[0] & ~(L4_CTRLXFER_N_MASK | L4_ITEM_CONTINUE)) |
                   ((regs - 1) << L4_CTRLXFER_N_SHIFT) | (1UL << (L4_CTRLXFER_VMASK_SHIFT + k));
    item->raw[1 + k] = value;
}
/* Clear the vmask bit of register k (its word stays in the item). */
L4_INLINE void L4_CtrlXferItemUnset(L4_CtrlXferItem_t *item, L4_Word_t k)
{
    if (k < L4_CTRLXFER_REGS)
        item->raw[0] &= ~(1UL << (L4_CTRLXFER_VMASK_SHIFT + k));
}
/* Register word k of item (0 if the item is shorter). */
L4_INLINE L4_Word_t L4_CtrlXferItemGet(const L4_CtrlXferItem_t *item, L4_Word_t k)
{
    return k < __L4_CtrlXferRegs(item->raw[0]) ? item->raw[1 + k] : 0;
}
/* Does item carry register k with its vmask bit set? */
L4_INLINE L4_Bool_t L4_CtrlXferItemHas(const L4_CtrlXferItem_t *item, L4_Word_t k)
{
    return k < __L4_CtrlXferRegs(item->raw[0]) && ((L4_CtrlXferItemMask(item) >> k) & 1);
}

/* The number of words of the typed item whose first word is w, control transfer items
 * included; 0 for a type this library cannot size. */
L4_INLINE L4_Word_t __L4_ItemWordsX(L4_Word_t w)
{
    return L4_IsCtrlXferItemWord(w) ? 1 + __L4_CtrlXferRegs(w) : __L4_ItemWords(w);
}
/* Append item after the typed items of msg: C is set on the (so far) last item and cleared on
 * the new one, t grows by its size; ignored if msg has no room.  (L4_MsgAppendMapItem of
 * l4/message.h cannot size a control transfer item: append those last.) */
L4_INLINE void L4_MsgAppendCtrlXferItem(L4_Msg_t *msg, const L4_CtrlXferItem_t *item)
{
    L4_Word_t u = __L4_MsgU(msg), t = __L4_MsgT(msg), end = 1 + u + t;
    L4_Word_t n = L4_CtrlXferItemWords(item);
    if (end + n > L4_NUM_MRS)
        return;
    for (L4_Word_t i = 1 + u, w; i < end; i += w) {    /* the last item gets C */
        w = __L4_ItemWordsX(msg->msg[i]);
        if (w == 0)
            break;
        if (i + w >= end) {
            msg->msg[i] |= L4_ITEM_CONTINUE;
            break;
        }
    }
    msg->msg[end] = item->raw[0] & ~L4_ITEM_CONTINUE;
    for (L4_Word_t k = 1; k < n; k++)
        msg->msg[end + k] = item->raw[k];
    msg->tag.raw = (msg->tag.raw & ~(L4_MSGTAG_U_MASK | L4_MSGTAG_T_MASK)) |
                   ((t + n) << L4_MSGTAG_T_SHIFT) | u;
}
/* *item := the control transfer item at typed word t (0-based) of msg; the number of words
 * read, or 0 (item untouched) if no such item is there. */
L4_INLINE L4_Word_t L4_MsgGetCtrlXferItem(const L4_Msg_t *msg, L4_Word_t t, L4_CtrlXferItem_t *item)
{
    L4_Word_t u = __L4_MsgU(msg), tt = __L4_MsgT(msg), i = 1 + u + t;
    if (t >= tt || !L4_IsCtrlXferItemWord(msg->msg[i]))
        return 0;
    L4_Word_t n = 1 + __L4_CtrlXferRegs(msg->msg[i]);
    if (t + n > tt || n > 1 + L4_CTRLXFER_REGS)
        return 0;
    for (L4_Word_t k = 0; k < n; k++)
        item->raw[k] = msg->msg[i + k];
    return n;
}
/* *item := the control transfer item that starts at MR `mr` of the received message; the
 * number of words read, or 0 if MR `mr` does not hold the head of one. */
L4_INLINE L4_Word_t L4_StoreCtrlXferItem(int mr, L4_CtrlXferItem_t *item)
{
    L4_Word_t w;
    if (mr < 1 || mr >= (int)L4_NUM_MRS)
        return 0;
    L4_StoreMR(mr, &w);
    if (!L4_IsCtrlXferItemWord(w))
        return 0;
    L4_Word_t n = 1 + __L4_CtrlXferRegs(w);
    if (n > 1 + L4_CTRLXFER_REGS || mr + (int)n > (int)L4_NUM_MRS)
        return 0;
    L4_StoreMRs(mr, (int)n, item->raw);
    return n;
}
/* Load item into MR `mr` onward (the caller sets the tag); the number of words loaded. */
L4_INLINE L4_Word_t L4_LoadCtrlXferItem(int mr, const L4_CtrlXferItem_t *item)
{
    L4_Word_t n = L4_CtrlXferItemWords(item);
    if (mr < 1 || mr + (int)n > (int)L4_NUM_MRS)
        return 0;
    L4_LoadMRs(mr, (int)n, item->raw);
    return n;
}

/* Does a accept control transfer items (c, BR0 bit 1)? */
L4_INLINE L4_Bool_t L4_HasCtrlXferItems(L4_Acceptor_t a)   { return (a.raw & L4_ACCEPT_CTRLXFER) != 0; }

/* ---- Schedule: preemption messages, extended page faults, zero time slices ---------------- */

#define L4_PREEMPTCTRL_MSG      (1UL << 24)     /* p: preemption messages to the scheduler */
#define L4_PREEMPTCTRL_REGS     (1UL << 25)     /* r: ... with the registers */
#define L4_PREEMPTCTRL_EXTPF    (1UL << 26)     /* f: extended page-fault messages */
#define L4_PREEMPTCTRL_X2_MASK  0xFFFFFFUL      /* X.2: sensitive priority, maximum delay */

/* Write t's whole preemption-control word (see the file comment); the Schedule result. */
L4_INLINE L4_Word_t L4_Set_PreemptionControl(L4_ThreadId_t t, L4_Word_t control)
{
    return L4_Schedule(t, L4_SCHED_UNCHANGED, L4_SCHED_UNCHANGED, L4_SCHED_UNCHANGED, control,
                       (L4_Word_t *)0);
}
/* Switch t's preemption messages on (with its registers if with_regs) or off; extended page
 * faults and the X.2 delay fields are switched off.  The Schedule result (0: error, e.g.
 * L4_ErrInvalidParam without the preemptmsg extension). */
L4_INLINE L4_Word_t L4_Set_PreemptionMessages(L4_ThreadId_t t, int on, int with_regs)
{
    return L4_Set_PreemptionControl(t, on ? (L4_PREEMPTCTRL_MSG | (with_regs ? L4_PREEMPTCTRL_REGS : 0))
                                          : 0);
}
/* Switch t's extended page-fault messages on or off; preemption messages and the X.2 delay
 * fields are switched off.  The Schedule result. */
L4_INLINE L4_Word_t L4_Set_ExtendedPageFaults(L4_ThreadId_t t, int on)
{
    return L4_Set_PreemptionControl(t, on ? L4_PREEMPTCTRL_EXTPF : 0);
}
/* Give t a zero time slice (its total quantum unchanged): it runs on donated time only. */
L4_INLINE L4_Word_t L4_Set_ZeroTimeSlice(L4_ThreadId_t t)
{
    return L4_Schedule(t, ((L4_Word_t)L4_ZeroTime.raw << 16) | 0xFFFFUL, L4_SCHED_UNCHANGED,
                       L4_SCHED_UNCHANGED, L4_SCHED_UNCHANGED, (L4_Word_t *)0);
}

/* ---- preemption messages ------------------------------------------------------------------- */

#define L4_LABEL_PREEMPTION     0xFFFFFFFFFFD0UL    /* -3 in the 48-bit label, shifted by 4 */
#define L4_PREEMPT_MR_CLOCK     1
#define L4_PREEMPT_MR_CAUSE     2
#define L4_PREEMPT_MR_REGS      3               /* the control transfer item (with r) */
#define L4_PREEMPT_CAUSE_TIMESLICE  1
#define L4_PREEMPT_CAUSE_PRIORITY   2
#define L4_PREEMPT_CAUSE_INTERRUPT  3

/* Is tag the tag of a preemption message? */
L4_INLINE L4_Bool_t L4_IsPreemptionMsg(L4_MsgTag_t tag)
{
    return L4_Label(tag) == L4_LABEL_PREEMPTION && L4_UntypedWords(tag) == 2;
}

/* ---- KIP feature strings ------------------------------------------------------------------ */

#define L4_FEATURE_CTRLXFER     "ctrlxfer"
#define L4_FEATURE_PREEMPTMSG   "preemptmsg"
#define L4_FEATURE_ZEROTIMESLICE "zerotimeslice"
#define L4_FEATURE_EXTPAGEFAULT "extpagefault"
#define L4_FEATURE_THREADLIMITS "threadlimits"

#ifdef __cplusplus
}   /* extern "C" */

/* ---- C++ overloads ------------------------------------------------------------------------- */

inline void L4_Append(L4_Msg_t *msg, const L4_CtrlXferItem_t &item) { L4_MsgAppendCtrlXferItem(msg, &item); }
inline L4_Word_t L4_Get(const L4_Msg_t *msg, L4_Word_t t, L4_CtrlXferItem_t *item)
{
    return L4_MsgGetCtrlXferItem(msg, t, item);
}
inline L4_Bool_t L4_CtrlXferItems(L4_Acceptor_t a)                  { return L4_HasCtrlXferItems(a); }
#endif
