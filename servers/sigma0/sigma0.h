/* sigma0.h — what sigma0's parts share: the pool, the well-known thread ids, the console
 * verbosity, the message labels it serves and the handlers of its protocols.
 *
 * sigma0 is one thread (UserBase, 1) in its own privileged space.  By definition its space is
 * the identity mapping of conventional memory: the fpages of the map items it sends name
 * physical memory.  It serves, one message at a time (main.c):
 *     label -2     page faults of the threads it pages (fault.c)
 *     label -6     the X.2 sigma0 protocol: requests for memory (request.c)
 *     label -1001  sigma4's extension: console verbosity and a dump of the pool (ext.c)
 * Every handler reads the message from the MRs and, if sigma0 should answer, leaves the reply
 * in MR0.. (reply.c) and returns true; false means "do not answer" (the sender stays blocked).
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <l4/l4.h>
#include "pool.h"

/* Labels: bits 63-20 of the tag, sign-extended (X.2 "label -n"; bits 19-16 are sub-flags). */
#define SIGMA0_LABEL_PAGEFAULT  (-2L)
#define SIGMA0_LABEL_REQUEST    (-6L)
#define SIGMA0_LABEL_IOFAULT    (-8L)
#define SIGMA0_LABEL_EXT        (-1001L)

/* Largest fpage one request may ask for: 1 GiB. */
#define SIGMA0_MAX_LOG2         30

/* Verbosity: what sigma0 prints (each level adds to the ones below). */
#define S0_QUIET        0       /* faults it leaves unresolved, messages it ignores */
#define S0_REFUSALS     1       /* requests it refuses (the default) */
#define S0_GRANTS       2       /* every page it hands out or maps on a fault */
#define S0_MESSAGES     3       /* every message it receives */

extern struct pool sigma0_pool;         /* all memory sigma0 knows, by owner */
extern unsigned sigma0_page_log2;       /* log2 of the smallest page size (KIP PageInfo) */
extern int sigma0_verbose;              /* S0_* */
extern L4_ThreadId_t sigma0_self, sigma0_sigma1, sigma0_root;

#define S0_LOG(level, ...) do { if (sigma0_verbose >= (level)) printf(__VA_ARGS__); } while (0)

/* The label of tag t as a signed number (-2, -6, ...). */
static inline long sigma0_label(L4_MsgTag_t t)
{
    return (long)t.raw >> 20;
}

/* A name for `owner` in messages: "free", "kernel", "sigma0", "sigma1", "root" or "thread <id>",
 * written to buf (at least 32 bytes); returns buf. */
const char *sigma0_owner_name(uint64_t owner, char *buf);

/* Fill the pool from the KIP's memory descriptors and the root servers' records (kipmem.c). */
void kipmem_init(struct pool *p, const void *kip);
/* log2 of the smallest page size the kernel supports (12 if the KIP names none). */
unsigned kipmem_page_log2(const void *kip);

/* MR0..MR2 := the answer "here is [base, base + 2^log2) with rights rwx": label 0, u = 0, t = 2,
 * one map item with SendBase = base. */
void reply_map(L4_Word_t base, unsigned log2, L4_Word_t rwx);

/* MR0..MR2 := one map item carrying the x86 IO fpage `fpage` (ports, not memory). */
void reply_io(L4_Word_t fpage);
/* MR0..MR2 := the refusal: label 0, u = 0, t = 2, a map item with the nil fpage. */
void reply_refuse(void);
/* MR0 := the empty answer: label 0, no words. */
void reply_empty(void);

/* A page fault of `from` (label -2, MR1 address, MR2 IP): true if the reply maps the page. */
bool fault_handle(L4_ThreadId_t from, L4_MsgTag_t tag);
/* A sigma0 request of `from` (label -6): always true (a map item or a refusal). */
bool request_handle(L4_ThreadId_t from, L4_MsgTag_t tag);
/* A sigma4 extension request (label -1001): MR1 = 1 sets the verbosity to MR2, 2 dumps the pool.
 * Always true (empty reply). */
bool ext_handle(L4_ThreadId_t from, L4_MsgTag_t tag);
/* Print the pool, one region a line, and the totals per kind of owner. */
void ext_dump(void);
