/* test_compat_lib.c — in-system tests of libl4 as X.2 programs use it (issue 12, items 5-7):
 * compound strings built with the convenience helpers and sent between two threads, the KIP
 * read through the X.2 structure view, and the names X.2 programs expect (IO-fpages, time and
 * clock arithmetic, fpage status bits, coprocessor flags, API constants).
 *
 * String transfers: a receiver thread in the root task's space (priority 100) loads the string
 * buffers of `cr.buf`, waits for one message and records its tag, ErrorCode and MRs; the test
 * (the root thread) sends the message it built.  SRC holds a byte pattern, DST is filled with
 * SENTINEL, so every byte the kernel copies, and every byte it must not touch, is checked.
 */
#include <string.h>
#include <l4/l4.h>
#include <l4/arch.h>
#include "tutil.h"

#define AREA            8192UL
#define SENTINEL        0xEE
#define RCV_TMO         L4_TimePeriod(5000000)

static unsigned char src_bytes[AREA] __attribute__((aligned(4096)));
static unsigned char dst_bytes[AREA] __attribute__((aligned(4096)));
#define SRC             ((L4_Word_t)src_bytes)
#define DST             ((L4_Word_t)dst_bytes)

/* ---- one string transfer ------------------------------------------------------------------ */

struct crecv {
    L4_MsgBuffer_t buf;                 /* in: the receive buffers */
    volatile L4_Word_t ready, done;
    L4_Word_t err;                      /* ErrorCode if the receive failed, else 0 */
    L4_Word_t mr[L4_NUM_MRS];           /* [0] the tag, [1..63] MR1..MR63 */
};
static struct crecv cr;

static void crecv_run(void *arg)
{
    struct crecv *r = arg;
    L4_ThreadId_t from;
    L4_AcceptStrings(L4_StringItemsAcceptor, &r->buf);
    r->ready = 1;
    L4_MsgTag_t tag = L4_Wait_Timeout(RCV_TMO, &from);
    r->err = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    L4_StoreMRs(1, L4_NUM_MRS - 1, &r->mr[1]);
    r->mr[0] = tag.raw;
    r->done = 1;
}

/* Fresh areas and an empty receiver record. */
static void reset(void)
{
    for (L4_Word_t i = 0; i < AREA; i++)
        src_bytes[i] = (unsigned char)(i * 7 + (i >> 8) + 3);
    memset(dst_bytes, SENTINEL, AREA);
    memset(&cr, 0, sizeof(cr));
    L4_MsgBufferClear(&cr.buf);
}

/* Start a receiver with the buffers in cr.buf, send it msg; 1 if both sides succeeded. */
static int transfer(L4_Msg_t *msg)
{
    L4_ThreadId_t r = tu_create(crecv_run, &cr, 100);
    if (L4_IsNilThread(r) || !TU_WAIT(cr.ready && tu_state(r) == L4_SCHEDRESULT_WAITING))
        return 0;
    L4_MsgLoad(msg);
    L4_MsgTag_t tag = L4_Send_Timeout(r, RCV_TMO);
    if (L4_IpcFailed(tag)) {
        printf("# send failed: error %lx\n", L4_ErrorCode());
        return 0;
    }
    if (!TU_WAIT(cr.done))
        return 0;
    if (cr.err)
        printf("# receive failed: error %lx\n", cr.err);
    return cr.err == 0;
}

struct seg {
    L4_Word_t addr, len;
};

/* Do the destination segments d[] hold the concatenated source segments s[] (then SENTINEL up
 * to each segment's end), and is the byte after each destination segment untouched? */
static int same_bytes(const struct seg *s, int ns, const struct seg *d, int nd)
{
    int si = 0;
    L4_Word_t so = 0;
    for (int di = 0; di < nd; di++) {
        for (L4_Word_t o = 0; o < d[di].len; o++) {
            while (si < ns && so == s[si].len) {
                si++;
                so = 0;
            }
            unsigned char want = si < ns ? ((unsigned char *)s[si].addr)[so++] : SENTINEL;
            unsigned char got = ((volatile unsigned char *)d[di].addr)[o];
            if (got != want) {
                printf("# buffer %d byte %lu: %02x, expected %02x\n", di, o, got, want);
                return 0;
            }
        }
        if (((volatile unsigned char *)d[di].addr)[d[di].len] != SENTINEL) {
            printf("# byte after buffer %d written\n", di);
            return 0;
        }
    }
    return si >= ns || (si == ns - 1 && so == s[si].len);
}

/* ---- item 5: compound strings ------------------------------------------------------------- */

/* The words L4_AddSubstringTo and L4_AddSubstringAddressTo build: each new item after the
 * chain's last, c on the item before it, a new address on the last item. */
TTEST(compat, string_chain_words)
{
    static char a[8], b[8], c[8], d[8];
    L4_StringItem_t s = L4_StringItem(10, a), t = L4_StringItem(20, b), u;
    KCHECK(L4_AddSubstringTo(&s, &t) == &s);
    KCHECK_EQ(s.raw[0], (10UL << 10) | L4_STRING_COMPOUND);
    KCHECK_EQ(s.raw[1], (L4_Word_t)a);
    KCHECK_EQ(s.raw[2], 20UL << 10);
    KCHECK_EQ(s.raw[3], (L4_Word_t)b);
    L4_AddSubstringAddressTo(&s, c);                    /* the last item gathers */
    KCHECK_EQ(s.raw[0], (10UL << 10) | L4_STRING_COMPOUND);
    KCHECK_EQ(s.raw[2], (20UL << 10) | (1UL << 4));
    KCHECK_EQ(s.raw[4], (L4_Word_t)c);
    KCHECK_EQ(L4_StringItemWords(&s), 5);
    KCHECK(L4_CompoundString(&s) && L4_Substrings(&s) == 1);

    /* A compound string added to another: all its items, in order. */
    u = L4_StringItem(5, d);
    L4_AddSubstringTo(&u, &s);
    KCHECK_EQ(L4_StringItemWords(&u), 7);
    KCHECK_EQ(u.raw[0], (5UL << 10) | L4_STRING_COMPOUND);
    for (int i = 0; i < 5; i++)
        KCHECK_EQ(u.raw[2 + i], s.raw[i]);

    /* Full: 33 words hold at most 16 two-word items; the 17th is ignored, as is a 33rd word. */
    L4_StringItem_t f = L4_StringItem(1, a);
    for (int i = 1; i < 16; i++)
        L4_AddSubstringTo(&f, &t);
    KCHECK_EQ(L4_StringItemWords(&f), 32);
    L4_AddSubstringTo(&f, &t);
    KCHECK_EQ(L4_StringItemWords(&f), 32);
    KCHECK_EQ(f.raw[30] & L4_STRING_COMPOUND, 0);       /* still the last item */
    L4_AddSubstringAddressTo(&f, c);
    KCHECK_EQ(L4_StringItemWords(&f), 33);
    L4_AddSubstringAddressTo(&f, d);
    KCHECK_EQ(L4_StringItemWords(&f), 33);
    KCHECK_EQ(f.raw[32], (L4_Word_t)c);
}

/* A compound string of three items sent with L4_MsgAppendStringItem lands in one buffer. */
TTEST(compat, string_compound_send)
{
    reset();
    L4_MsgBufferAppendSimpleRcvString(&cr.buf, L4_StringItem(100, (void *)DST));
    L4_StringItem_t s = L4_StringItem(10, (void *)SRC);
    L4_StringItem_t b = L4_StringItem(20, (void *)(SRC + 100));
    L4_StringItem_t c = L4_StringItem(30, (void *)(SRC + 300));
    L4_AddSubstringTo(&s, &b);
    L4_AddSubstringTo(&s, &c);
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendWord(&msg, 0x77);
    L4_MsgAppendStringItem(&msg, &s);
    KCHECK_EQ(L4_TypedWords(msg.tag), 6);               /* all three items */
    KCHECK(msg.msg[2] & msg.msg[4] & 1);                /* C on the first two */
    KCHECK_EQ(msg.msg[6] & 1, 0);
    KCHECK(transfer(&msg));
    KCHECK_EQ(L4_TypedWords((L4_MsgTag_t){ .raw = cr.mr[0] }), 2);
    KCHECK_EQ(cr.mr[1], 0x77);
    KCHECK_EQ(cr.mr[2], 60UL << 10);
    KCHECK_EQ(cr.mr[3], DST);
    struct seg from[] = { { SRC, 10 }, { SRC + 100, 20 }, { SRC + 300, 30 } };
    struct seg into[] = { { DST, 100 } };
    KCHECK(same_bytes(from, 3, into, 1));
}

/* A substring address added after L4_AddSubstringTo gathers on the last item. */
TTEST(compat, string_gather_last_item)
{
    reset();
    L4_MsgBufferAppendSimpleRcvString(&cr.buf, L4_StringItem(64, (void *)DST));
    L4_StringItem_t s = L4_StringItem(16, (void *)SRC), t = L4_StringItem(8, (void *)(SRC + 200));
    L4_AddSubstringTo(&s, &t);
    L4_AddSubstringAddressTo(&s, (void *)(SRC + 400));
    L4_AddSubstringAddressTo(&s, (void *)(SRC + 4093));     /* across a page */
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendStringItem(&msg, &s);
    KCHECK_EQ(L4_TypedWords(msg.tag), 6);
    KCHECK(transfer(&msg));
    KCHECK_EQ(cr.mr[1], 40UL << 10);
    struct seg from[] = { { SRC, 16 }, { SRC + 200, 8 }, { SRC + 400, 8 }, { SRC + 4093, 8 } };
    struct seg into[] = { { DST, 64 } };
    KCHECK(same_bytes(from, 4, into, 1));
}

/* A receive buffer built the same way: a compound buffer whose last item scatters. */
TTEST(compat, string_scatter_compound_buffer)
{
    reset();
    L4_StringItem_t b = L4_StringItem(12, (void *)DST), c = L4_StringItem(20, (void *)(DST + 100));
    L4_AddSubstringTo(&b, &c);
    L4_AddSubstringAddressTo(&b, (void *)(DST + 200));
    L4_AddSubstringAddressTo(&b, (void *)(DST + 300));
    L4_MsgBufferAppendRcvString(&cr.buf, &b);
    KCHECK_EQ(cr.buf.raw[0], (12UL << 10) | L4_STRING_COMPOUND);
    KCHECK_EQ(cr.buf.raw[2], (20UL << 10) | (2UL << 4));
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendSimpleStringItem(&msg, L4_StringItem(60, (void *)(SRC + 33)));
    KCHECK(transfer(&msg));
    KCHECK_EQ(cr.mr[1], 60UL << 10);
    KCHECK_EQ(cr.mr[2], DST);
    struct seg from[] = { { SRC + 33, 60 } };
    struct seg into[] = { { DST, 12 }, { DST + 100, 20 }, { DST + 200, 20 }, { DST + 300, 20 } };
    KCHECK(same_bytes(from, 1, into, 4));
}

/* Two compound strings in one message, each into its own compound buffer. */
TTEST(compat, string_two_compounds)
{
    reset();
    L4_StringItem_t b1 = L4_StringItem(8, (void *)DST), b1b = L4_StringItem(40, (void *)(DST + 64));
    L4_AddSubstringTo(&b1, &b1b);
    L4_StringItem_t b2 = L4_StringItem(16, (void *)(DST + 1024));
    L4_AddSubstringAddressTo(&b2, (void *)(DST + 1100));
    L4_MsgBufferAppendRcvString(&cr.buf, &b1);
    L4_MsgBufferAppendRcvString(&cr.buf, &b2);
    KCHECK_EQ(cr.buf.raw[2] & 1, 1);                    /* end of buffer 1: C */

    L4_StringItem_t s1 = L4_StringItem(5, (void *)SRC), s1b = L4_StringItem(25, (void *)(SRC + 50));
    L4_AddSubstringTo(&s1, &s1b);
    L4_StringItem_t s2 = L4_StringItem(3, (void *)(SRC + 500)), s2b = L4_StringItem(7, (void *)(SRC + 600));
    L4_AddSubstringTo(&s2, &s2b);
    L4_AddSubstringAddressTo(&s2, (void *)(SRC + 700));
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendStringItem(&msg, &s1);
    L4_MsgAppendWord(&msg, 0x1234);                     /* typed items move up */
    L4_MsgAppendStringItem(&msg, &s2);
    KCHECK_EQ(L4_UntypedWords(msg.tag), 1);
    KCHECK_EQ(L4_TypedWords(msg.tag), 4 + 5);
    KCHECK(transfer(&msg));
    KCHECK_EQ(L4_TypedWords((L4_MsgTag_t){ .raw = cr.mr[0] }), 4);
    KCHECK_EQ(cr.mr[1], 0x1234);
    KCHECK_EQ(cr.mr[2], (30UL << 10) | 1);
    KCHECK_EQ(cr.mr[4], 17UL << 10);
    KCHECK_EQ(cr.mr[5], DST + 1024);
    struct seg f1[] = { { SRC, 5 }, { SRC + 50, 25 } }, i1[] = { { DST, 8 }, { DST + 64, 40 } };
    KCHECK(same_bytes(f1, 2, i1, 2));
    struct seg f2[] = { { SRC + 500, 3 }, { SRC + 600, 7 }, { SRC + 700, 7 } };
    struct seg i2[] = { { DST + 1024, 16 }, { DST + 1100, 16 } };
    KCHECK(same_bytes(f2, 3, i2, 2));
}

/* L4_MsgGetStringItem reads the whole chain, L4_MsgPutStringItem writes it. */
TTEST(compat, string_msg_get_put)
{
    static char a[8], b[8], c[8];
    L4_StringItem_t s = L4_StringItem(4, a), t = L4_StringItem(6, b), x;
    L4_AddSubstringTo(&s, &t);
    L4_AddSubstringAddressTo(&s, c);
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendWord(&msg, 1);
    L4_MsgAppendStringItem(&msg, &s);
    L4_MsgAppendSimpleStringItem(&msg, L4_StringItem(9, c));
    KCHECK_EQ(L4_MsgGetStringItem(&msg, 0, &x), 5);
    KCHECK_EQ(x.raw[0], s.raw[0] | 1);
    KCHECK(x.raw[2] == (s.raw[2] | 1) && x.raw[3] == (L4_Word_t)b && x.raw[4] == (L4_Word_t)c);
    KCHECK_EQ(L4_MsgGetStringItem(&msg, 5, &x), 2);
    KCHECK_EQ(x.raw[0], 9UL << 10);
    L4_StringItem_t p = L4_StringItem(2, a), q = L4_StringItem(3, b);
    L4_AddSubstringTo(&p, &q);                          /* 4 words over the first 5 */
    L4_MsgPutStringItem(&msg, 0, &p);
    KCHECK_EQ(msg.msg[2], (2UL << 10) | L4_STRING_COMPOUND | 1);
    KCHECK_EQ(msg.msg[4], (3UL << 10) | 1);             /* more typed words follow */
    KCHECK_EQ(L4_TypedWords(msg.tag), 7);
}

/* ---- item 6: the KIP as an X.2 structure -------------------------------------------------- */

/* Every field of the structure view reads what the accessors read. */
TTEST(compat, kip_struct_matches_accessors)
{
    void *kip = L4_GetKernelInterface();
    L4_KernelInterfacePage_t *k = (L4_KernelInterfacePage_t *)kip;
    KCHECK_EQ(k->magic & 0xFFFFFFFFUL, L4_MAGIC);
    KCHECK_EQ(k->ApiVersion.raw, L4_ApiVersion());
    KCHECK_EQ(k->ApiVersion.X.version, L4_APIVERSION_X2);
    KCHECK_EQ(k->ApiVersion.x.subversion, L4_APISUBVERSION_X2);
    KCHECK_EQ(k->ApiFlags.raw, L4_ApiFlags());
    KCHECK_EQ(k->ApiFlags.x.ww, L4_APIFLAG_64BIT);
    KCHECK_EQ(k->ApiFlags.X.ee, L4_APIFLAG_LE);
    KCHECK_EQ(k->ThreadInfo.X.t, L4_ThreadIdBits(kip));
    KCHECK_EQ(k->ThreadInfo.X.SystemBase, L4_ThreadIdSystemBase(kip));
    KCHECK_EQ(k->ThreadInfo.X.UserBase, L4_ThreadIdUserBase(kip));
    KCHECK_EQ(k->UtcbAreaInfo.X.s, L4_UtcbAreaSizeLog2(kip));
    KCHECK_EQ(k->UtcbAreaInfo.X.a, L4_UtcbAlignmentLog2(kip));
    KCHECK_EQ((1UL << k->UtcbAreaInfo.X.a) * k->UtcbAreaInfo.X.m, L4_UtcbSize(kip));
    KCHECK_EQ(k->KipAreaInfo.X.s, L4_KipAreaSizeLog2(kip));
    KCHECK_EQ(k->KipAreaInfo.X.s, 12);
    KCHECK_EQ(k->PageInfo.X.page_size_mask << 10, L4_PageSizeMask(kip));
    KCHECK_EQ(k->PageInfo.X.rwx, L4_PageRights(kip));
    KCHECK_EQ(k->ProcessorInfo.X.processors + 1, L4_NumProcessors(kip));
    KCHECK_EQ(1UL << k->ProcessorInfo.X.s, sizeof(L4_ProcDesc_t));
    KCHECK_EQ(k->ClockInfo.X.ReadPrecision, L4_ReadPrecision(kip));
    KCHECK_EQ(k->ClockInfo.X.SchedulePrecision, L4_SchedulePrecision(kip));
    KCHECK_EQ(k->BootInfo, L4_BootInfo(kip));
    KCHECK_EQ(k->MemoryInfo.n, L4_NumMemoryDescriptors(kip));
    KCHECK((char *)kip + k->MemoryInfo.MemDescPtr == (char *)L4_MemoryDesc(kip, 0));
    KCHECK((char *)kip + k->ProcDescPtr == (char *)L4_ProcDesc(kip, 0));
    KCHECK_EQ(k->KernelVerPtr, k->KernelDescPtr);
    KCHECK(k->Ipc != 0 && k->SystemClock != 0 && k->ArchSyscall0 == 0);
}

/* The kernel, processor and memory descriptors through their X.2 field names. */
TTEST(compat, kip_descriptors)
{
    void *kip = L4_GetKernelInterface();
    L4_KernelInterfacePage_t *k = (L4_KernelInterfacePage_t *)kip;
    L4_KernelDesc_t *d = (L4_KernelDesc_t *)((char *)kip + k->KernelVerPtr);
    KCHECK(d == L4_KernelDesc(kip));
    KCHECK_EQ(d->KernelId.raw, L4_KernelId());
    KCHECK_EQ((d->KernelId.x.id << 8) + d->KernelId.X.subid, L4_KID_SIGMA4);
    L4_Word_t y, m, day, ver, sub, subsub;
    L4_KernelGenDate(kip, &y, &m, &day);
    KCHECK(d->KernelGenDate.X.year + 2000UL == y && d->KernelGenDate.X.month == m && d->KernelGenDate.X.day == day);
    L4_KernelVersion(kip, &ver, &sub, &subsub);
    KCHECK(d->KernelVer.X.ver == ver && d->KernelVer.X.subver == sub && d->KernelVer.X.subsubver == subsub);
    KCHECK_EQ(d->Supplier, L4_KernelSupplier(kip));
    KCHECK(d->VersionString == L4_KernelVersionString(kip));
    for (L4_Word_t c = 0; c < L4_NumProcessors(kip); c++) {
        L4_ProcDesc_t *p = L4_ProcDesc(kip, c);
        KCHECK(p->X.ExternalFreq == L4_ProcDescExternalFreq(p) && p->X.InternalFreq == L4_ProcDescInternalFreq(p));
    }
    KCHECK(L4_NumMemoryDescriptors(kip) > 0);
    for (L4_Word_t i = 0; i < L4_NumMemoryDescriptors(kip); i++) {
        L4_MemoryDesc_t *md = L4_MemoryDesc(kip, i);
        KCHECK_EQ(md->x.low << 10, L4_MemoryDescLow(md));
        KCHECK_EQ((md->X.high << 10) + 0x3FF, L4_MemoryDescHigh(md));
        KCHECK_EQ(md->x.v, L4_IsMemoryDescVirtual(md));
        KCHECK_EQ(md->x.type >= 0xE ? md->x.type + (md->x.t << 4) : md->x.type, L4_MemoryDescType(md));
    }
}

/* ---- item 7: names X.2 programs expect ---------------------------------------------------- */

/* IO-fpages: the words the kernel puts into an IO fault and takes in map items. */
TTEST(compat, io_fpages)
{
    L4_Fpage_t f = L4_IoFpageLog2(0x70, 1);
    KCHECK_EQ(f.raw, (0x70UL << 16) | (1UL << 10) | (2UL << 4));
    KCHECK(L4_IsIoFpage(f) && L4_IoFpagePort(f) == 0x70 && L4_IoFpageSize(f) == 2 && L4_IoFpageSizeLog2(f) == 1);
    f = L4_IoFpage(0x3F8, 8);
    KCHECK(L4_IoFpagePort(f) == 0x3F8 && L4_IoFpageSizeLog2(f) == 3);
    KCHECK_EQ(L4_IoFpage(0x3F8, 5).raw, f.raw);             /* rounded up to 8 ports */
    KCHECK_EQ(L4_IoFpageLog2(0x3F9, 3).raw, f.raw);         /* aligned down */
    KCHECK_EQ(L4_IoFpageLog2(0, 16).raw, (16UL << 10) | (2UL << 4));   /* the whole IO space */
    L4_Set_Rights(&f, L4_ReadWriteOnly);
    KCHECK(L4_IsIoFpage(f) && L4_Rights(f) == L4_ReadWriteOnly && L4_IoFpagePort(f) == 0x3F8);
    KCHECK(!L4_IsIoFpage(L4_FpageLog2(0x100000, 12)) && !L4_IsIoFpage(L4_CompleteAddressSpace));
    L4_IoFpage_t v = { f.raw };
    KCHECK(v.X.p == 0x3F8 && v.X.s == 3 && v.X.__two == 2 && v.X.rwx == L4_ReadWriteOnly);
}

/* Time periods: arithmetic and comparison in microseconds; clock differences. */
TTEST(compat, time_and_clock_arithmetic)
{
    L4_Time_t a = L4_TimePeriod(1000), b = L4_TimePeriod(250);
    KCHECK_EQ(L4_TimePeriodUs(L4_TimeAdd(a, b)), 1250);
    KCHECK_EQ(L4_TimePeriodUs(L4_TimeSub(a, b)), 750);
    KCHECK(L4_IsZeroTime(L4_TimeSub(b, a)));
    KCHECK_EQ(L4_TimePeriodUs(L4_TimeAddUsec(b, 6)), 256);
    KCHECK_EQ(L4_TimePeriodUs(L4_TimeSubUsec(a, 1)), 999);
    KCHECK(L4_IsNever(L4_TimeAdd(a, L4_Never)) && L4_IsNever(L4_TimeAddUsec(L4_Never, 5)));
    KCHECK(L4_IsTimeLonger(a, b) && L4_IsTimeShorter(b, a) && !L4_IsTimeLonger(b, a));
    KCHECK(L4_IsTimeLonger(L4_Never, a) && L4_IsTimeShorter(L4_ZeroTime, b));
    L4_Time_t two_a = { (L4_Word16_t)2 }, two_b = { (L4_Word16_t)((1 << 10) | 1) };  /* 2 µs twice */
    KCHECK(two_a.raw != two_b.raw && L4_IsTimeEqual(two_a, two_b) && !L4_IsTimeNotEqual(two_a, two_b));
    L4_Time_t c = b;
    L4_TimeAddTo(&c, b);
    L4_TimeAddUsecTo(&c, 10);
    L4_TimeSubUsecFrom(&c, 5);
    KCHECK_EQ(L4_TimePeriodUs(c), 505);
    L4_TimeSubFrom(&c, b);
    KCHECK_EQ(L4_TimePeriodUs(c), 255);
    L4_Clock_t t0 = L4_SystemClock(), t1 = L4_ClockAddUsec(t0, 1000);
    KCHECK_EQ(L4_ClockDiffUsec(t1, t0), 1000);
    KCHECK(t1.X.low == (L4_Word32_t)t1.raw && t1.X.high == (L4_Word32_t)(t1.raw >> 32));
}

/* Unmap status bits, the API and supplier constants, coprocessor flags. */
TTEST(compat, status_constants_copflags)
{
    L4_Fpage_t f = L4_FpageLog2(0x40000000, 12);
    KCHECK(!L4_WasReferenced(f) && !L4_WasWritten(f) && !L4_WasExecuted(f));
    f.raw |= L4_Readable | L4_Writable;
    KCHECK(L4_WasReferenced(f) && L4_WasWritten(f) && !L4_WasExecuted(f));
    KCHECK_EQ(L4_SUPL_UKA & 0xFF, 'U');
    KCHECK_EQ(L4_SUPL_UNSW >> 24, 'W');
    KCHECK(L4_APIVERSION_X2 == 0x84 && L4_APISUBVERSION_X1 == 0x81 && L4_KID_L4KA_PISTACHIO == 0x402);

    /* Page status after a real Unmap: the root task has just written this page. */
    static char page[4096] __attribute__((aligned(4096)));
    page[0] = 1;
    L4_Fpage_t st = L4_UnmapFpage(L4_FpageLog2((L4_Word_t)page, 12));
    KCHECK(L4_WasReferenced(st) || !L4_WasWritten(st));     /* written implies referenced */

    L4_Word_t before = __L4_UtcbGet(UTCB_FLAGS);
    L4_Set_CopFlag(3);
    KCHECK_EQ(__L4_UtcbGet(UTCB_FLAGS), before | (1UL << (8 + 3)));
    L4_Clr_CopFlag(3);
    KCHECK_EQ(__L4_UtcbGet(UTCB_FLAGS), before & ~(1UL << (8 + 3)));
    KCHECK_EQ(__L4_UtcbGet(UTCB_FLAGS) & 0xFF, before & 0xFF);   /* preemption flags untouched */
}
