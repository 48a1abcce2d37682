/* loop.c — a pager thread: receive, serve, answer, balance, forever.
 *
 * One message at a time: page faults (label -2, fault.c) and pager requests (request.c);
 * anything else is printed and not answered.  Answers go with ReplyWait (send timeout 0: a
 * sender that stopped waiting loses its answer, the pager goes on).  When the pager's free
 * count has crossed a threshold (balance.c) or a crash report waits for the loader, the
 * answer goes alone (the client goes on), then the pager borrows or returns frames and
 * retries the report, then it waits.  An answer to MEM_LOW carries frames:
 * if it could not be sent they go back to the allocator.  The pager accepts no mappings
 * (BR0: untyped words only).  Context: pager p's own thread, pinned to p->cpu.
 */
#include <stdio.h>
#include "server.h"

#define LABEL_PAGEFAULT (-2L)

void pager_loop(struct pager *p)
{
    L4_ThreadId_t from;
    L4_Accept(L4_UntypedWordsAcceptor);
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        bool reply = false;
        if (L4_IpcFailed(tag)) {
            tag = L4_Wait(&from);
            continue;
        }
        /* Senders in the server's own space arrive by local id (hosted mode: the loader is
         * the host); clients and the loader are known by global ids. */
        L4_ThreadId_t who = L4_IsLocalId(from) ? L4_GlobalIdOf(from) : from;
        if ((long)tag.raw >> 20 == LABEL_PAGEFAULT) {
            reply = fault_handle(p, who, tag);
        } else if (PAGER_LABEL_IS(L4_Label(tag))) {
            reply = request_handle(p, who, tag);
        } else {
            printf("pager %u: ignoring message from %lx: tag %lx\n", p->index, from.raw, tag.raw);
        }
        if (p->ngiven) {                        /* frames in the answer: know its fate */
            L4_MsgTag_t sent = L4_Reply(from);
            if (L4_IpcFailed(sent))
                balance_donation_failed(p);
            else
                balance_donation_done(p);
            tag = L4_Wait(&from);
        } else if (reply && (balance_needed(p) || p->crash.pending)) {
            L4_Reply(from);
            if (balance_needed(p))
                balance_after(p);
            crash_report_send(p);               /* retried after every answer */
            tag = L4_Wait(&from);
        } else {
            tag = reply ? L4_ReplyWait(from, &from) : L4_Wait(&from);
        }
    }
}
