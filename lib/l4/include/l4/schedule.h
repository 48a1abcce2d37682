/* l4/schedule.h — scheduling and time: Schedule and its X.2 helpers, ThreadSwitch/Yield,
 * SystemClock and absolute time points, ProcessorControl, and the preemption flags of the UTCB.
 *
 * Schedule (fact sheet §7.7; caller must be dest's scheduler or privileged); every control word
 * that is all ones (~0) leaves its setting unchanged:
 *   TimeControl        bits 31-16 timeslice, 15-0 total quantum (L4_Time_t each; sigma4 also
 *                      leaves a single 16-bit field of all ones unchanged)
 *   ProcessorControl   bits 15-0 processor number (migrate)
 *   PrioControl        bits 7-0 priority (<= the caller's own unless privileged)
 *   PreemptionControl  bits 23-16 sensitive priority, 15-0 maximum delay in µs
 * Result: one of L4_SCHEDRESULT_* (0 = error, see L4_ErrorCode()); *old_TimeControl := the
 * remaining timeslice (31-16) and total quantum (15-0).  dest = nilthread only flushes requests.
 * The register order of the system call (abi/syscalls.tbl) differs from X.2's argument order;
 * the wrapper maps the arguments by name.
 */
#pragma once
#include <l4/types.h>
#include <l4/utcb.h>
#include <sigma4/syscall_stubs.h>

#define L4_SCHEDRESULT_ERROR            0
#define L4_SCHEDRESULT_DEAD             1
#define L4_SCHEDRESULT_INACTIVE         2
#define L4_SCHEDRESULT_RUNNING          3
#define L4_SCHEDRESULT_PENDING_SEND     4
#define L4_SCHEDRESULT_SENDING          5
#define L4_SCHEDRESULT_WAITING          6
#define L4_SCHEDRESULT_RECEIVING        7

#define L4_SCHED_UNCHANGED              (~0UL)  /* a control word that changes nothing */

/* Preemption flags: the byte at UTCB_FLAGS (byte offset -80 from the UTCB pointer). */
#define L4_PREEMPT_SIGNAL               0x20    /* s: send a preemption fault instead of delaying */
#define L4_PREEMPT_DELAYED              0x40    /* d: delay preemption (within PreemptionControl) */
#define L4_PREEMPT_PENDING              0x80    /* I: a preemption was delayed */

#ifdef __cplusplus
extern "C" {
#endif

/* The Schedule system call (see the file comment); the result state, or 0 and L4_ErrorCode(). */
L4_INLINE L4_Word_t L4_Schedule(L4_ThreadId_t dest, L4_Word_t TimeControl, L4_Word_t ProcessorControl,
                                L4_Word_t PrioControl, L4_Word_t PreemptionControl,
                                L4_Word_t *old_TimeControl)
{
    struct sys_schedule_in in;
    struct sys_schedule_out out;
    in.dest = dest.raw;
    in.prio = PrioControl;
    in.time_control = TimeControl;
    in.processor_control = ProcessorControl;
    in.preemption_control = PreemptionControl;
    __l4_sys_schedule(&in, &out);
    if (old_TimeControl)
        *old_TimeControl = out.time_control;
    return out.result;
}

/* Set the priority (0..255) of thread t; the Schedule result. */
L4_INLINE L4_Word_t L4_Set_Priority(L4_ThreadId_t t, L4_Word_t prio)
{
    return L4_Schedule(t, L4_SCHED_UNCHANGED, L4_SCHED_UNCHANGED, prio & 0xFF, L4_SCHED_UNCHANGED,
                       (L4_Word_t *)0);
}
/* Move thread t to processor cpu; the Schedule result. */
L4_INLINE L4_Word_t L4_Set_ProcessorNo(L4_ThreadId_t t, L4_Word_t cpu)
{
    return L4_Schedule(t, L4_SCHED_UNCHANGED, cpu & 0xFFFF, L4_SCHED_UNCHANGED, L4_SCHED_UNCHANGED,
                       (L4_Word_t *)0);
}
/* Set the timeslice ts and total quantum tq of thread t; the Schedule result. */
L4_INLINE L4_Word_t L4_Set_Timeslice(L4_ThreadId_t t, L4_Time_t ts, L4_Time_t tq)
{
    return L4_Schedule(t, ((L4_Word_t)ts.raw << 16) | tq.raw, L4_SCHED_UNCHANGED, L4_SCHED_UNCHANGED,
                       L4_SCHED_UNCHANGED, (L4_Word_t *)0);
}
/* *ts, *tq := the remaining timeslice and total quantum of thread t; the Schedule result. */
L4_INLINE L4_Word_t L4_Timeslice(L4_ThreadId_t t, L4_Time_t *ts, L4_Time_t *tq)
{
    L4_Word_t tc = 0;
    L4_Word_t res = L4_Schedule(t, L4_SCHED_UNCHANGED, L4_SCHED_UNCHANGED, L4_SCHED_UNCHANGED,
                                L4_SCHED_UNCHANGED, &tc);
    ts->raw = (L4_Word16_t)(tc >> 16);
    tq->raw = (L4_Word16_t)tc;
    return res;
}
/* Let thread t delay its preemption up to maxDelay µs for priorities up to sensitivePrio. */
L4_INLINE L4_Word_t L4_Set_PreemptionDelay(L4_ThreadId_t t, L4_Word_t sensitivePrio, L4_Word_t maxDelay)
{
    return L4_Schedule(t, L4_SCHED_UNCHANGED, L4_SCHED_UNCHANGED, L4_SCHED_UNCHANGED,
                       ((sensitivePrio & 0xFF) << 16) | (maxDelay & 0xFFFF), (L4_Word_t *)0);
}

/* The manual's spelling of L4_Set_Timeslice. */
L4_INLINE L4_Word_t L4_Set_TimeSlice(L4_ThreadId_t t, L4_Time_t ts, L4_Time_t tq) { return L4_Set_Timeslice(t, ts, tq); }
/* The manual's spelling of L4_Timeslice. */
L4_INLINE L4_Word_t L4_TimeSlice(L4_ThreadId_t t, L4_Time_t *ts, L4_Time_t *tq)   { return L4_Timeslice(t, ts, tq); }

/* Give the rest of the time slice to dest if it is runnable on this CPU; nilthread = yield. */
L4_INLINE void L4_ThreadSwitch(L4_ThreadId_t dest)
{
    struct sys_thread_switch_in in;
    struct sys_thread_switch_out out;
    in.dest = dest.raw;
    __l4_sys_thread_switch(&in, &out);
}
/* Yield the processor (ThreadSwitch to nilthread). */
L4_INLINE void L4_Yield(void)
{
    L4_ThreadSwitch(L4_nilthread);
}

/* Microseconds since the kernel started (fact sheet §1 SystemClock). */
L4_INLINE L4_Clock_t L4_SystemClock(void)
{
    struct sys_system_clock_in in = { 0 };
    struct sys_system_clock_out out;
    L4_Clock_t c;
    __l4_sys_system_clock(&in, &out);
    c.raw = out.clock;
    return c;
}
/* The time point (absolute timeout) for clock value `at` (l4/types.h: __L4_TimePointAt). */
L4_INLINE L4_Time_t L4_TimePoint(L4_Clock_t at)
{
    return __L4_TimePointAt(at, L4_SystemClock());
}

/* ProcessorControl (privileged): set the internal and external frequency (kHz) and voltage (mV)
 * of processor ProcessorNo, ~0 leaving a value unchanged; 1 or 0 and L4_ErrorCode(). */
L4_INLINE L4_Word_t L4_ProcessorControl(L4_Word_t ProcessorNo, L4_Word_t InternalFrequency,
                                        L4_Word_t ExternalFrequency, L4_Word_t voltage)
{
    struct sys_processor_control_in in;
    struct sys_processor_control_out out;
    in.cpu = ProcessorNo;
    in.internal_freq = InternalFrequency;
    in.external_freq = ExternalFrequency;
    in.voltage = voltage;
    __l4_sys_processor_control(&in, &out);
    return out.result;
}

/* ---- preemption flags (the caller's UTCB) ------------------------------------------------ */

/* The preemption-flags byte. */
L4_INLINE L4_Word8_t __L4_PreemptFlags(void)
{
    return (L4_Word8_t)__L4_UtcbGet(UTCB_FLAGS);
}
/* Set or clear `bit` of the preemption-flags byte (the other bytes of the word stay); the old
 * value of the bit. */
L4_INLINE L4_Bool_t __L4_PreemptFlagSet(L4_Word8_t bit, int on)
{
    L4_Word8_t f = __L4_PreemptFlags(), n = (L4_Word8_t)(on ? (f | bit) : (f & ~bit));
    __asm__ __volatile__("movb %0, %%gs:(%1)" : : "q"(n), "r"((long)UTCB_FLAGS * 8) : "memory");
    return (f & bit) != 0;
}
/* Ask the kernel to delay preemption (d := 1); the old d. */
L4_INLINE L4_Bool_t L4_DisablePreemption(void)     { return __L4_PreemptFlagSet(L4_PREEMPT_DELAYED, 1); }
/* Stop delaying preemption (d := 0); the old d. */
L4_INLINE L4_Bool_t L4_EnablePreemption(void)      { return __L4_PreemptFlagSet(L4_PREEMPT_DELAYED, 0); }
/* Was a preemption delayed (I)? */
L4_INLINE L4_Bool_t L4_PreemptionPending(void)     { return (__L4_PreemptFlags() & L4_PREEMPT_PENDING) != 0; }
/* Request preemption-fault messages (s := 1); the old s. */
L4_INLINE L4_Bool_t L4_EnablePreemptionFaultException(void)  { return __L4_PreemptFlagSet(L4_PREEMPT_SIGNAL, 1); }
/* Stop preemption-fault messages (s := 0); the old s. */
L4_INLINE L4_Bool_t L4_DisablePreemptionFaultException(void) { return __L4_PreemptFlagSet(L4_PREEMPT_SIGNAL, 0); }

#ifdef __cplusplus
}
#endif
