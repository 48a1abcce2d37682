/* misc.c — the small system calls: KernelInterface, SystemClock, ThreadSwitch,
 * ProcessorControl, MemoryControl and Unmap. */
#include "api/api.h"
#include "core/klock.h"
#include "core/sched.h"
#include "core/percpu.h"
#include "arch.h"
#include "core/ipc.h"
#include "core/map.h"
#include <sigma4/kip.h>

void sys_kernel_interface(struct space *s, uint64_t *kip, uint64_t *version, uint64_t *flags,
                          uint64_t *id)
{
    const uint64_t *k = kip_page;
    const uint64_t *kdesc = (const uint64_t *)((const char *)kip_page + k[KIP_OFF_KERNEL_DESC / 8]);
    *kip = s->kip_area;
    *version = k[KIP_OFF_API_VERSION / 8];
    *flags = k[KIP_OFF_API_FLAGS / 8];
    *id = kdesc[KDESC_OFF_KERNEL_ID / 8];
}

void sys_system_clock(struct tcb *t, const struct sys_system_clock_in *in,
                      struct sys_system_clock_out *out)
{
    (void)t, (void)in;
    out->clock = arch_clock_us();
}

void sys_thread_switch(struct tcb *t, const struct sys_thread_switch_in *in,
                       struct sys_thread_switch_out *out)
{
    (void)out;
    struct tcb *dest = in->dest == TID_NIL ? NULL : thread_resolve(t, in->dest);
    if (dest)
        sched_donate(dest);
    else
        sched_yield();
}

/* ProcessorControl: sigma4 cannot change frequencies or voltages; a request that changes
 * nothing (0 or ~0 in each field) for an existing CPU succeeds. */
void sys_processor_control(struct tcb *t, const struct sys_processor_control_in *in,
                           struct sys_processor_control_out *out)
{
    out->result = 0;
    if (!sys_privileged(t)) {
        sys_fail(t, ERR_NO_PRIVILEGE);
        return;
    }
    bool keep = (in->internal_freq == 0 || in->internal_freq == ~0ULL) &&
                (in->external_freq == 0 || in->external_freq == ~0ULL) &&
                (in->voltage == 0 || in->voltage == ~0ULL);
    if (in->cpu >= ncpus_online || !keep) {
        sys_fail(t, ERR_INVALID_PARAM);
        return;
    }
    out->result = 1;
}

/* MemoryControl: control bits 5-0 = k (fpages in MR0..MRk); each fpage's low 2 bits pick
 * attribute0..3; attribute 0 = default (write-back), n > 0 = PAT entry n - 1. */
void sys_memory_control(struct tcb *t, const struct sys_memory_control_in *in,
                        struct sys_memory_control_out *out)
{
    const uint64_t attr[4] = { in->attr0, in->attr1, in->attr2, in->attr3 };
    unsigned k = in->control & 0x3F;
    out->result = 0;
    if (!sys_privileged(t)) {
        sys_fail(t, ERR_NO_PRIVILEGE);
        return;
    }
    uint64_t fp[64];                                /* MR0..MRk, read once */
    arch_copy_words(fp, t->utcb, k + 1);
    for (unsigned i = 0; i <= k; i++)
        if (attr[fp[i] & 3] > ARCH_CACHE_TYPES || (in->control >> 6)) {
            sys_fail(t, ERR_INVALID_PARAM);
            return;
        }
    for (unsigned i = 0; i <= k; i++) {
        uint64_t a = attr[fp[i] & 3];
        map_set_cache(t->space, fp[i], a ? (unsigned)a - 1 : 0);
    }
    out->result = 1;
}

/* Unmap: control bits 5-0 = k (fpages in MR0..MRk), bit 6 = flush; each MR comes back with
 * the fpage's status bits.  The MRs are read once: the fpages that decide the lock are the
 * ones unmapped, whatever a sibling thread writes meanwhile. */
void sys_unmap(struct tcb *t, const struct sys_unmap_in *in, struct sys_unmap_out *out)
{
    (void)out;
    unsigned k = in->control & 0x3F;                /* k <= 63: MR0..MR63 */
    bool flush = in->control & 0x40;
    uint64_t fp[64];
    if (!t->utcb)
        return;
    arch_copy_words(fp, t->utcb, k + 1);
    for (unsigned i = 0; i <= k; i++) {
        if (arch_fpage_is_io(fp[i]) && ncpus_online > 1)
            klock_exclusive();                      /* IO bitmaps of every CPU */
        t->utcb[i] = map_unmap_fpage(t->space, fp[i], flush, thread_top(t));
    }                   /* (a memory fpage's preemption points give the lock up again) */
}

void sys_ipc(struct tcb *t, const struct sys_ipc_in *in, struct sys_ipc_out *out)
{
    uint64_t tag = in->mr0;
    out->from = ipc(t, in->to, in->from_spec, in->timeouts, &tag);   /* fast path: syscall.c */
    out->mr0 = tag;
}

void sys_lipc(struct tcb *t, const struct sys_lipc_in *in, struct sys_lipc_out *out)
{
    uint64_t tag = in->mr0;
    out->from = ipc(t, in->to, in->from_spec, in->timeouts, &tag);
    out->mr0 = tag;
}
