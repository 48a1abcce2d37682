/* loader.h — the loader protocol: what programs and pagers send to the loader.
 *
 * Written once here; docs/design/pagers.md ("The loader and the exit protocol") explains it.
 * Tag label LOADER_LABEL(op), u = LOADER_ARGS_*, t = 0.  EXIT is never answered (the loader
 * deletes the sender); CRASHED is a send-only notification from a pager (send timeout 0).
 * Crashes of other kinds reach the loader as X.2 exception messages (label -5): the loader is
 * every program's exception handler.
 */
#pragma once

#define LOADER_PROTO            0x4CULL                 /* 'L': bits 15-8 of the label */
#define LOADER_LABEL(op)        ((LOADER_PROTO << 8) | (unsigned long long)(op))
#define LOADER_LABEL_IS(l)      (((unsigned long long)(l) >> 8) == LOADER_PROTO)
#define LOADER_LABEL_OP(l)      ((unsigned)((unsigned long long)(l) & 0xFFULL))

#define LOADER_OP_EXIT          0x01    /* program: MR1 exit code */
#define LOADER_OP_CRASHED       0x02    /* pager: MR1 client thread, MR2 fault address, MR3 IP, MR4 PAGER_E_* */

#define LOADER_ARGS_EXIT        1
#define LOADER_ARGS_CRASHED     4
