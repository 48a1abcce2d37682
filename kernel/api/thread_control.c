/* thread_control.c — ThreadControl: create, modify, activate and delete threads (privileged).
 *
 * dest must be a global id of a user thread number.  SpaceSpecifier nil deletes dest; equal
 * to dest creates it in a new space; otherwise names a thread whose space dest lives in.
 * A non-nil pager activates an inactive thread (it then waits for the start-up message);
 * UtcbLocation ~0 leaves the UTCB unchanged; a location given while the space has no UTCB
 * area yet is kept and checked at activation (X.2's create-then-SpaceControl idiom).  All
 * or nothing: checks first, then the allocations (undone if one fails), then the changes,
 * which cannot fail; so a failing call changes nothing (docs/abi/thread_control.md).
 */
#include "api/api.h"
#include "config.h"
#include "core/klock.h"
#include "core/sched.h"
#include "core/ipc.h"
#include "core/irq.h"
#include "core/percpu.h"
#include "arch.h"
#include <sigma4/layout.h>

/* The limit argument (virt-extensions.md): in 4 KiB units minus one, or these. */
#define THREAD_LIMIT_NONE       (~0ULL)         /* no limit */
#define THREAD_LIMIT_UNCHANGED  (~1ULL)         /* keep the limit (X.2 callers) */

/* Is loc a possible UtcbLocation at all: UTCB-size aligned, in the user range?  The only
 * check there is while dest's space has no UTCB area yet (SpaceControl not called). */
static bool utcb_plausible(uint64_t loc)
{
    return !(loc & (UTCB_SIZE - 1)) && urange_ok(loc, UTCB_SIZE, USER_ADDR_END);
}

/* Is loc a UTCB slot of s's UTCB area (s initialised by SpaceControl)? */
static bool utcb_ok(const struct space *s, uint64_t loc)
{
    if (!s->kip_area || !utcb_plausible(loc))
        return false;
    uint64_t end = s->utcb_area + (1ULL << s->utcb_area_log2);
    return loc >= s->utcb_area && loc + UTCB_SIZE <= end;
}

static bool utcb_taken(const struct space *s, uint64_t loc, const struct tcb *self)
{
    for (const struct tcb *t = s->threads; t; t = t->space_next)
        if (t != self && t->utcb_location == loc)
            return true;
    return false;
}

static uint64_t delete_thread(struct tcb *t, struct tcb *dest)
{
    if (!dest || dest == t)
        return sys_fail(t, ERR_INVALID_THREAD);
    thread_delete(dest);
    return 1;
}

/* Create dest (not existing yet) in the space named by `space`. */
static struct tcb *create(struct tcb *t, uint64_t dest, uint64_t space, uint64_t *err)
{
    struct space *s;
    bool fresh = space == dest;
    if (fresh) {
        s = space_create(t->space);         /* charged to the creator's account */
        if (!s) { *err = ERR_NO_MEMORY; return NULL; }
    } else {
        struct tcb *st = thread_resolve(t, space);
        if (!st) { *err = ERR_INVALID_SPACE; return NULL; }
        s = st->space;
    }
    struct tcb *n = thread_create(dest, s);
    if (!n) {
        if (fresh)
            space_destroy(s);
        *err = ERR_NO_MEMORY;
        return NULL;
    }
    return n;
}

/* Change dest as asked: everything checked and reserved before, so nothing can fail here. */
static void commit(struct tcb *dest, const struct sys_thread_control_in *in, uint64_t loc,
                   const struct thread_limit *lim, uint64_t *utcb)
{
    if (dest->tid != in->dest) {                     /* same number, new version */
        ipc_abort_partners(dest);                   /* the old id no longer exists */
        ipc_cancel(dest, true, true);
        dest->tid = in->dest;
        if (dest->utcb)
            dest->utcb[UTCB_MY_GLOBAL_ID] = in->dest;
    }
    if (in->scheduler != TID_NIL)
        dest->scheduler = in->scheduler;
    if (in->pager != TID_NIL) {
        dest->pager = in->pager;
        if (dest->utcb)
            dest->utcb[UTCB_PAGER] = in->pager;
    }
    thread_limit_commit(dest, lim);
    dest->utcb_location = loc;
    if (utcb) {                                     /* activation */
        thread_setup_utcb(dest, loc, utcb);
        thread_activate(dest);
    }
}

/* The limit argument as an end address: USER_ADDR_END for none, 0 to leave the limit alone;
 * ~0 (not page-aligned) if it is invalid. */
static uint64_t limit_end_of(uint64_t limit)
{
    if (limit == THREAD_LIMIT_NONE)
        return USER_ADDR_END;
    if (limit == THREAD_LIMIT_UNCHANGED)
        return 0;
    uint64_t end = (limit + 1) << PAGE_SHIFT;
    if (!CONFIG_THREAD_LIMITS || limit >= (USER_ADDR_END >> PAGE_SHIFT) ||
        (end & (ARCH_LIMIT_GRANULE - 1)))
        return ~0ULL;
    return end;
}

/* All or nothing: first every check a caller can fail (dest, space, scheduler, limit, UTCB
 * location), then every reservation that can run out of kernel memory (the thread and its
 * space, a limited root, the UTCB page), undone in reverse if one fails; only then commit. */
static uint64_t thread_control(struct tcb *t, const struct sys_thread_control_in *in)
{
    if (!sys_privileged(t))
        return sys_fail(t, ERR_NO_PRIVILEGE);
    uint32_t no = tid_no(in->dest);
    if (irq_is_id(in->dest)) {                      /* interrupt association (X.2 7.3) */
        int err = irq_control(in->dest, t, in->pager);
        return err ? sys_fail(t, (uint64_t)err) : 1;
    }
    if (!tid_is_global(in->dest) || no < THREAD_USER_BASE || no >= THREAD_MAX)
        return sys_fail(t, ERR_INVALID_THREAD);
    struct tcb *dest = thread_by_no(no);
    if (in->space == TID_NIL)
        return delete_thread(t, dest && dest->tid == in->dest ? dest : NULL);
    if (in->scheduler != TID_NIL && in->scheduler != in->dest && !thread_resolve(t, in->scheduler))
        return sys_fail(t, ERR_INVALID_SCHED);
    struct tcb *in_space = in->space == in->dest ? dest : thread_resolve(t, in->space);
    if (in->space != in->dest && !in_space)
        return sys_fail(t, ERR_INVALID_SPACE);
    if (dest && in_space && in_space->space != dest->space)
        return sys_fail(t, ERR_INVALID_SPACE);          /* moving threads between spaces */
    if (!dest && in->scheduler == TID_NIL)
        return sys_fail(t, ERR_INVALID_SCHED);
    uint64_t limit_end = limit_end_of(in->limit);
    if (limit_end == ~0ULL)
        return sys_fail(t, ERR_INVALID_PARAM);
    bool inactive = !dest || dest->state == TS_INACTIVE;
    if (in->utcb_location != ~0ULL && !inactive)
        return sys_fail(t, ERR_UTCB_AREA);
    /* The space dest is (or will be) in; NULL: a new one, still without KIP and UTCB areas. */
    struct space *s = dest ? dest->space : in_space ? in_space->space : NULL;
    uint64_t loc = in->utcb_location != ~0ULL ? in->utcb_location :
                   dest ? dest->utcb_location : ~0ULL;
    bool activate = inactive && in->pager != TID_NIL;
    if (activate && (!s || !s->kip_area))
        return sys_fail(t, ERR_INVALID_SPACE);
    /* A location given for a thread of a space without areas is kept as it is (the X.2 idiom:
     * create inactive with the location, SpaceControl, activate with ~0); it is checked
     * against the UTCB area when the thread is activated. */
    bool areas = s && s->kip_area;
    if (in->utcb_location != ~0ULL &&
        (areas ? !utcb_ok(s, loc) : !utcb_plausible(loc)))
        return sys_fail(t, ERR_UTCB_AREA);
    if (in->utcb_location != ~0ULL && s && utcb_taken(s, loc, dest))
        return sys_fail(t, ERR_UTCB_AREA);
    if (activate && (loc == ~0ULL || !utcb_ok(s, loc) || utcb_taken(s, loc, dest)))
        return sys_fail(t, ERR_UTCB_AREA);

    uint64_t err = 0;
    bool created = !dest;
    if (created && !(dest = create(t, in->dest, in->space, &err)))
        return sys_fail(t, err);
    struct thread_limit lim = { 0 };
    uint64_t *utcb = NULL;
    if (limit_end && thread_limit_prepare(dest, limit_end, &lim) < 0)
        err = ERR_NO_MEMORY;
    else if (activate && !(utcb = space_utcb(dest->space, loc))) {
        thread_limit_abort(dest, &lim);
        err = ERR_NO_MEMORY;
    }
    if (err) {
        if (created)
            thread_delete(dest);
        return sys_fail(t, err);
    }
    commit(dest, in, loc, &lim, utcb);
    return 1;
}

void sys_thread_control(struct tcb *t, const struct sys_thread_control_in *in,
                        struct sys_thread_control_out *out)
{
    klock_exclusive();                              /* creates, deletes, touches any CPU */
    out->result = thread_control(t, in);
}
