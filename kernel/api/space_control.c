/* space_control.c — SpaceControl: fix a new space's KIP area and UTCB area, or set its
 * kernel-memory quota (privileged).
 *
 * The areas can be set while no thread of the space is active; afterwards the call only
 * reports (and accepts an unchanged) control word.  sigma4/amd64 knows no X.2 control bits
 * (compatibility mode is not supported), so control must be 0 or ~0 ("unchanged"), or the
 * sigma4 quota request SPACE_CONTROL_QUOTA | pages (abi/include/sigma4/space.h), which only
 * sets the quota (docs/design/kmem-accounts.md).
 */
#include "api/api.h"
#include "core/klock.h"
#include "arch.h"
#include <sigma4/kip.h>
#include <sigma4/space.h>

static bool area_ok(uint64_t fp, unsigned min_log2)
{
    unsigned lg = fpage_log2(fp);
    uint64_t base = fpage_base(fp);
    if (lg < min_log2 || lg >= 47 || (base & ((1ULL << lg) - 1)))
        return false;
    return urange_ok(base, 1ULL << lg, USER_ADDR_END);  /* (base + size may wrap) */
}

/* Do two fpages (both area_ok) overlap? */
static bool overlap(uint64_t a, uint64_t b)
{
    return urange_overlap(fpage_base(a), 1ULL << fpage_log2(a), fpage_base(b), 1ULL << fpage_log2(b));
}

static bool has_active(const struct space *s)
{
    for (const struct tcb *t = s->threads; t; t = t->space_next)
        if (t->state != TS_INACTIVE)
            return true;
    return false;
}

/* Give s an account of its own with the limit in `control`: all or nothing.  Root servers
 * keep theirs (unlimited, with the pool reserve). */
static uint64_t set_quota(struct tcb *t, struct space *s, uint64_t control)
{
    uint64_t pages = control & SPACE_QUOTA_PAGES_MASK;
    if (control & ~(SPACE_CONTROL_QUOTA | SPACE_QUOTA_PAGES_MASK) || s->privileged)
        return sys_fail(t, ERR_INVALID_PARAM);
    uint64_t limit = pages == SPACE_QUOTA_UNLIMITED ? ACCOUNT_UNLIMITED : pages << PAGE_SHIFT;
    if (space_set_quota(s, limit) < 0)
        return sys_fail(t, ERR_NO_MEMORY);          /* s holds more than that already */
    return 1;
}

static uint64_t space_control(struct tcb *t, const struct sys_space_control_in *in)
{
    if (!sys_privileged(t))
        return sys_fail(t, ERR_NO_PRIVILEGE);
    struct tcb *st = tid_is_global(in->space) ? thread_lookup(in->space) : NULL;
    if (!st)
        return sys_fail(t, ERR_INVALID_SPACE);
    if (in->control != ~0ULL && (in->control & SPACE_CONTROL_QUOTA))
        return set_quota(t, st->space, in->control);
    if (in->control != 0 && in->control != ~0ULL)
        return sys_fail(t, ERR_INVALID_PARAM);
    struct space *s = st->space;
    if (has_active(s) || s->privileged)
        return 1;                                   /* areas fixed: nothing to change */
    if (!area_ok(in->utcb_area, UTCB_AREA_MIN_LOG2))
        return sys_fail(t, ERR_UTCB_AREA);
    if (!area_ok(in->kip_area, KIP_SIZE_LOG2) || fpage_log2(in->kip_area) != KIP_SIZE_LOG2 ||
        overlap(in->kip_area, in->utcb_area))
        return sys_fail(t, ERR_KIP_AREA);
    if (s->kip_area && (s->kip_area != fpage_base(in->kip_area) ||
                        s->utcb_area != fpage_base(in->utcb_area) ||
                        s->utcb_area_log2 != fpage_log2(in->utcb_area)))
        return sys_fail(t, ERR_INVALID_SPACE);      /* set once */
    if (!s->kip_area && space_set_areas(s, fpage_base(in->kip_area), fpage_base(in->utcb_area),
                                        fpage_log2(in->utcb_area)) < 0)
        return sys_fail(t, ERR_NO_MEMORY);
    return 1;
}

void sys_space_control(struct tcb *t, const struct sys_space_control_in *in,
                       struct sys_space_control_out *out)
{
    klock_exclusive();                              /* looks at the threads of a space */
    out->result = space_control(t, in);
    out->control = 0;
}
