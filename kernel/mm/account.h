/* account.h — kernel-memory accounts: who pays for the kernel objects a space causes.
 *
 * An account has a limit and a charge in bytes.  Every space holds a reference to one
 * account (`struct account_ref`, in the space): the space's page tables, mapping nodes,
 * TCBs, UTCB pages, IO bitmap and IO grant records, limited roots and the space itself are
 * charged to it when allocated and uncharged exactly when freed.  Several spaces may share an
 * account (a new space shares its creator's unless SpaceControl gives it its own).  The
 * reference also counts the bytes its own space caused, so that the space's charge can move
 * to another account.  The pool reserve: when the pool is down to its last
 * account_reserve_bytes(), only system calls and faults of root-server threads (the root
 * task, sigma0, sigma1 — whichever space they allocate for) may allocate, so they can always
 * create, delete and page.
 *
 * Invariants: an account's charge never exceeds its limit and is never negative (asserted on
 * every uncharge); a space's bytes are 0 when it is freed, so deleting a space gives its
 * account back exactly what the space took.  Charges are atomic (any CPU, any lock); an
 * account's references change under the exclusive kernel lock or atomically (space freed
 * by a zombie's CPU).  Design: docs/design/kmem-accounts.md.
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct slab_cache;

#define ACCOUNT_UNLIMITED   (~0ULL)

struct account {
    uint64_t limit;             /* bytes; ACCOUNT_UNLIMITED for the root servers' accounts */
    uint64_t charge;            /* bytes charged (atomic) */
    uint32_t refs;              /* spaces using it (atomic); the last frees it */
};

struct account_ref {
    struct account *acct;       /* the account charged; changed under the exclusive lock */
    uint64_t bytes;             /* bytes this space caused and holds (atomic) */
};

/* Set the pool reserve from the pool size: boot CPU, after kmem_init. */
void account_init(void);

/* The pool reserve in bytes: what only root-server spaces may use. */
uint64_t account_reserve_bytes(void);

/* Make *r the reference of a new space to a new account of its own with `limit` bytes.  -1
 * if no kernel memory is left for the account object (which is the kernel's, not charged). */
int account_ref_init_own(struct account_ref *r, uint64_t limit);

/* Make *r the reference of a new space to the account of `from` (shared). */
void account_ref_init_shared(struct account_ref *r, const struct account_ref *from);

/* Drop the reference *r (its bytes must be 0: everything it charged was freed); the last
 * reference frees the account. */
void account_ref_drop(struct account_ref *r);

/* Give r's space a new account of its own with `limit` bytes and move everything r holds
 * there (the old account gets it back).  -1, nothing changed, if r holds more than `limit`
 * or no kernel memory is left for the account.  Exclusive kernel lock (no charge of r may
 * run meanwhile). */
int account_ref_set_own(struct account_ref *r, uint64_t limit);

/* The account r charges: its limit and its charge (bytes). */
static inline uint64_t account_limit(const struct account_ref *r) { return r->acct->limit; }
static inline uint64_t account_charged(const struct account_ref *r)
{
    return __atomic_load_n(&r->acct->charge, __ATOMIC_RELAXED);
}

/* Charge `bytes` to r's account for r's space: -1 (nothing charged) if that would pass the
 * account's limit, or if the pool would drop into its reserve and the current thread is not
 * a root server's.  r NULL: the kernel's own memory, never charged. */
int account_charge(struct account_ref *r, uint64_t bytes);

/* Give back `bytes` charged with account_charge(r, bytes).  r NULL: nothing. */
void account_uncharge(struct account_ref *r, uint64_t bytes);

/* 2^order zeroed pages charged to r (kmem_alloc + account_charge), or NULL. */
void *account_alloc(struct account_ref *r, unsigned order);

/* Free a block from account_alloc(r, order) and uncharge it. */
void account_free(struct account_ref *r, void *p, unsigned order);

/* An object of cache c charged to r (its object size), or NULL. */
void *account_slab_alloc(struct account_ref *r, struct slab_cache *c);

/* Free an object from account_slab_alloc(r, c) and uncharge it. */
void account_slab_free(struct account_ref *r, struct slab_cache *c, void *obj);
