/* pager_client.h — a program's side of the memory-server protocol: one inline stub per request.
 *
 * The protocol is written in abi/include/sigma4/pager.h (docs/design/pagers.md).  Each stub
 * Calls the pager thread `pager` (the program's pager: the loader passes its id; L4_Pager()
 * names it too), waits for the answer and returns its error code — PAGER_OK, a PAGER_E_*
 * from the pager, or PAGER_E_IPC if the IPC itself failed.  Results go to the out
 * parameters (which may be NULL) only on PAGER_OK.  The stubs use MR0.. of the caller's UTCB
 * and block until the pager answers.
 */
#pragma once
#include <l4/l4.h>
#include <sigma4/pager.h>

/* Request op with words a[0..u) to `pager`; the answer's words in r[0..nr) (r may be NULL). */
static inline unsigned long pager_call(L4_ThreadId_t pager, unsigned op, unsigned u,
                                       const L4_Word_t *a, L4_Word_t *r, unsigned nr)
{
    for (unsigned i = 0; i < u; i++)
        L4_LoadMR((int)i + 1, a[i]);
    L4_Set_MsgTag(L4_MsgTagMake(PAGER_LABEL(op), u, 0));
    L4_MsgTag_t tag = L4_Call(pager);
    if (L4_IpcFailed(tag))
        return PAGER_E_IPC;
    if (L4_Label(tag) == PAGER_OK)
        for (unsigned i = 0; r && i < nr && i < L4_UntypedWords(tag); i++)
            L4_StoreMR((int)i + 1, &r[i]);
    return L4_Label(tag);
}

/* Commit frames to the pages [addr, addr + n pages) now; *committed := pages newly committed. */
static inline unsigned long pager_alloc(L4_ThreadId_t pager, L4_Word_t addr, L4_Word_t n,
                                        L4_Word_t *committed)
{
    L4_Word_t a[2] = { addr, n };
    return pager_call(pager, PAGER_OP_ALLOC, 2, a, committed, 1);
}

/* Unmap and free the committed pages of [addr, addr + n pages); *freed := how many. */
static inline unsigned long pager_free(L4_ThreadId_t pager, L4_Word_t addr, L4_Word_t n,
                                       L4_Word_t *freed)
{
    L4_Word_t a[2] = { addr, n };
    return pager_call(pager, PAGER_OP_FREE, 2, a, freed, 1);
}

/* The frame behind the committed page at addr, and its NUMA node. */
static inline unsigned long pager_query(L4_ThreadId_t pager, L4_Word_t addr, L4_Word_t *pfn,
                                        L4_Word_t *node)
{
    L4_Word_t a[1] = { addr }, r[2] = { 0, 0 };
    unsigned long err = pager_call(pager, PAGER_OP_QUERY, 1, a, r, 2);
    if (err == PAGER_OK && pfn)
        *pfn = r[0];
    if (err == PAGER_OK && node)
        *node = r[1];
    return err;
}

/* Switch the pager's allocator to alg (PAGER_ALG_*); *previous := the one before. */
static inline unsigned long pager_set_alg(L4_ThreadId_t pager, L4_Word_t alg, L4_Word_t *previous)
{
    L4_Word_t a[1] = { alg };
    return pager_call(pager, PAGER_OP_SET_ALG, 1, a, previous, 1);
}

/* Where unresolvable faults go: handler(addr, error, ip) on the stack `sp`; ip 0: nowhere. */
static inline unsigned long pager_set_upcall(L4_ThreadId_t pager, L4_Word_t ip, L4_Word_t sp)
{
    L4_Word_t a[2] = { ip, sp };
    return pager_call(pager, PAGER_OP_SET_UPCALL, 2, a, 0, 0);
}

/* The pager's balance: w[PAGER_INFO_x - 1] for every x. */
static inline unsigned long pager_info(L4_ThreadId_t pager, L4_Word_t w[PAGER_INFO_WORDS])
{
    return pager_call(pager, PAGER_OP_INFO, 0, 0, w, PAGER_INFO_WORDS);
}
