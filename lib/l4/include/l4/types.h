/* l4/types.h — the basic X.2 types: words, thread ids, time values, clock.
 *
 * Part of libl4, the X.2 convenience interface (header-only, every function `static inline`).
 * Compiles as C11 and as C++.  The library itself builds and reads every ABI word with shifts and
 * masks on `.raw`; the bit-field views inside the unions exist only so that X.2 programs that
 * name fields such as `tid.global.X.thread_no` keep compiling (little-endian x86-64 layout).
 *
 * Thread ids (fact sheet §3): global = thread number in bits 63-32, version in bits 31-0;
 * local = UTCB address (low 6 bits zero); nilthread = 0; anythread = all ones;
 * anylocalthread = all ones with the low 6 bits clear.
 * Time (fact sheet §6): 16-bit period m·2^e µs (m bits 9-0, e bits 14-10, bit 15 = 0);
 * raw 0 = never, raw 0x0400 (e = 1, m = 0) = zero time.  Point (absolute): bit 15 = 1, e in
 * bits 14-11, c in bit 10, m in bits 9-0: the clock value T (µs) with bits e+9..e of T equal to
 * m and bit e+10 equal to c, the first such T from now on (so it lies less than 2^(e+11) µs
 * ahead); L4_TimePoint (l4/schedule.h, it reads the clock) builds one from an L4_Clock_t.
 */
#pragma once

#define L4_INLINE static inline

typedef unsigned long       L4_Word_t;      /* 64 bit (LP64) */
typedef unsigned long long  L4_Word64_t;
typedef unsigned int        L4_Word32_t;
typedef unsigned short      L4_Word16_t;
typedef unsigned char       L4_Word8_t;
typedef L4_Word_t           L4_Bool_t;

#ifdef __cplusplus
#define L4_STATIC_ASSERT(e, msg) static_assert(e, msg)
#else
#define L4_STATIC_ASSERT(e, msg) _Static_assert(e, msg)
#endif
L4_STATIC_ASSERT(sizeof(L4_Word_t) == 8, "libl4 is for LP64 (x86-64) only");

/* ---- thread ids -------------------------------------------------------------------------- */

#define L4_TID_VERSION_MASK     0xFFFFFFFFUL
#define L4_TID_NO_SHIFT         32
#define L4_TID_LOCAL_MASK       0x3FUL      /* low bits that are zero in a local id */

typedef union {
    L4_Word_t raw;
    struct { L4_Word_t version : 32; L4_Word_t thread_no : 32; } X;
} L4_GthreadId_t;

typedef union {
    L4_Word_t raw;
    struct { L4_Word_t __zeros : 6; L4_Word_t local_id : 58; } X;
} L4_LthreadId_t;

typedef union {
    L4_Word_t raw;              /* first member: `L4_ThreadId_t t = { w };` sets raw */
    L4_GthreadId_t global;
    L4_LthreadId_t local;
} L4_ThreadId_t;
L4_STATIC_ASSERT(sizeof(L4_ThreadId_t) == 8, "thread id is one word");

#ifdef __cplusplus
extern "C" {
#endif

/* A thread id with the given raw word. */
L4_INLINE L4_ThreadId_t __L4_TidFromRaw(L4_Word_t raw)
{
    L4_ThreadId_t t;
    t.raw = raw;
    return t;
}

#ifdef __cplusplus
}
const L4_ThreadId_t L4_nilthread = { 0UL };
const L4_ThreadId_t L4_anythread = { ~0UL };
const L4_ThreadId_t L4_anylocalthread = { ~0UL << 6 };
extern "C" {
#else
#define L4_nilthread            ((L4_ThreadId_t){ .raw = 0UL })
#define L4_anythread            ((L4_ThreadId_t){ .raw = ~0UL })
#define L4_anylocalthread       ((L4_ThreadId_t){ .raw = ~0UL << 6 })
#endif

/* The global id (thread number, version).  Only the low 32 bits of each are used. */
L4_INLINE L4_ThreadId_t L4_GlobalId(L4_Word_t threadno, L4_Word_t version)
{
    return __L4_TidFromRaw(((threadno & 0xFFFFFFFFUL) << L4_TID_NO_SHIFT) |
                           (version & L4_TID_VERSION_MASK));
}

/* The thread number of global id t. */
L4_INLINE L4_Word_t L4_ThreadNo(L4_ThreadId_t t)  { return t.raw >> L4_TID_NO_SHIFT; }
/* The version of global id t. */
L4_INLINE L4_Word_t L4_Version(L4_ThreadId_t t)   { return t.raw & L4_TID_VERSION_MASK; }

/* Is t nilthread? */
L4_INLINE L4_Bool_t L4_IsNilThread(L4_ThreadId_t t)     { return t.raw == 0; }
/* Is t a local id (low 6 bits zero; nilthread counts as local)? */
L4_INLINE L4_Bool_t L4_IsLocalId(L4_ThreadId_t t)       { return (t.raw & L4_TID_LOCAL_MASK) == 0; }
/* Is t a global id (anythread included)? */
L4_INLINE L4_Bool_t L4_IsGlobalId(L4_ThreadId_t t)      { return (t.raw & L4_TID_LOCAL_MASK) != 0; }
/* Are the raw ids equal (no local/global conversion)? */
L4_INLINE L4_Bool_t L4_IsThreadEqual(L4_ThreadId_t l, L4_ThreadId_t r)    { return l.raw == r.raw; }
/* Do the raw ids differ? */
L4_INLINE L4_Bool_t L4_IsThreadNotEqual(L4_ThreadId_t l, L4_ThreadId_t r) { return l.raw != r.raw; }
/* (L4_SameThreads, which also compares a local with a global id, is in l4/thread.h.) */

/* ---- time -------------------------------------------------------------------------------- */

#define L4_TIME_M_MASK          0x3FFU      /* bits 9-0 mantissa */
#define L4_TIME_E_SHIFT         10          /* bits 14-10 exponent (period) */
#define L4_TIME_E_MAX           31
#define L4_TIME_POINT_BIT       0x8000U     /* bit 15: absolute time point */
#define L4_TIME_POINT_E_SHIFT   11          /* point: bits 14-11 exponent */
#define L4_TIME_POINT_E_MAX     15
#define L4_TIME_POINT_C_BIT     0x0400U     /* point: bit 10 = bit e+10 of the clock value */

typedef union {
    L4_Word16_t raw;
    struct { L4_Word16_t m : 10; L4_Word16_t e : 5; L4_Word16_t a : 1; } period;
    struct { L4_Word16_t m : 10; L4_Word16_t c : 1; L4_Word16_t e : 4; L4_Word16_t a : 1; } point;
} L4_Time_t;
L4_STATIC_ASSERT(sizeof(L4_Time_t) == 2, "time is 16 bits");

/* A time value with the given raw 16 bits. */
L4_INLINE L4_Time_t __L4_TimeFromRaw(L4_Word16_t raw)
{
    L4_Time_t t;
    t.raw = raw;
    return t;
}

#ifdef __cplusplus
}
const L4_Time_t L4_Never = { 0 };
const L4_Time_t L4_ZeroTime = { 0x0400 };
extern "C" {
#else
#define L4_Never                ((L4_Time_t){ .raw = 0 })
#define L4_ZeroTime             ((L4_Time_t){ .raw = 0x0400 })
#endif

/* A relative timeout of at least `us` microseconds: m·2^e with the smallest e that fits m into
 * 10 bits, m rounded up.  0 µs gives L4_ZeroTime; periods beyond 1023·2^31 µs give L4_Never. */
L4_INLINE L4_Time_t L4_TimePeriod(L4_Word64_t us)
{
    L4_Word_t e = 0;
    if (us == 0)
        return L4_ZeroTime;
    while (us > L4_TIME_M_MASK) {
        us = (us >> 1) + (us & 1);      /* ceil(us / 2) each step = ceil(us / 2^e) */
        e++;
    }
    if (e > L4_TIME_E_MAX)
        return L4_Never;
    return __L4_TimeFromRaw((L4_Word16_t)((e << L4_TIME_E_SHIFT) | us));
}

/* Period in microseconds of a relative time (~0 for never). */
L4_INLINE L4_Word64_t L4_TimePeriodUs(L4_Time_t t)
{
    if (t.raw == 0)
        return ~0ULL;
    return (L4_Word64_t)(t.raw & L4_TIME_M_MASK) << ((t.raw >> L4_TIME_E_SHIFT) & 0x1F);
}

/* Is t a relative period (bit 15 clear)? */
L4_INLINE L4_Bool_t L4_IsTimePeriod(L4_Time_t t) { return (t.raw & L4_TIME_POINT_BIT) == 0; }
/* Is t an absolute time point (bit 15 set)? */
L4_INLINE L4_Bool_t L4_IsTimePoint(L4_Time_t t)  { return (t.raw & L4_TIME_POINT_BIT) != 0; }
/* Is t the infinite timeout? */
L4_INLINE L4_Bool_t L4_IsNever(L4_Time_t t)      { return t.raw == 0; }
/* Is t a zero period (m = 0, e > 0)? */
L4_INLINE L4_Bool_t L4_IsZeroTime(L4_Time_t t)   { return t.raw != 0 && (t.raw & L4_TIME_M_MASK) == 0 && L4_IsTimePeriod(t); }

/* The IPC Timeouts word: send timeout in bits 31-16, receive timeout in bits 15-0. */
L4_INLINE L4_Word_t L4_Timeouts(L4_Time_t snd, L4_Time_t rcv)
{
    return ((L4_Word_t)snd.raw << 16) | rcv.raw;
}

/* ---- time arithmetic (X.2 convenience interface) ------------------------------------------
 * On relative periods: values are compared and combined as microseconds (L4_Never is longer
 * than every period), and a result is rounded up to the next representable period
 * (L4_TimePeriod).  A subtraction below zero gives L4_ZeroTime; arithmetic with L4_Never
 * gives L4_Never.  Time points are not periods: with a point the value is returned unchanged
 * and comparisons look at the raw words. */

/* Both periods?  (Never counts as a period.) */
L4_INLINE L4_Bool_t __L4_BothPeriods(L4_Time_t l, L4_Time_t r) { return L4_IsTimePeriod(l) && L4_IsTimePeriod(r); }
/* l + r microseconds. */
L4_INLINE L4_Time_t L4_TimeAddUsec(L4_Time_t l, L4_Word_t r)
{
    if (!L4_IsTimePeriod(l) || L4_IsNever(l))
        return l;
    return L4_TimePeriod(L4_TimePeriodUs(l) + r);
}
/* l - r microseconds (L4_ZeroTime if r is longer). */
L4_INLINE L4_Time_t L4_TimeSubUsec(L4_Time_t l, L4_Word_t r)
{
    if (!L4_IsTimePeriod(l) || L4_IsNever(l))
        return l;
    L4_Word64_t us = L4_TimePeriodUs(l);
    return us > r ? L4_TimePeriod(us - r) : L4_ZeroTime;
}
/* *l := *l + r microseconds; l. */
L4_INLINE L4_Time_t *L4_TimeAddUsecTo(L4_Time_t *l, L4_Word_t r)   { *l = L4_TimeAddUsec(*l, r); return l; }
/* *l := *l - r microseconds; l. */
L4_INLINE L4_Time_t *L4_TimeSubUsecFrom(L4_Time_t *l, L4_Word_t r) { *l = L4_TimeSubUsec(*l, r); return l; }
/* l + r (periods). */
L4_INLINE L4_Time_t L4_TimeAdd(L4_Time_t l, L4_Time_t r)
{
    if (!__L4_BothPeriods(l, r) || L4_IsNever(r))
        return L4_IsNever(r) ? r : l;
    return L4_TimeAddUsec(l, L4_TimePeriodUs(r));
}
/* l - r (periods; L4_ZeroTime if r is longer). */
L4_INLINE L4_Time_t L4_TimeSub(L4_Time_t l, L4_Time_t r)
{
    if (!__L4_BothPeriods(l, r) || L4_IsNever(r))
        return L4_IsNever(r) && !L4_IsNever(l) ? L4_ZeroTime : l;
    return L4_TimeSubUsec(l, L4_TimePeriodUs(r));
}
/* *l := *l + r; l. */
L4_INLINE L4_Time_t *L4_TimeAddTo(L4_Time_t *l, L4_Time_t r)   { *l = L4_TimeAdd(*l, r); return l; }
/* *l := *l - r; l. */
L4_INLINE L4_Time_t *L4_TimeSubFrom(L4_Time_t *l, L4_Time_t r) { *l = L4_TimeSub(*l, r); return l; }
/* Is period l longer than r? */
L4_INLINE L4_Bool_t L4_IsTimeLonger(L4_Time_t l, L4_Time_t r)
{
    return __L4_BothPeriods(l, r) ? L4_TimePeriodUs(l) > L4_TimePeriodUs(r) : l.raw > r.raw;
}
/* Is period l shorter than r? */
L4_INLINE L4_Bool_t L4_IsTimeShorter(L4_Time_t l, L4_Time_t r)   { return L4_IsTimeLonger(r, l); }
/* Do l and r stand for the same time (2 µs as m 2, e 0 equals m 1, e 1)? */
L4_INLINE L4_Bool_t L4_IsTimeEqual(L4_Time_t l, L4_Time_t r)
{
    return __L4_BothPeriods(l, r) ? L4_TimePeriodUs(l) == L4_TimePeriodUs(r) : l.raw == r.raw;
}
/* Do l and r stand for different times? */
L4_INLINE L4_Bool_t L4_IsTimeNotEqual(L4_Time_t l, L4_Time_t r)  { return !L4_IsTimeEqual(l, r); }

/* ---- clock ------------------------------------------------------------------------------- */

typedef union {
    L4_Word64_t raw;            /* microseconds */
    struct { L4_Word32_t low; L4_Word32_t high; } X;
} L4_Clock_t;

/* c + us microseconds. */
L4_INLINE L4_Clock_t L4_ClockAddUsec(L4_Clock_t c, L4_Word64_t us) { c.raw += us; return c; }
/* l - r in microseconds (sigma4: the C form of the C++ Clock - Clock). */
L4_INLINE L4_Word64_t L4_ClockDiffUsec(L4_Clock_t l, L4_Clock_t r) { return l.raw - r.raw; }
/* c - us microseconds. */
L4_INLINE L4_Clock_t L4_ClockSubUsec(L4_Clock_t c, L4_Word64_t us) { c.raw -= us; return c; }
/* Is l before r? */
L4_INLINE L4_Bool_t L4_IsClockEarlier(L4_Clock_t l, L4_Clock_t r)  { return l.raw < r.raw; }
/* Is l after r? */
L4_INLINE L4_Bool_t L4_IsClockLater(L4_Clock_t l, L4_Clock_t r)    { return l.raw > r.raw; }
/* Are the clock values equal? */
L4_INLINE L4_Bool_t L4_IsClockEqual(L4_Clock_t l, L4_Clock_t r)    { return l.raw == r.raw; }
/* Do the clock values differ? */
L4_INLINE L4_Bool_t L4_IsClockNotEqual(L4_Clock_t l, L4_Clock_t r) { return l.raw != r.raw; }

/* The time point for clock value `at` as seen at clock value `now` (µs): the smallest exponent e
 * whose 2^(e+10) µs window from `now` reaches `at` rounded up to a multiple of 2^e, so the point
 * is never early.  A point not after `now` gives L4_ZeroTime; one beyond the largest window
 * (2^25 µs) gives the equivalent relative period, L4_TimePeriod(at - now). */
L4_INLINE L4_Time_t __L4_TimePointAt(L4_Clock_t at, L4_Clock_t now)
{
    if (at.raw <= now.raw)
        return L4_ZeroTime;
    for (L4_Word_t e = 0; e <= L4_TIME_POINT_E_MAX; e++) {
        L4_Word64_t t = (at.raw >> e) + ((at.raw & ((1ULL << e) - 1)) != 0);  /* ceil(at/2^e) */
        if (t - (now.raw >> e) <= L4_TIME_M_MASK)
            return __L4_TimeFromRaw((L4_Word16_t)(L4_TIME_POINT_BIT | (e << L4_TIME_POINT_E_SHIFT) |
                                                  (((t >> 10) & 1) ? L4_TIME_POINT_C_BIT : 0) |
                                                  (t & L4_TIME_M_MASK)));
    }
    return L4_TimePeriod(at.raw - now.raw);
}

#ifdef __cplusplus
}   /* extern "C" */

/* ---- C++ overloads (X.2 convenience interface) ------------------------------------------- */
/* Each overload or operator is the C function it calls (or the raw comparison it makes), under
 * the name X.2 gives it in C++. */

inline bool operator==(const L4_ThreadId_t &l, const L4_ThreadId_t &r) { return l.raw == r.raw; }
inline bool operator!=(const L4_ThreadId_t &l, const L4_ThreadId_t &r) { return l.raw != r.raw; }
inline bool operator==(const L4_Time_t &l, const L4_Time_t &r) { return L4_IsTimeEqual(l, r); }
inline bool operator!=(const L4_Time_t &l, const L4_Time_t &r) { return L4_IsTimeNotEqual(l, r); }
inline bool operator<(const L4_Time_t &l, const L4_Time_t &r)  { return L4_IsTimeShorter(l, r); }
inline bool operator>(const L4_Time_t &l, const L4_Time_t &r)  { return L4_IsTimeLonger(l, r); }
inline bool operator<=(const L4_Time_t &l, const L4_Time_t &r) { return !L4_IsTimeLonger(l, r); }
inline bool operator>=(const L4_Time_t &l, const L4_Time_t &r) { return !L4_IsTimeShorter(l, r); }
inline L4_Time_t operator+(const L4_Time_t &l, L4_Word_t us)   { return L4_TimeAddUsec(l, us); }
inline L4_Time_t operator-(const L4_Time_t &l, L4_Word_t us)   { return L4_TimeSubUsec(l, us); }
inline L4_Time_t operator+=(L4_Time_t &l, L4_Word_t us)        { return *L4_TimeAddUsecTo(&l, us); }
inline L4_Time_t operator-=(L4_Time_t &l, L4_Word_t us)        { return *L4_TimeSubUsecFrom(&l, us); }
inline L4_Time_t operator+(const L4_Time_t &l, const L4_Time_t &r) { return L4_TimeAdd(l, r); }
inline L4_Time_t operator-(const L4_Time_t &l, const L4_Time_t &r) { return L4_TimeSub(l, r); }
inline L4_Time_t operator+=(L4_Time_t &l, const L4_Time_t &r)  { return *L4_TimeAddTo(&l, r); }
inline L4_Time_t operator-=(L4_Time_t &l, const L4_Time_t &r)  { return *L4_TimeSubFrom(&l, r); }
inline L4_Clock_t operator+(const L4_Clock_t &c, int us)         { return L4_ClockAddUsec(c, (L4_Word64_t)(long)us); }
inline L4_Clock_t operator-(const L4_Clock_t &c, int us)         { return L4_ClockSubUsec(c, (L4_Word64_t)(long)us); }
inline L4_Clock_t operator+(const L4_Clock_t &l, const L4_Clock_t &r) { return L4_ClockAddUsec(l, r.raw); }
inline L4_Clock_t operator-(const L4_Clock_t &l, const L4_Clock_t &r) { return L4_ClockSubUsec(l, r.raw); }
inline L4_Clock_t operator+(const L4_Clock_t &c, L4_Word64_t us) { return L4_ClockAddUsec(c, us); }
inline L4_Clock_t operator-(const L4_Clock_t &c, L4_Word64_t us) { return L4_ClockSubUsec(c, us); }
inline bool operator<(const L4_Clock_t &l, const L4_Clock_t &r)  { return l.raw < r.raw; }
inline bool operator>(const L4_Clock_t &l, const L4_Clock_t &r)  { return l.raw > r.raw; }
inline bool operator<=(const L4_Clock_t &l, const L4_Clock_t &r) { return l.raw <= r.raw; }
inline bool operator>=(const L4_Clock_t &l, const L4_Clock_t &r) { return l.raw >= r.raw; }
inline bool operator==(const L4_Clock_t &l, const L4_Clock_t &r) { return l.raw == r.raw; }
inline bool operator!=(const L4_Clock_t &l, const L4_Clock_t &r) { return l.raw != r.raw; }
#endif
