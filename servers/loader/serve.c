/* serve.c — the loader's loop: start the memory server, then serve programs, pagers and
 * controllers, one message at a time.
 *
 * | message                         | from                 | what the loader does                    |
 * |---------------------------------|----------------------|-----------------------------------------|
 * | page fault (-2)                 | the server           | maps the page of its image copy         |
 * | page fault (-2)                 | a program            | empty answer: retry at its new pager    |
 * | exception (-5)                  | a program            | it crashed: ended (vector), cleaned up  |
 * | LOADER_OP_EXIT                  | a program            | ended (code), cleaned up, no answer     |
 * | LOADER_OP_THREAD_NEW            | a program, server    | another thread of its space             |
 * | LOADER_OP_CRASHED               | a pager              | the client ended (PAGER_E_*), cleaned up |
 * | LOADER_OP_READY                 | the server           | records the pagers; programs may start  |
 * | LOADER_OP_RUN / WAIT / KILL / INFO | a controller      | start / wait for / end a program        |
 *
 * A controller is a thread of the loader's own space (the root task, the tests).  Ending a
 * program deletes its threads (which ends a fault it is blocked in) and so its space, then
 * CLIENT_DEL at its pager gives every frame it held back to the pager's allocator; the
 * status and the count of pages reclaimed stay with the program until a WAIT collects them.
 * Context: the loader thread (loader_run never returns).
 */
#include <stdio.h>
#include <string.h>
#include <sigma4/pager.h>
#include "../../lib/pager/pager_client.h"
#include "loader.h"

#define LABEL_PAGEFAULT         (-2L)
#define LABEL_EXCEPTION         (-5L)
#define EXC_MR_VECTOR           19

static const char *how_name(L4_Word_t status)
{
    switch (LOADER_STATUS_HOW(status)) {
    case LOADER_END_EXITED:     return "exited";
    case LOADER_END_FAULT:      return "crashed: unresolvable page fault";
    case LOADER_END_EXCEPTION:  return "crashed: exception";
    case LOADER_END_KILLED:     return "killed";
    default:                    return "ended";
    }
}

/* The answer: label err, words w[0..n). */
static void answer(L4_Word_t err, const L4_Word_t *w, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        L4_LoadMR((int)i + 1, w[i]);
    L4_Set_MsgTag(L4_MsgTagMake(err, n, 0));
}

/* Program p is over: threads and space deleted, frames back to its pager, status kept;
 * a waiting controller gets it now. */
static void end_prog(int p, L4_Word_t status)
{
    struct ld_prog *pr = &ld.prog[p];
    if (pr->ended)
        return;
    ld_threads_delete(p);
    L4_Word_t reclaimed = 0;
    if (!pr->server) {
        L4_Word_t a[1] = { pr->id.raw };
        if (pager_call(pr->pager, PAGER_OP_CLIENT_DEL, 1, a, &reclaimed, 1) != PAGER_OK)
            reclaimed = 0;
    }
    pr->ended = true;
    pr->status = status;
    pr->reclaimed = reclaimed;
    ld.ended++;
    printf("loader: %s (%lx) %s %llu, %lu pages reclaimed\n", pr->name, pr->id.raw,
           how_name(status), LOADER_STATUS_DETAIL(status), reclaimed);
    if (!L4_IsNilThread(pr->waiter)) {
        L4_Word_t w[2] = { pr->status, pr->reclaimed };
        answer(LOADER_OK, w, 2);
        L4_Reply(pr->waiter);
        pr->used = false;
    }
}

/* The program named by a controller's word, or -1. */
static int prog_by_id(L4_Word_t raw)
{
    for (int i = 0; i < LD_MAX_PROGS; i++)
        if (ld.prog[i].used && !ld.prog[i].server && ld.prog[i].id.raw == raw)
            return i;
    return -1;
}

/* The server's page fault at addr: map its image copy's page (or its start block). */
static bool server_fault(const struct ld_prog *pr, L4_Word_t addr)
{
    L4_Word_t page = addr & ~0xFFFUL;
    const uint8_t *src;
    if (page >= pr->img_lo && page < pr->img_hi)
        src = pr->img + (page - pr->img_lo);
    else if (page == LOADER_START_PAGE)
        src = pr->start_page;
    else
        return false;
    L4_LoadMR(1, page | 0x8UL);
    L4_LoadMR(2, L4_FpageAddRights(L4_FpageLog2((L4_Word_t)src, 12), L4_FullyAccessible).raw);
    L4_Set_MsgTag(L4_MsgTagMake(0, 0, 2));
    return true;
}

/* A message from a thread of program p (or the server): true if an answer is loaded. */
static bool from_prog(int p, L4_ThreadId_t from, L4_MsgTag_t tag)
{
    struct ld_prog *pr = &ld.prog[p];
    long label = (long)tag.raw >> 20;
    L4_Word_t w[LOADER_MAX_PAGERS + 1];
    if (label == LABEL_PAGEFAULT) {
        L4_Word_t addr, ip;
        L4_StoreMR(1, &addr);
        L4_StoreMR(2, &ip);
        if (!pr->server) {
            L4_Set_MsgTag(L4_MsgTagMake(0, 0, 0));      /* retry: its pager is set by now */
            return true;
        }
        if (server_fault(pr, addr))
            return true;
        printf("loader: memory server fault at 0x%lx (ip 0x%lx) outside its image\n", addr, ip);
        return false;
    }
    if (label == LABEL_EXCEPTION) {
        L4_Word_t vec = 0, ip = 0;
        L4_StoreMR(1, &ip);
        L4_StoreMR(EXC_MR_VECTOR, &vec);
        printf("loader: %s (%lx): exception %lu at ip 0x%lx\n", pr->name, from.raw, vec, ip);
        if (!pr->server)
            end_prog(p, LOADER_STATUS(LOADER_END_EXCEPTION, vec));
        return false;
    }
    unsigned op = LOADER_LABEL_IS(L4_Label(tag)) ? LOADER_LABEL_OP(L4_Label(tag)) : 0;
    unsigned u = (unsigned)L4_UntypedWords(tag);
    L4_StoreMRs(1, u < LOADER_MAX_PAGERS + 1 ? u : LOADER_MAX_PAGERS + 1, w);
    if (L4_TypedWords(tag) != 0) {
        answer(LOADER_E_BADMSG, 0, 0);
        return true;
    }
    switch (op) {
    case LOADER_OP_EXIT:
        if (u != LOADER_ARGS_EXIT || pr->server)
            break;
        end_prog(p, LOADER_STATUS(LOADER_END_EXITED, w[0]));
        return false;
    case LOADER_OP_THREAD_NEW: {
        if (u != LOADER_ARGS_THREAD_NEW) {
            answer(LOADER_E_BADMSG, 0, 0);
            return true;
        }
        L4_Word_t err;
        L4_ThreadId_t t = ld_thread_new(p, w[0], w[1], w[2], &err);
        w[0] = t.raw;
        answer(err, w, err == LOADER_OK ? 1 : 0);
        return true;
    }
    case LOADER_OP_READY:
        if (!pr->server || u < 2 || u - 1 != w[0] || w[0] > LOADER_MAX_PAGERS) {
            answer(LOADER_E_BADMSG, 0, 0);
            return true;
        }
        for (unsigned i = 0; i < w[0]; i++)
            ld.pagers[i].raw = w[i + 1];
        ld.npagers = (unsigned)w[0];
        answer(LOADER_OK, 0, 0);
        return true;
    }
    answer(op ? LOADER_E_DENIED : LOADER_E_NOOP, 0, 0);
    return true;
}

/* CRASHED from a pager: its client's thread could not be paged. */
static void from_pager(L4_MsgTag_t tag)
{
    L4_Word_t w[4];
    if (L4_Label(tag) != LOADER_LABEL(LOADER_OP_CRASHED) || L4_UntypedWords(tag) != 4)
        return;
    L4_StoreMRs(1, 4, w);
    int p = ld_prog_of((L4_ThreadId_t){ .raw = w[0] });
    if (p < 0 || ld.prog[p].server)
        return;
    printf("loader: %s (%lx): page fault at 0x%lx (ip 0x%lx): %s\n", ld.prog[p].name, w[0], w[1],
           w[2], pager_strerror(w[3]));
    end_prog(p, LOADER_STATUS(LOADER_END_FAULT, w[3]));
}

/* A controller's request: true if an answer is loaded (false: WAIT on a live program). */
static bool from_controller(L4_ThreadId_t from, L4_MsgTag_t tag)
{
    unsigned op = LOADER_LABEL_IS(L4_Label(tag)) ? LOADER_LABEL_OP(L4_Label(tag)) : 0;
    unsigned u = (unsigned)L4_UntypedWords(tag);
    L4_Word_t w[1 + LOADER_CMD_WORDS];
    if (L4_TypedWords(tag) != 0 || u > 1 + LOADER_CMD_WORDS) {
        answer(LOADER_E_BADMSG, 0, 0);
        return true;
    }
    L4_StoreMRs(1, u, w);
    switch (op) {
    case LOADER_OP_RUN: {
        char cmd[LOADER_CMD_MAX];
        if (u < 2 || loader_unpack((const uint64_t *)&w[1], u - 1, cmd) < 0) {
            answer(LOADER_E_BADMSG, 0, 0);
            return true;
        }
        int p = w[0] > 0xFFFF ? -LOADER_E_BADARG : ld_spawn(cmd, (unsigned)w[0], false);
        if (p < 0) {
            answer((L4_Word_t)-p, 0, 0);
            return true;
        }
        w[0] = ld.prog[p].id.raw;
        answer(LOADER_OK, w, 1);
        return true;
    }
    case LOADER_OP_WAIT:
    case LOADER_OP_KILL: {
        int p = u == 1 ? prog_by_id(w[0]) : -1;
        if (u != 1) {
            answer(LOADER_E_BADMSG, 0, 0);
            return true;
        }
        if (p < 0) {
            answer(LOADER_E_UNKNOWN, 0, 0);
            return true;
        }
        struct ld_prog *pr = &ld.prog[p];
        if (op == LOADER_OP_WAIT && !pr->ended) {
            if (!L4_IsNilThread(pr->waiter)) {
                answer(LOADER_E_BUSY, 0, 0);
                return true;
            }
            pr->waiter = from;                  /* answered by end_prog */
            return false;
        }
        if (!pr->ended)
            end_prog(p, LOADER_STATUS(LOADER_END_KILLED, 0));   /* answers a waiter */
        L4_Word_t r[2] = { pr->status, pr->reclaimed };
        pr->used = false;
        answer(LOADER_OK, r, 2);
        return true;
    }
    case LOADER_OP_INFO: {
        L4_Word_t r[4] = { 0, ld.started, ld.ended, ld.npagers };
        for (int i = 0; i < LD_MAX_PROGS; i++)
            r[0] += ld.prog[i].used && !ld.prog[i].ended && !ld.prog[i].server;
        answer(u == 0 ? LOADER_OK : LOADER_E_BADMSG, r, u == 0 ? 4 : 0);
        return true;
    }
    }
    answer(LOADER_E_NOOP, 0, 0);
    return true;
}

/* Is t one of the server's pagers? */
static bool is_pager(L4_ThreadId_t t)
{
    for (unsigned i = 0; i < ld.npagers; i++)
        if (ld.pagers[i].raw == t.raw)
            return true;
    return false;
}

/* Serve one message from `from`; true if an answer is loaded. */
static bool serve(L4_ThreadId_t from, L4_MsgTag_t tag)
{
    if (L4_IsLocalId(from))
        return from_controller(L4_GlobalIdOf(from), tag);
    int p = ld_prog_of(from);
    if (p >= 0 && ld.prog[p].server && is_pager(from) &&
        L4_Label(tag) == LOADER_LABEL(LOADER_OP_CRASHED)) {
        from_pager(tag);
        return false;
    }
    if (p >= 0)
        return from_prog(p, from, tag);
    printf("loader: ignoring message from %lx: tag %lx\n", from.raw, tag.raw);
    return false;
}

L4_ThreadId_t loader_thread(void)
{
    return ld.self;
}

unsigned loader_pagers(L4_ThreadId_t *ids, unsigned max)
{
    for (unsigned i = 0; i < ld.npagers && i < max; i++)
        ids[i] = ld.pagers[i];
    return ld.npagers;
}

void loader_run(const char *server_args, volatile int *ready)
{
    ld.self = L4_Myself();
    L4_Accept(L4_UntypedWordsAcceptor);
    int s = ld_spawn(server_args, 0, true);
    if (s < 0) {
        printf("loader: the memory server did not start: %s\n", loader_strerror((unsigned)-s));
        if (ready)
            *ready = -1;
    }
    ld.server = s;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        bool was_ready = ld.npagers > 0;
        bool reply = L4_IpcSucceeded(tag) && serve(from, tag);
        if (!was_ready && ld.npagers > 0 && ready)
            *ready = 1;
        if (reply)
            L4_Reply(from);
        tag = L4_Wait(&from);
    }
}

/* ---- a controller's side ------------------------------------------------------------------ */

static L4_Word_t call(L4_ThreadId_t loader, unsigned op, unsigned u, const L4_Word_t *a,
                      L4_Word_t *r, unsigned nr)
{
    for (unsigned i = 0; i < u; i++)
        L4_LoadMR((int)i + 1, a[i]);
    L4_Set_MsgTag(L4_MsgTagMake(LOADER_LABEL(op), u, 0));
    L4_MsgTag_t tag = L4_Call(loader);
    if (L4_IpcFailed(tag))
        return LOADER_E_BADMSG;
    if (L4_Label(tag) == LOADER_OK)
        for (unsigned i = 0; i < nr && i < L4_UntypedWords(tag); i++)
            L4_StoreMR((int)i + 1, &r[i]);
    return L4_Label(tag);
}

L4_Word_t loader_req_run(L4_ThreadId_t loader, L4_Word_t cpu, const char *cmd, L4_ThreadId_t *prog)
{
    L4_Word_t a[1 + LOADER_CMD_WORDS], r[1] = { 0 };
    unsigned words = loader_pack(cmd, (uint64_t *)&a[1]);
    if (words == 0)
        return LOADER_E_BADARG;
    a[0] = cpu;
    L4_Word_t e = call(loader, LOADER_OP_RUN, 1 + words, a, r, 1);
    prog->raw = e == LOADER_OK ? r[0] : 0;
    return e;
}

L4_Word_t loader_req_wait(L4_ThreadId_t loader, L4_ThreadId_t prog, L4_Word_t *status,
                          L4_Word_t *reclaimed)
{
    L4_Word_t a[1] = { prog.raw }, r[2] = { 0, 0 };
    L4_Word_t e = call(loader, LOADER_OP_WAIT, 1, a, r, 2);
    *status = r[0];
    *reclaimed = r[1];
    return e;
}

L4_Word_t loader_req_kill(L4_ThreadId_t loader, L4_ThreadId_t prog, L4_Word_t *status,
                          L4_Word_t *reclaimed)
{
    L4_Word_t a[1] = { prog.raw }, r[2] = { 0, 0 };
    L4_Word_t e = call(loader, LOADER_OP_KILL, 1, a, r, 2);
    *status = r[0];
    *reclaimed = r[1];
    return e;
}

L4_Word_t loader_req_info(L4_ThreadId_t loader, L4_Word_t *w, unsigned n)
{
    return call(loader, LOADER_OP_INFO, 0, 0, w, n);
}
