/* l4/message.h — messages: the message tag (MR0), message objects (L4_Msg_t) that are loaded into
 * and stored from the message registers, and the receive side (acceptor in BR0, buffers).
 *
 * MsgTag (fact sheet §6): bits 5-0 u (untyped words), 11-6 t (typed words), 12 p (propagated),
 * 13 r (redirected), 14 X (cross-CPU), 15 E (error), 63-16 label.  On send only p is honoured;
 * the kernel sets r, X and E on receive.  A message is MR0 = tag, MR1..MRu untyped words,
 * MRu+1..MRu+t typed items; u + t + 1 <= 64.  L4_Msg_t mirrors that layout in memory: msg[0] is
 * the tag.  The L4_Msg* functions never write past msg[63] (counts are clipped to fit).
 * Typed items follow the untyped words; bit 0 of an item's first word (C) says that another
 * typed item follows.  Map item: word 0 = (SendBase & ~0x3FF) | 0x8, word 1 = the fpage; a grant
 * item has 0xA in the low nibble.  The L4_MsgAppend*Item and L4_MsgPut*Item functions keep the C
 * bits consistent with the tag (C set on every typed item but the last).
 * String item: word 0 = bit 0 C, bits 2-1 cache hints, bit 3 = 0, bits 8-4 j-1, bit 9 c
 * (compound: the next item continues the same logical string), bits 63-10 the length of each
 * substring; words 1..j = the substring addresses (j > 1: gather on send, scatter on receive).
 * The receiver finds each logical string as one simple item: (bytes << 10) | C, the address of
 * its buffer's first substring.
 * Acceptor (BR0): bit 0 s (accept string items; buffers in BR1..), bit 1 c (P ext. ctrlxfer),
 * bits 63-4 the receive window fpage without its low 4 bits (nil: no mappings accepted).
 * Words are built with shifts and masks; the bit-field views X exist for X.2 programs only.
 */
#pragma once
#include <l4/types.h>
#include <l4/fpage.h>
#include <l4/utcb.h>

#define L4_MSGTAG_U_MASK        0x3FUL
#define L4_MSGTAG_T_SHIFT       6
#define L4_MSGTAG_T_MASK        (0x3FUL << L4_MSGTAG_T_SHIFT)
#define L4_MSGTAG_PROPAGATED    (1UL << 12)     /* p */
#define L4_MSGTAG_REDIRECTED    (1UL << 13)     /* r */
#define L4_MSGTAG_XCPU          (1UL << 14)     /* X */
#define L4_MSGTAG_ERROR         (1UL << 15)     /* E */
#define L4_MSGTAG_FLAGS_MASK    0xF000UL
#define L4_MSGTAG_LABEL_SHIFT   16

/* ---- message tag ------------------------------------------------------------------------- */

typedef union {
    L4_Word_t raw;
    struct { L4_Word_t u : 6; L4_Word_t t : 6; L4_Word_t flags : 4; L4_Word_t label : 48; } X;
} L4_MsgTag_t;
L4_STATIC_ASSERT(sizeof(L4_MsgTag_t) == 8, "message tag is one word");

#ifdef __cplusplus
const L4_MsgTag_t L4_Niltag = { 0UL };
extern "C" {
#else
#define L4_Niltag               ((L4_MsgTag_t){ .raw = 0UL })
#endif

/* A message tag with the given raw word. */
L4_INLINE L4_MsgTag_t __L4_MsgTagFromRaw(L4_Word_t raw)
{
    L4_MsgTag_t t;
    t.raw = raw;
    return t;
}

/* Are the two tags identical? */
L4_INLINE L4_Bool_t L4_IsMsgTagEqual(L4_MsgTag_t l, L4_MsgTag_t r)    { return l.raw == r.raw; }
/* Do the two tags differ? */
L4_INLINE L4_Bool_t L4_IsMsgTagNotEqual(L4_MsgTag_t l, L4_MsgTag_t r) { return l.raw != r.raw; }

/* The label (bits 63-16) of tag t. */
L4_INLINE L4_Word_t L4_Label(L4_MsgTag_t t)             { return t.raw >> L4_MSGTAG_LABEL_SHIFT; }
/* The number of untyped words (u) of tag t. */
L4_INLINE L4_Word_t L4_UntypedWords(L4_MsgTag_t t)      { return t.raw & L4_MSGTAG_U_MASK; }
/* The number of typed words (t) of tag t. */
L4_INLINE L4_Word_t L4_TypedWords(L4_MsgTag_t t)        { return (t.raw & L4_MSGTAG_T_MASK) >> L4_MSGTAG_T_SHIFT; }
/* sigma4 alias of L4_Label for C code that also uses L4_MsgLabel(msg). */
L4_INLINE L4_Word_t L4_MsgTagLabel(L4_MsgTag_t t)       { return L4_Label(t); }
/* sigma4 alias of L4_UntypedWords. */
L4_INLINE L4_Word_t L4_MsgTagUntypedWords(L4_MsgTag_t t) { return L4_UntypedWords(t); }
/* sigma4 alias of L4_TypedWords. */
L4_INLINE L4_Word_t L4_MsgTagTypedWords(L4_MsgTag_t t)  { return L4_TypedWords(t); }
/* sigma4: the number of message words after the tag (u + t). */
L4_INLINE L4_Word_t L4_MsgTagWords(L4_MsgTag_t t)       { return L4_UntypedWords(t) + L4_TypedWords(t); }
/* sigma4: the tag with the given label, u and t, no flags (u, t < 64; label < 2^48). */
L4_INLINE L4_MsgTag_t L4_MsgTagMake(L4_Word_t label, L4_Word_t u, L4_Word_t t)
{
    return __L4_MsgTagFromRaw((label << L4_MSGTAG_LABEL_SHIFT) | ((t << L4_MSGTAG_T_SHIFT) & L4_MSGTAG_T_MASK) |
                              (u & L4_MSGTAG_U_MASK));
}

/* Tag t with its label replaced by `label`. */
L4_INLINE L4_MsgTag_t L4_MsgTagAddLabel(L4_MsgTag_t t, int label)
{
    return __L4_MsgTagFromRaw((t.raw & 0xFFFFUL) | ((L4_Word_t)(long)label << L4_MSGTAG_LABEL_SHIFT));
}
/* Replace the label of *t by `label`; the new tag. */
L4_INLINE L4_MsgTag_t L4_MsgTagAddLabelTo(L4_MsgTag_t *t, int label)
{
    *t = L4_MsgTagAddLabel(*t, label);
    return *t;
}
/* Replace the label of *t by `label`. */
L4_INLINE void L4_Set_Label(L4_MsgTag_t *t, L4_Word_t label)
{
    t->raw = (t->raw & 0xFFFFUL) | (label << L4_MSGTAG_LABEL_SHIFT);
}
/* Set the p bit of *t: the next send is propagated (VirtualSender TCR names the sender). */
L4_INLINE void L4_Set_Propagation(L4_MsgTag_t *t)      { t->raw |= L4_MSGTAG_PROPAGATED; }

/* The tag in MR0. */
L4_INLINE L4_MsgTag_t L4_MsgTag(void)                   { return __L4_MsgTagFromRaw(__L4_UtcbGet(UTCB_MR(0))); }
/* MR0 := t. */
L4_INLINE void L4_Set_MsgTag(L4_MsgTag_t t)             { L4_LoadMR(0, t.raw); }

/* Did the IPC that returned t succeed (E clear)? */
L4_INLINE L4_Bool_t L4_IpcSucceeded(L4_MsgTag_t t)      { return (t.raw & L4_MSGTAG_ERROR) == 0; }
/* Did the IPC that returned t fail (E set; details in L4_ErrorCode())? */
L4_INLINE L4_Bool_t L4_IpcFailed(L4_MsgTag_t t)         { return (t.raw & L4_MSGTAG_ERROR) != 0; }
/* Was the received message propagated (L4_ActualSender() sent it)? */
L4_INLINE L4_Bool_t L4_IpcPropagated(L4_MsgTag_t t)     { return (t.raw & L4_MSGTAG_PROPAGATED) != 0; }
/* Was the received message redirected? */
L4_INLINE L4_Bool_t L4_IpcRedirected(L4_MsgTag_t t)     { return (t.raw & L4_MSGTAG_REDIRECTED) != 0; }
/* Did the received message come from another processor? */
L4_INLINE L4_Bool_t L4_IpcXcpu(L4_MsgTag_t t)           { return (t.raw & L4_MSGTAG_XCPU) != 0; }

/* ---- message objects --------------------------------------------------------------------- */

typedef union {
    L4_Word_t raw[L4_NUM_MRS];
    L4_Word_t msg[L4_NUM_MRS];  /* [0] = tag, [1..u] untyped words, then typed items */
    L4_MsgTag_t tag;
} L4_Msg_t;

/* u of msg's tag. */
L4_INLINE L4_Word_t __L4_MsgU(const L4_Msg_t *msg)      { return L4_UntypedWords(msg->tag); }
/* t of msg's tag, clipped so that 1 + u + t <= 64. */
L4_INLINE L4_Word_t __L4_MsgT(const L4_Msg_t *msg)
{
    L4_Word_t u = __L4_MsgU(msg), t = L4_TypedWords(msg->tag);
    return u + t < L4_NUM_MRS ? t : L4_NUM_MRS - 1 - u;
}

/* msg := label, the u words Untyped[] and the t words Items[] (clipped to 63 words in all). */
L4_INLINE void L4_MsgPut(L4_Msg_t *msg, L4_Word_t label, int u, L4_Word_t *Untyped, int t, void *Items)
{
    L4_Word_t nu = u < 0 ? 0 : (L4_Word_t)u, nt = t < 0 ? 0 : (L4_Word_t)t;
    if (nu > L4_NUM_MRS - 1)
        nu = L4_NUM_MRS - 1;
    if (nu + nt > L4_NUM_MRS - 1)
        nt = L4_NUM_MRS - 1 - nu;
    for (L4_Word_t i = 0; i < nu; i++)
        msg->msg[1 + i] = Untyped[i];
    for (L4_Word_t i = 0; i < nt; i++)
        msg->msg[1 + nu + i] = ((const L4_Word_t *)Items)[i];
    msg->tag = L4_MsgTagMake(label, nu, nt);
}
/* Untyped[] := msg's untyped words, Items[] := its typed words (sizes from its tag). */
L4_INLINE void L4_MsgGet(const L4_Msg_t *msg, L4_Word_t *Untyped, void *Items)
{
    L4_Word_t u = __L4_MsgU(msg), t = __L4_MsgT(msg);
    for (L4_Word_t i = 0; i < u; i++)
        Untyped[i] = msg->msg[1 + i];
    for (L4_Word_t i = 0; i < t; i++)
        ((L4_Word_t *)Items)[i] = msg->msg[1 + u + i];
}
/* The tag of msg. */
L4_INLINE L4_MsgTag_t L4_MsgMsgTag(const L4_Msg_t *msg)           { return msg->tag; }
/* Replace the tag of msg. */
L4_INLINE void L4_Set_MsgMsgTag(L4_Msg_t *msg, L4_MsgTag_t t)     { msg->tag = t; }
/* The label of msg. */
L4_INLINE L4_Word_t L4_MsgLabel(const L4_Msg_t *msg)               { return L4_Label(msg->tag); }
/* Replace the label of msg. */
L4_INLINE void L4_Set_MsgLabel(L4_Msg_t *msg, L4_Word_t label)    { L4_Set_Label(&msg->tag, label); }
/* MR0 .. MR(u+t) := msg (the next IPC sends it). */
L4_INLINE void L4_MsgLoad(L4_Msg_t *msg)
{
    L4_LoadMRs(0, (int)(1 + __L4_MsgU(msg) + __L4_MsgT(msg)), msg->msg);
}
/* msg := the received message of tag t (MR1 .. MR(u+t) and t itself). */
L4_INLINE void L4_MsgStore(L4_MsgTag_t t, L4_Msg_t *msg)
{
    msg->tag = t;
    L4_StoreMRs(1, (int)(__L4_MsgU(msg) + __L4_MsgT(msg)), &msg->msg[1]);
}
/* Make msg empty: label 0, no words. */
L4_INLINE void L4_MsgClear(L4_Msg_t *msg)                         { msg->msg[0] = 0; }
/* Append the untyped word w (typed items move up by one); ignored if msg is full. */
L4_INLINE void L4_MsgAppendWord(L4_Msg_t *msg, L4_Word_t w)
{
    L4_Word_t u = __L4_MsgU(msg), t = __L4_MsgT(msg);
    if (1 + u + t >= L4_NUM_MRS)
        return;
    for (L4_Word_t i = 1 + u + t; i > 1 + u; i--)
        msg->msg[i] = msg->msg[i - 1];
    msg->msg[1 + u] = w;
    msg->tag.raw = (msg->tag.raw & ~(L4_MSGTAG_U_MASK | L4_MSGTAG_T_MASK)) | (t << L4_MSGTAG_T_SHIFT) | (u + 1);
}
/* Replace untyped word u (0-based) of msg by w (u < 63). */
L4_INLINE void L4_MsgPutWord(L4_Msg_t *msg, L4_Word_t u, L4_Word_t w)
{
    if (u < L4_NUM_MRS - 1)
        msg->msg[u + 1] = w;
}
/* Untyped word u (0-based) of msg (u < 63). */
L4_INLINE L4_Word_t L4_MsgWord(L4_Msg_t *msg, L4_Word_t u)       { return msg->msg[(u + 1) & (L4_NUM_MRS - 1)]; }
/* *w := untyped word u (0-based) of msg. */
L4_INLINE void L4_MsgGetWord(L4_Msg_t *msg, L4_Word_t u, L4_Word_t *w) { *w = L4_MsgWord(msg, u); }

/* ---- map and grant items ------------------------------------------------------------------ */

#define L4_ITEM_CONTINUE        0x1UL           /* C: another typed item follows */
#define L4_ITEM_TYPE_MASK       0xEUL           /* bits 3-1 */
#define L4_ITEM_TYPE_MAP        0x8UL           /* 100b */
#define L4_ITEM_TYPE_GRANT      0xAUL           /* 101b */
#define L4_ITEM_SNDBASE_MASK    (~0x3FFUL)

typedef union {
    L4_Word_t raw[2];
    struct { L4_Word_t C : 1; L4_Word_t __type : 3; L4_Word_t __zeros : 6; L4_Word_t snd_base : 54;
             L4_Fpage_t snd_fpage; } X;
} L4_MapItem_t;
L4_STATIC_ASSERT(sizeof(L4_MapItem_t) == 16, "map item is two words");

typedef union {
    L4_Word_t raw[2];
    struct { L4_Word_t C : 1; L4_Word_t __type : 3; L4_Word_t __zeros : 6; L4_Word_t snd_base : 54;
             L4_Fpage_t snd_fpage; } X;
} L4_GrantItem_t;
L4_STATIC_ASSERT(sizeof(L4_GrantItem_t) == 16, "grant item is two words");

/* The map item that maps fpage f (with its rights) at SendBase (bits below 1 KiB ignored). */
L4_INLINE L4_MapItem_t L4_MapItem(L4_Fpage_t f, L4_Word_t SendBase)
{
    L4_MapItem_t m;
    m.raw[0] = (SendBase & L4_ITEM_SNDBASE_MASK) | L4_ITEM_TYPE_MAP;
    m.raw[1] = f.raw;
    return m;
}
/* The grant item that grants fpage f (with its rights) at SendBase. */
L4_INLINE L4_GrantItem_t L4_GrantItem(L4_Fpage_t f, L4_Word_t SendBase)
{
    L4_GrantItem_t g;
    g.raw[0] = (SendBase & L4_ITEM_SNDBASE_MASK) | L4_ITEM_TYPE_GRANT;
    g.raw[1] = f.raw;
    return g;
}
/* Is m a map item (type 100b)? */
L4_INLINE L4_Bool_t L4_IsMapItem(L4_MapItem_t m)        { return (m.raw[0] & L4_ITEM_TYPE_MASK) == L4_ITEM_TYPE_MAP; }
/* Is g a grant item (type 101b)? */
L4_INLINE L4_Bool_t L4_IsGrantItem(L4_GrantItem_t g)    { return (g.raw[0] & L4_ITEM_TYPE_MASK) == L4_ITEM_TYPE_GRANT; }
/* The fpage of map item m. */
L4_INLINE L4_Fpage_t L4_MapItemSndFpage(L4_MapItem_t m)     { return __L4_FpageFromRaw(m.raw[1]); }
/* The SendBase of map item m (1 KiB aligned). */
L4_INLINE L4_Word_t L4_MapItemSndBase(L4_MapItem_t m)       { return m.raw[0] & L4_ITEM_SNDBASE_MASK; }
/* The fpage of grant item g. */
L4_INLINE L4_Fpage_t L4_GrantItemSndFpage(L4_GrantItem_t g) { return __L4_FpageFromRaw(g.raw[1]); }
/* The SendBase of grant item g (1 KiB aligned). */
L4_INLINE L4_Word_t L4_GrantItemSndBase(L4_GrantItem_t g)   { return g.raw[0] & L4_ITEM_SNDBASE_MASK; }

/* The number of words of the typed item whose first word is w (map/grant 2, string 1 + j);
 * 0 for a type this library cannot size. */
L4_INLINE L4_Word_t __L4_ItemWords(L4_Word_t w)
{
    if ((w & 0x8UL) == 0)
        return 2 + ((w >> 4) & 0x1FUL);                 /* string item: header + j pointers */
    L4_Word_t type = w & L4_ITEM_TYPE_MASK;
    return type == L4_ITEM_TYPE_MAP || type == L4_ITEM_TYPE_GRANT ? 2 : 0;
}
/* Put the n words w[] of a typed item at typed word t (0-based) of msg, with C set iff the
 * tag has typed words after it; ignored if it would not fit into the 64 MRs. */
L4_INLINE void __L4_MsgPutWords(L4_Msg_t *msg, L4_Word_t t, const L4_Word_t *w, L4_Word_t n)
{
    L4_Word_t u = __L4_MsgU(msg), i = 1 + u + t;
    if (n == 0 || t > L4_NUM_MRS || n > L4_NUM_MRS || i + n > L4_NUM_MRS)
        return;
    msg->msg[i] = w[0] & ~L4_ITEM_CONTINUE;
    if (t + n < L4_TypedWords(msg->tag))
        msg->msg[i] |= L4_ITEM_CONTINUE;
    for (L4_Word_t k = 1; k < n; k++)
        msg->msg[i + k] = w[k];
}
/* Put the two words of a map or grant item at typed word t (0-based) of msg (as above). */
L4_INLINE void __L4_MsgPutItem(L4_Msg_t *msg, L4_Word_t t, L4_Word_t w0, L4_Word_t w1)
{
    L4_Word_t w[2] = { w0, w1 };
    __L4_MsgPutWords(msg, t, w, 2);
}
/* Append the n words w[] of a typed item after the typed items of msg: set C on the (so far)
 * last item, clear it on the new one, and add n to t; ignored if msg is full. */
L4_INLINE void __L4_MsgAppendWords(L4_Msg_t *msg, const L4_Word_t *w, L4_Word_t n)
{
    L4_Word_t u = __L4_MsgU(msg), t = __L4_MsgT(msg), end = 1 + u + t;
    if (n == 0 || n > L4_NUM_MRS || end + n > L4_NUM_MRS)
        return;
    for (L4_Word_t i = 1 + u, k; i < end; i += k) {     /* find the last item: it gets C */
        k = __L4_ItemWords(msg->msg[i]);
        if (k == 0)
            break;
        if (i + k >= end) {
            msg->msg[i] |= L4_ITEM_CONTINUE;
            break;
        }
    }
    msg->msg[end] = w[0] & ~L4_ITEM_CONTINUE;
    for (L4_Word_t k = 1; k < n; k++)
        msg->msg[end + k] = w[k];
    msg->tag.raw = (msg->tag.raw & ~(L4_MSGTAG_U_MASK | L4_MSGTAG_T_MASK)) | ((t + n) << L4_MSGTAG_T_SHIFT) | u;
}
/* Append a map or grant item (two words) after the typed items of msg (as above). */
L4_INLINE void __L4_MsgAppendItem(L4_Msg_t *msg, L4_Word_t w0, L4_Word_t w1)
{
    L4_Word_t w[2] = { w0, w1 };
    __L4_MsgAppendWords(msg, w, 2);
}
/* Append map item m to msg (after its other typed items; t grows by 2). */
L4_INLINE void L4_MsgAppendMapItem(L4_Msg_t *msg, L4_MapItem_t m)     { __L4_MsgAppendItem(msg, m.raw[0], m.raw[1]); }
/* Append grant item g to msg (after its other typed items; t grows by 2). */
L4_INLINE void L4_MsgAppendGrantItem(L4_Msg_t *msg, L4_GrantItem_t g) { __L4_MsgAppendItem(msg, g.raw[0], g.raw[1]); }
/* Replace typed words t, t+1 (0-based, counted from the first typed word) of msg by map item
 * m; the tag is not changed. */
L4_INLINE void L4_MsgPutMapItem(L4_Msg_t *msg, L4_Word_t t, L4_MapItem_t m)
{
    __L4_MsgPutItem(msg, t, m.raw[0], m.raw[1]);
}
/* Replace typed words t, t+1 of msg by grant item g; the tag is not changed. */
L4_INLINE void L4_MsgPutGrantItem(L4_Msg_t *msg, L4_Word_t t, L4_GrantItem_t g)
{
    __L4_MsgPutItem(msg, t, g.raw[0], g.raw[1]);
}
/* *m := typed words t, t+1 of msg; the number of words read (2). */
L4_INLINE L4_Word_t L4_MsgGetMapItem(L4_Msg_t *msg, L4_Word_t t, L4_MapItem_t *m)
{
    L4_Word_t i = 1 + __L4_MsgU(msg) + t;
    m->raw[0] = msg->msg[i & (L4_NUM_MRS - 1)];
    m->raw[1] = msg->msg[(i + 1) & (L4_NUM_MRS - 1)];
    return 2;
}
/* *g := typed words t, t+1 of msg; the number of words read (2). */
L4_INLINE L4_Word_t L4_MsgGetGrantItem(L4_Msg_t *msg, L4_Word_t t, L4_GrantItem_t *g)
{
    L4_Word_t i = 1 + __L4_MsgU(msg) + t;
    g->raw[0] = msg->msg[i & (L4_NUM_MRS - 1)];
    g->raw[1] = msg->msg[(i + 1) & (L4_NUM_MRS - 1)];
    return 2;
}

/* ---- string items ------------------------------------------------------------------------- */

#define L4_STRING_COMPOUND      (1UL << 9)      /* c: the next item continues this string */
#define L4_STRING_J_SHIFT       4               /* bits 8-4: j - 1 */
#define L4_STRING_J_MASK        (0x1FUL << L4_STRING_J_SHIFT)
#define L4_STRING_HINTS_MASK    0x6UL           /* bits 2-1: cache allocation hints */
#define L4_STRING_LENGTH_SHIFT  10              /* bits 63-10: bytes in each substring */
#define L4_STRING_MAX_SUBSTRINGS 32

/* A string item as it lies in the MRs or BRs: raw[0] the header, raw[1..j] the substring
 * addresses.  Only 1 + j words are meaningful; the L4_Msg* and L4_MsgBuffer* functions copy
 * just those. */
typedef union {
    L4_Word_t raw[1 + L4_STRING_MAX_SUBSTRINGS];
    struct { L4_Word_t C : 1; L4_Word_t __hints : 2; L4_Word_t __type : 1; L4_Word_t j : 5;
             L4_Word_t c : 1; L4_Word_t string_length : 54;
             union { void *string_ptr; void *substring_ptr[L4_STRING_MAX_SUBSTRINGS]; } str; } X;
} L4_StringItem_t;
L4_STATIC_ASSERT(sizeof(L4_StringItem_t) == 8 * (1 + L4_STRING_MAX_SUBSTRINGS),
                 "string item is a header and 32 pointer words");

/* The simple string item (one substring, not compound) of `size` bytes at address. */
L4_INLINE L4_StringItem_t L4_StringItem(int size, void *address)
{
    L4_StringItem_t s = { { 0 } };
    s.raw[0] = (L4_Word_t)(unsigned int)size << L4_STRING_LENGTH_SHIFT;
    s.raw[1] = (L4_Word_t)address;
    return s;
}
/* Is *s a string item (bit 3 clear)? */
L4_INLINE L4_Bool_t L4_IsStringItem(const L4_StringItem_t *s)  { return (s->raw[0] & 0x8UL) == 0; }
/* Is *s compound (c set: the next item continues the same logical string)? */
L4_INLINE L4_Bool_t L4_CompoundString(const L4_StringItem_t *s) { return (s->raw[0] & L4_STRING_COMPOUND) != 0; }
/* The number of substrings j of *s (1..32). */
L4_INLINE L4_Word_t L4_Substrings(const L4_StringItem_t *s)
{
    return ((s->raw[0] & L4_STRING_J_MASK) >> L4_STRING_J_SHIFT) + 1;
}
/* The address of substring n of *s (1-based as in X.2); 0 if *s has no substring n. */
L4_INLINE void *L4_Substring(const L4_StringItem_t *s, L4_Word_t n)
{
    return n >= 1 && n <= L4_Substrings(s) ? (void *)s->raw[n] : (void *)0;
}
/* sigma4: the length in bytes of each substring of *s (a whole simple string's length). */
L4_INLINE L4_Word_t L4_StringItemLength(const L4_StringItem_t *s)
{
    return s->raw[0] >> L4_STRING_LENGTH_SHIFT;
}
/* sigma4: set the length of each substring of *s to `size` bytes. */
L4_INLINE void L4_Set_StringItemLength(L4_StringItem_t *s, L4_Word_t size)
{
    s->raw[0] = (s->raw[0] & ((1UL << L4_STRING_LENGTH_SHIFT) - 1)) | (size << L4_STRING_LENGTH_SHIFT);
}
/* Cache allocation hints: bits 2-1 of a string item's header (carried; sigma4 copies the same
 * way whatever they say). */
typedef struct {
    L4_Word_t raw;
} L4_CacheAllocationHint_t;
#ifdef __cplusplus
}
const L4_CacheAllocationHint_t L4_UseDefaultCacheAllocation = { 0UL };
extern "C" {
#else
#define L4_UseDefaultCacheAllocation ((L4_CacheAllocationHint_t){ .raw = 0UL })
#endif
/* The hint of the first item of s. */
L4_INLINE L4_CacheAllocationHint_t L4_CacheAllocationHint(L4_StringItem_t s)
{
    L4_CacheAllocationHint_t h;
    h.raw = s.raw[0] & L4_STRING_HINTS_MASK;
    return h;
}
/* Are the hints equal? */
L4_INLINE L4_Bool_t L4_IsCacheAllocationHintEqual(L4_CacheAllocationHint_t l, L4_CacheAllocationHint_t r)
{
    return ((l.raw ^ r.raw) & L4_STRING_HINTS_MASK) == 0;
}
/* Do the hints differ? */
L4_INLINE L4_Bool_t L4_IsCacheAllocationHintNotEqual(L4_CacheAllocationHint_t l, L4_CacheAllocationHint_t r)
{
    return !L4_IsCacheAllocationHintEqual(l, r);
}
/* s with hint h added to its first item. */
L4_INLINE L4_StringItem_t L4_AddCacheAllocationHint(L4_StringItem_t s, L4_CacheAllocationHint_t h)
{
    s.raw[0] |= h.raw & L4_STRING_HINTS_MASK;
    return s;
}
/* Add hint h to the first item of *s; *s. */
L4_INLINE L4_StringItem_t L4_AddCacheAllocationHintTo(L4_StringItem_t *s, L4_CacheAllocationHint_t h)
{
    s->raw[0] |= h.raw & L4_STRING_HINTS_MASK;
    return *s;
}

/* ---- compound strings ----------------------------------------------------------------------
 * A string object (L4_StringItem_t) holds a whole logical string as X.2 lays it out in the
 * message registers: its first item at raw[0], and while an item has c set, the next item right
 * after that item's j pointer words.  All items of a compound string share nothing but the
 * chain; each has its own length and substrings.  The 33 words of L4_StringItem_t bound the
 * chain: a helper that would write past raw[32] leaves the object unchanged.  The helpers below
 * find the chain's end in the words w[0..max-1]. */

/* The number of words of the item chain starting at w[0] (each item 1 + j words, the chain
 * going on while c is set), counting only whole items inside w[0..max-1]; *last := the index
 * of the chain's last whole item (0 if not even the first fits). */
L4_INLINE L4_Word_t __L4_StringChainWords(const L4_Word_t *w, L4_Word_t max, L4_Word_t *last)
{
    L4_Word_t i = 0, l = 0;
    while (i < max) {
        L4_Word_t n = 2 + ((w[i] & L4_STRING_J_MASK) >> L4_STRING_J_SHIFT);
        if (i + n > max)
            break;
        l = i;
        i += n;
        if (!(w[l] & L4_STRING_COMPOUND))
            break;
    }
    if (last)
        *last = l;
    return i;
}
/* Set or clear C (another typed item follows) on the items of the n-word chain at w: every
 * item but the last gets C iff inner_c, the last iff last_c. */
L4_INLINE void __L4_StringChainSetC(L4_Word_t *w, L4_Word_t n, L4_Bool_t inner_c, L4_Bool_t last_c)
{
    for (L4_Word_t i = 0, k; i < n; i += k) {
        k = 2 + ((w[i] & L4_STRING_J_MASK) >> L4_STRING_J_SHIFT);
        if (i + k < n ? inner_c : last_c)
            w[i] |= L4_ITEM_CONTINUE;
        else
            w[i] &= ~L4_ITEM_CONTINUE;
    }
}

/* The number of words of the whole string *s: 1 + j for each item of its chain. */
L4_INLINE L4_Word_t L4_StringItemWords(const L4_StringItem_t *s)
{
    return __L4_StringChainWords(s->raw, 1 + L4_STRING_MAX_SUBSTRINGS, (L4_Word_t *)0);
}
/* Add a substring at substringAddress, of the same length as that item's others, to the LAST
 * item of the string *dest (a gather/scatter item grows by one pointer); dest.  Ignored if
 * that item already has 32 substrings or the string object is full. */
L4_INLINE L4_StringItem_t *L4_AddSubstringAddressTo(L4_StringItem_t *dest, void *substringAddress)
{
    L4_Word_t last, end = __L4_StringChainWords(dest->raw, 1 + L4_STRING_MAX_SUBSTRINGS, &last);
    L4_Word_t j = 1 + ((dest->raw[last] & L4_STRING_J_MASK) >> L4_STRING_J_SHIFT);
    if (j >= L4_STRING_MAX_SUBSTRINGS || end >= 1 + L4_STRING_MAX_SUBSTRINGS)
        return dest;
    dest->raw[last] = (dest->raw[last] & ~L4_STRING_J_MASK) | (j << L4_STRING_J_SHIFT);
    dest->raw[end] = (L4_Word_t)substringAddress;
    return dest;
}
/* Append the string *substring (all items of its chain, each with its own length and
 * substrings) to the string *dest: the last item of dest gets the compound bit c, the copy
 * follows it; dest.  Ignored if the result does not fit into the 33 words of dest. */
L4_INLINE L4_StringItem_t *L4_AddSubstringTo(L4_StringItem_t *dest, const L4_StringItem_t *substring)
{
    L4_Word_t last, end = __L4_StringChainWords(dest->raw, 1 + L4_STRING_MAX_SUBSTRINGS, &last);
    L4_Word_t n = L4_StringItemWords(substring);
    if (n == 0 || end + n > 1 + L4_STRING_MAX_SUBSTRINGS)
        return dest;
    L4_Word_t copy[1 + L4_STRING_MAX_SUBSTRINGS];          /* substring may alias dest */
    for (L4_Word_t k = 0; k < n; k++)
        copy[k] = substring->raw[k];
    dest->raw[last] |= L4_STRING_COMPOUND;
    for (L4_Word_t k = 0; k < n; k++)
        dest->raw[end + k] = copy[k];
    __L4_StringChainSetC(&dest->raw[end], n, 0, 0);
    return dest;
}
/* Append the first item of *s as a simple string (one substring, c clear) after the typed items
 * of msg. */
L4_INLINE void L4_MsgAppendSimpleStringItem(L4_Msg_t *msg, L4_StringItem_t s)
{
    s.raw[0] &= ~(L4_STRING_J_MASK | L4_STRING_COMPOUND);
    __L4_MsgAppendWords(msg, s.raw, 2);
}
/* Append the whole string *s (every item of its chain with all its substrings) after the typed
 * items of msg, C set on each item but the message's last; t grows by the string's words;
 * ignored if msg is full. */
L4_INLINE void L4_MsgAppendStringItem(L4_Msg_t *msg, const L4_StringItem_t *s)
{
    L4_Word_t n = L4_StringItemWords(s), end = 1 + __L4_MsgU(msg) + __L4_MsgT(msg);
    __L4_MsgAppendWords(msg, s->raw, n);
    if (end + n <= L4_NUM_MRS && n > 0)
        __L4_StringChainSetC(&msg->msg[end], n, 1, 0);
}
/* Replace typed words t, t+1 (0-based) of msg by the first item of s as a simple string (one
 * substring, c clear; C as the tag implies); the tag is not changed. */
L4_INLINE void L4_MsgPutSimpleStringItem(L4_Msg_t *msg, L4_Word_t t, L4_StringItem_t s)
{
    s.raw[0] &= ~(L4_STRING_J_MASK | L4_STRING_COMPOUND);
    __L4_MsgPutWords(msg, t, s.raw, 2);
}
/* Replace the typed words from t (0-based) of msg by the whole string *s (C on each item
 * but the last, which has C as the tag implies); the tag is not changed. */
L4_INLINE void L4_MsgPutStringItem(L4_Msg_t *msg, L4_Word_t t, const L4_StringItem_t *s)
{
    L4_Word_t n = L4_StringItemWords(s), i = 1 + __L4_MsgU(msg) + t;
    __L4_MsgPutWords(msg, t, s->raw, n);
    if (n > 0 && t <= L4_NUM_MRS && i + n <= L4_NUM_MRS)
        __L4_StringChainSetC(&msg->msg[i], n, 1, t + n < L4_TypedWords(msg->tag));
}
/* *s := the whole string (every item of the chain, up to the message's last typed word) at
 * typed word t (0-based) of msg; the number of words read, 0 if there is no string item there. */
L4_INLINE L4_Word_t L4_MsgGetStringItem(L4_Msg_t *msg, L4_Word_t t, L4_StringItem_t *s)
{
    L4_Word_t u = __L4_MsgU(msg), i = 1 + u + t, end = 1 + u + __L4_MsgT(msg);
    if (t >= L4_NUM_MRS || i >= end || (msg->msg[i] & 0x8UL) != 0)
        return 0;
    L4_Word_t max = end - i < 1 + L4_STRING_MAX_SUBSTRINGS ? end - i : 1 + L4_STRING_MAX_SUBSTRINGS;
    L4_Word_t n = __L4_StringChainWords(&msg->msg[i], max, (L4_Word_t *)0);
    for (L4_Word_t k = 0; k < n; k++)
        s->raw[k] = msg->msg[i + k];
    return n;
}
/* ---- acceptors and message buffers -------------------------------------------------------- */

#define L4_ACCEPT_STRINGS       0x1UL           /* s */
#define L4_ACCEPT_CTRLXFER      0x2UL           /* c (P ext.; unused by sigma4) */
#define L4_ACCEPT_WINDOW_MASK   (~0xFUL)

typedef union {
    L4_Word_t raw;
    struct { L4_Word_t s : 1; L4_Word_t c : 1; L4_Word_t __zeros : 2; L4_Word_t RcvWindow : 60; } X;
} L4_Acceptor_t;

/* Receive buffers for string items: the items that go into BR1..BR32, back to back. */
typedef union {
    L4_Word_t raw[L4_NUM_BRS - 1];
} L4_MsgBuffer_t;

#ifdef __cplusplus
}
const L4_Acceptor_t L4_UntypedWordsAcceptor = { 0UL };
const L4_Acceptor_t L4_StringItemsAcceptor = { L4_ACCEPT_STRINGS };
extern "C" {
#else
#define L4_UntypedWordsAcceptor ((L4_Acceptor_t){ .raw = 0UL })
#define L4_StringItemsAcceptor  ((L4_Acceptor_t){ .raw = L4_ACCEPT_STRINGS })
#endif

/* An acceptor with the given raw word. */
L4_INLINE L4_Acceptor_t __L4_AcceptorFromRaw(L4_Word_t raw)
{
    L4_Acceptor_t a;
    a.raw = raw;
    return a;
}
/* The acceptor for map and grant items into the receive window RcvWindow. */
L4_INLINE L4_Acceptor_t L4_MapGrantItems(L4_Fpage_t RcvWindow)
{
    return __L4_AcceptorFromRaw(RcvWindow.raw & L4_ACCEPT_WINDOW_MASK);
}
/* Accept what l or r accepts (r's window wins if it has one). */
L4_INLINE L4_Acceptor_t L4_AddAcceptor(L4_Acceptor_t l, L4_Acceptor_t r)
{
    L4_Word_t win = (r.raw & L4_ACCEPT_WINDOW_MASK) ? r.raw : l.raw;
    return __L4_AcceptorFromRaw(((l.raw | r.raw) & ~L4_ACCEPT_WINDOW_MASK) | (win & L4_ACCEPT_WINDOW_MASK));
}
/* *l := L4_AddAcceptor(*l, r); the new acceptor. */
L4_INLINE L4_Acceptor_t L4_AddAcceptorTo(L4_Acceptor_t *l, L4_Acceptor_t r)
{
    *l = L4_AddAcceptor(*l, r);
    return *l;
}
/* l without what r accepts (strings if r has s, the window if r has one). */
L4_INLINE L4_Acceptor_t L4_RemoveAcceptor(L4_Acceptor_t l, L4_Acceptor_t r)
{
    L4_Word_t raw = l.raw & ~(r.raw & ~L4_ACCEPT_WINDOW_MASK);
    if (r.raw & L4_ACCEPT_WINDOW_MASK)
        raw &= ~L4_ACCEPT_WINDOW_MASK;
    return __L4_AcceptorFromRaw(raw);
}
/* *l := L4_RemoveAcceptor(*l, r); the new acceptor. */
L4_INLINE L4_Acceptor_t L4_RemoveAcceptorFrom(L4_Acceptor_t *l, L4_Acceptor_t r)
{
    *l = L4_RemoveAcceptor(*l, r);
    return *l;
}
/* Does a accept string items? */
L4_INLINE L4_Bool_t L4_HasStringItems(L4_Acceptor_t a)     { return (a.raw & L4_ACCEPT_STRINGS) != 0; }
/* Does a accept map and grant items (non-nil window)? */
L4_INLINE L4_Bool_t L4_HasMapGrantItems(L4_Acceptor_t a)   { return (a.raw & L4_ACCEPT_WINDOW_MASK) != 0; }
/* The receive window of a (no rights). */
L4_INLINE L4_Fpage_t L4_RcvWindow(L4_Acceptor_t a)         { return __L4_FpageFromRaw(a.raw & L4_ACCEPT_WINDOW_MASK); }
/* BR0 := a (string buffers, if any, must already be in BR1..). */
L4_INLINE void L4_Accept(L4_Acceptor_t a)                  { L4_LoadBR(0, a.raw); }
/* The acceptor in BR0. */
L4_INLINE L4_Acceptor_t L4_Accepted(void)                  { return __L4_AcceptorFromRaw(__L4_UtcbGet(UTCB_BR(0))); }

/* Make b hold one empty string buffer (header and address 0: the next append replaces it). */
L4_INLINE void L4_MsgBufferClear(L4_MsgBuffer_t *b)        { b->raw[0] = b->raw[1] = 0; }
/* Is the item slot at word i of b empty (header and address 0, as after L4_MsgBufferClear)? */
L4_INLINE L4_Bool_t __L4_MsgBufferSlotEmpty(const L4_MsgBuffer_t *b, L4_Word_t i)
{
    return i + 1 >= L4_NUM_BRS - 1 || (b->raw[i] == 0 && b->raw[i + 1] == 0);
}
/* Append the n words w[] of a buffer item to b.  The chain starts at word 0 and goes on while
 * an item has C or c and the slot after it is not empty; if word 0 is empty the new item goes
 * there, otherwise after the last item of the chain, which gets C (another item follows).  The
 * new item's C is cleared and the two words after it (if inside BR1..BR32) are zeroed, so that
 * the next append finds the end.  Ignored if the item does not fit into BR1..BR32. */
L4_INLINE void __L4_MsgBufferAppend(L4_MsgBuffer_t *b, const L4_Word_t *w, L4_Word_t n)
{
    L4_Word_t size = L4_NUM_BRS - 1, end = 0, last = 0;
    int chained = !__L4_MsgBufferSlotEmpty(b, 0);
    if (chained) {
        for (;;) {
            L4_Word_t head = b->raw[last];
            end = last + 2 + ((head & L4_STRING_J_MASK) >> L4_STRING_J_SHIFT);
            if (!(head & (L4_ITEM_CONTINUE | L4_STRING_COMPOUND)) || end >= size ||
                __L4_MsgBufferSlotEmpty(b, end))
                break;
            last = end;
        }
    }
    if (n == 0 || end + n > size)
        return;
    if (chained)
        b->raw[last] |= L4_ITEM_CONTINUE;
    b->raw[end] = w[0] & ~L4_ITEM_CONTINUE;
    for (L4_Word_t k = 1; k < n; k++)
        b->raw[end + k] = w[k];
    for (L4_Word_t k = end + n; k < end + n + 2 && k < size; k++)
        b->raw[k] = 0;
}
/* Append a simple receive buffer (one substring, c clear) of s's length at s's address to b. */
L4_INLINE void L4_MsgBufferAppendSimpleRcvString(L4_MsgBuffer_t *b, L4_StringItem_t s)
{
    s.raw[0] &= ~(L4_STRING_J_MASK | L4_STRING_COMPOUND);
    __L4_MsgBufferAppend(b, s.raw, 2);
}
/* Append the whole string *s (every item of its chain) as a receive buffer to b: an item with
 * j > 1 is a scatter buffer; the items of a compound string (c) make one logical buffer. */
L4_INLINE void L4_MsgBufferAppendRcvString(L4_MsgBuffer_t *b, const L4_StringItem_t *s)
{
    L4_Word_t w[1 + L4_STRING_MAX_SUBSTRINGS], n = L4_StringItemWords(s);
    for (L4_Word_t k = 0; k < n; k++)
        w[k] = s->raw[k];
    __L4_StringChainSetC(w, n, 0, 0);
    __L4_MsgBufferAppend(b, w, n);
}
/* BR0 := a; BR1.. := the string items of b (each item: header word with C in bit 0, c in bit 9,
 * j-1 in bits 8-4, then j pointer words; the chain goes on while C or c is set). */
L4_INLINE void L4_AcceptStrings(L4_Acceptor_t a, L4_MsgBuffer_t *b)
{
    L4_Word_t i = 0, more;
    L4_Accept(a);
    do {
        L4_Word_t head = b->raw[i], n = 2 + ((head >> 4) & 0x1F);
        if (i + n > L4_NUM_BRS - 1)
            break;
        L4_LoadBRs((int)(1 + i), (int)n, &b->raw[i]);
        more = head & ((1UL << 9) | 1UL);
        i += n;
    } while (more);
}

#ifdef __cplusplus
}   /* extern "C" */

/* ---- C++ overloads (X.2 convenience interface) ------------------------------------------- */
/* Each overload or operator is the C function it calls (or the raw comparison it makes), under
 * the name X.2 gives it in C++. */

inline bool operator==(const L4_MsgTag_t &l, const L4_MsgTag_t &r) { return l.raw == r.raw; }
inline bool operator!=(const L4_MsgTag_t &l, const L4_MsgTag_t &r) { return l.raw != r.raw; }
inline L4_MsgTag_t operator+(const L4_MsgTag_t &t, int label)      { return L4_MsgTagAddLabel(t, label); }
inline L4_MsgTag_t operator+=(L4_MsgTag_t &t, int label)           { return L4_MsgTagAddLabelTo(&t, label); }

inline void L4_Put(L4_Msg_t *msg, L4_Word_t label, int u, L4_Word_t *Untyped, int t, void *Items)
{
    L4_MsgPut(msg, label, u, Untyped, t, Items);
}
inline void L4_Put(L4_Msg_t *msg, L4_Word_t u, L4_Word_t w)        { L4_MsgPutWord(msg, u, w); }
inline void L4_Get(const L4_Msg_t *msg, L4_Word_t *Untyped, void *Items) { L4_MsgGet(msg, Untyped, Items); }
inline L4_Word_t L4_Get(L4_Msg_t *msg, L4_Word_t u)                { return L4_MsgWord(msg, u); }
inline void L4_Get(L4_Msg_t *msg, L4_Word_t u, L4_Word_t *w)       { L4_MsgGetWord(msg, u, w); }
inline L4_MsgTag_t L4_MsgTag(const L4_Msg_t *msg)                  { return L4_MsgMsgTag(msg); }
inline void L4_Set_MsgTag(L4_Msg_t *msg, L4_MsgTag_t t)            { L4_Set_MsgMsgTag(msg, t); }
inline L4_Word_t L4_Label(const L4_Msg_t *msg)                     { return L4_MsgLabel(msg); }
inline void L4_Set_Label(L4_Msg_t *msg, L4_Word_t label)           { L4_Set_MsgLabel(msg, label); }
inline void L4_Load(L4_Msg_t *msg)                                 { L4_MsgLoad(msg); }
inline void L4_Store(L4_MsgTag_t t, L4_Msg_t *msg)                 { L4_MsgStore(t, msg); }
inline void L4_Clear(L4_Msg_t *msg)                                { L4_MsgClear(msg); }
inline void L4_Append(L4_Msg_t *msg, L4_Word_t w)                  { L4_MsgAppendWord(msg, w); }
inline void L4_Append(L4_Msg_t *msg, int w)                        { L4_MsgAppendWord(msg, (L4_Word_t)(long)w); }
inline void L4_Append(L4_Msg_t *msg, L4_MapItem_t m)               { L4_MsgAppendMapItem(msg, m); }
inline void L4_Append(L4_Msg_t *msg, L4_GrantItem_t g)             { L4_MsgAppendGrantItem(msg, g); }
inline void L4_Put(L4_Msg_t *msg, L4_Word_t t, L4_MapItem_t m)     { L4_MsgPutMapItem(msg, t, m); }
inline void L4_Put(L4_Msg_t *msg, L4_Word_t t, L4_GrantItem_t g)   { L4_MsgPutGrantItem(msg, t, g); }
inline L4_Word_t L4_Get(L4_Msg_t *msg, L4_Word_t t, L4_MapItem_t *m)   { return L4_MsgGetMapItem(msg, t, m); }
inline L4_Word_t L4_Get(L4_Msg_t *msg, L4_Word_t t, L4_GrantItem_t *g) { return L4_MsgGetGrantItem(msg, t, g); }

inline L4_Bool_t L4_MapItem(L4_MapItem_t m)                        { return L4_IsMapItem(m); }
inline L4_Bool_t L4_GrantItem(L4_GrantItem_t g)                    { return L4_IsGrantItem(g); }
inline L4_Fpage_t L4_SndFpage(L4_MapItem_t m)                      { return L4_MapItemSndFpage(m); }
inline L4_Fpage_t L4_SndFpage(L4_GrantItem_t g)                    { return L4_GrantItemSndFpage(g); }
inline L4_Word_t L4_SndBase(L4_MapItem_t m)                        { return L4_MapItemSndBase(m); }
inline L4_Word_t L4_SndBase(L4_GrantItem_t g)                      { return L4_GrantItemSndBase(g); }

inline L4_Acceptor_t operator+(const L4_Acceptor_t &l, const L4_Acceptor_t &r) { return L4_AddAcceptor(l, r); }
inline L4_Acceptor_t operator+=(L4_Acceptor_t &l, const L4_Acceptor_t &r)      { return L4_AddAcceptorTo(&l, r); }
inline L4_Acceptor_t operator-(const L4_Acceptor_t &l, const L4_Acceptor_t &r) { return L4_RemoveAcceptor(l, r); }
inline L4_Acceptor_t operator-=(L4_Acceptor_t &l, const L4_Acceptor_t &r)      { return L4_RemoveAcceptorFrom(&l, r); }
inline L4_Bool_t L4_StringItems(L4_Acceptor_t a)                   { return L4_HasStringItems(a); }
inline L4_Bool_t L4_MapGrantItems(L4_Acceptor_t a)                 { return L4_HasMapGrantItems(a); }
inline void L4_Accept(L4_Acceptor_t a, L4_MsgBuffer_t *b)          { L4_AcceptStrings(a, b); }
inline void L4_Clear(L4_MsgBuffer_t *b)                            { L4_MsgBufferClear(b); }

inline L4_Bool_t L4_StringItem(const L4_StringItem_t *s)           { return L4_IsStringItem(s); }
inline L4_Bool_t L4_StringItem(const L4_StringItem_t &s)           { return L4_IsStringItem(&s); }
inline L4_Bool_t L4_CompoundString(const L4_StringItem_t &s)       { return L4_CompoundString(&s); }
inline L4_Word_t L4_Substrings(const L4_StringItem_t &s)           { return L4_Substrings(&s); }
inline void *L4_Substring(const L4_StringItem_t &s, L4_Word_t n)   { return L4_Substring(&s, n); }
inline L4_StringItem_t &operator+=(L4_StringItem_t &dest, const L4_StringItem_t &substring)
{
    return *L4_AddSubstringTo(&dest, &substring);
}
inline L4_StringItem_t &operator+=(L4_StringItem_t &dest, void *substringAddress)
{
    return *L4_AddSubstringAddressTo(&dest, substringAddress);
}
inline void L4_Append(L4_Msg_t *msg, L4_StringItem_t s)            { L4_MsgAppendSimpleStringItem(msg, s); }
inline void L4_Append(L4_Msg_t *msg, const L4_StringItem_t *s)     { L4_MsgAppendStringItem(msg, s); }
inline void L4_Put(L4_Msg_t *msg, L4_Word_t t, const L4_StringItem_t *s) { L4_MsgPutStringItem(msg, t, s); }
inline void L4_Put(L4_Msg_t *msg, L4_Word_t t, L4_StringItem_t s)  { L4_MsgPutSimpleStringItem(msg, t, s); }
inline L4_Word_t L4_Get(L4_Msg_t *msg, L4_Word_t t, L4_StringItem_t *s)  { return L4_MsgGetStringItem(msg, t, s); }
inline void L4_Append(L4_MsgBuffer_t *b, L4_StringItem_t s)        { L4_MsgBufferAppendSimpleRcvString(b, s); }
inline bool operator==(const L4_CacheAllocationHint_t &l, const L4_CacheAllocationHint_t &r) { return L4_IsCacheAllocationHintEqual(l, r); }
inline bool operator!=(const L4_CacheAllocationHint_t &l, const L4_CacheAllocationHint_t &r) { return L4_IsCacheAllocationHintNotEqual(l, r); }
inline L4_StringItem_t operator+(const L4_StringItem_t &s, const L4_CacheAllocationHint_t &h) { return L4_AddCacheAllocationHint(s, h); }
inline L4_StringItem_t operator+=(L4_StringItem_t &s, const L4_CacheAllocationHint_t &h)     { return L4_AddCacheAllocationHintTo(&s, h); }
inline void L4_Append(L4_MsgBuffer_t *b, const L4_StringItem_t *s) { L4_MsgBufferAppendRcvString(b, s); }
#endif
