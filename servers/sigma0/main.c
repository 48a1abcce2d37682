/* sigma0 — the root pager: owner of all conventional memory, handing it out the X.2 way.
 *
 * At start sigma0 builds its pool from the KIP (kipmem.c) and prints one summary line; then it
 * serves one message at a time, forever (see sigma0.h for the protocols).  It answers with
 * ReplyWait, whose send timeout is zero: a sender that is no longer waiting loses its answer
 * and sigma0 goes on.  A failed receive (or reply) is followed by a fresh open wait.  sigma0
 * accepts no mappings (BR0 = untyped words only).
 * Context: sigma0's only thread; nothing here blocks except the wait for the next message.
 */
#include "sigma0.h"

struct pool sigma0_pool;
unsigned sigma0_page_log2 = 12;
int sigma0_verbose = S0_REFUSALS;
L4_ThreadId_t sigma0_self, sigma0_sigma1, sigma0_root;

const char *sigma0_owner_name(uint64_t owner, char *buf)
{
    const char *name = NULL;
    if (owner == POOL_FREE)
        name = "free";
    else if (owner == POOL_KERNEL)
        name = "kernel";
    else if (owner == sigma0_self.raw)
        name = "sigma0";
    else if (owner == sigma0_sigma1.raw)
        name = "sigma1";
    else if (owner == sigma0_root.raw)
        name = "root";
    if (name)
        snprintf(buf, 32, "%s", name);
    else
        snprintf(buf, 32, "thread %lx", owner);
    return buf;
}

/* Serve message `tag` from `from`; true if the answer in the MRs should be sent. */
static bool dispatch(L4_ThreadId_t from, L4_MsgTag_t tag)
{
    L4_Word_t mr1, mr2;
    L4_StoreMR(1, &mr1);
    L4_StoreMR(2, &mr2);
    S0_LOG(S0_MESSAGES, "sigma0: message from %lx: tag %lx, %lx %lx\n", from.raw, tag.raw, mr1, mr2);
    switch (sigma0_label(tag)) {
    case SIGMA0_LABEL_PAGEFAULT:
        return fault_handle(from, tag);
    case SIGMA0_LABEL_REQUEST:
        return request_handle(from, tag);
    case SIGMA0_LABEL_EXT:
        return ext_handle(from, tag);
    case SIGMA0_LABEL_IOFAULT:                  /* sigma0 owns every port: hand it out */
        if (((mr1 >> 4) & 0x3F) != 2 || L4_UntypedWords(tag) != 2)
            return false;
        S0_LOG(S0_MESSAGES, "sigma0: ports %lx+%lu to %lx\n", (mr1 >> 16) & 0xFFFF,
               1UL << ((mr1 >> 10) & 0x3F), from.raw);
        reply_io(mr1 & ~0xFUL);
        return true;
    default:
        printf("sigma0: ignoring message from %lx: tag %lx (label %ld), %lx %lx\n", from.raw,
               tag.raw, sigma0_label(tag), mr1, mr2);
        return false;
    }
}

int main(void)
{
    void *kip = L4_GetKernelInterface();
    L4_Word_t user_base = L4_ThreadIdUserBase(kip);
    sigma0_self = L4_Myself();
    sigma0_sigma1 = L4_GlobalId(user_base + 1, 1);
    sigma0_root = L4_GlobalId(user_base + 2, 1);
    sigma0_page_log2 = kipmem_page_log2(kip);
    kipmem_init(&sigma0_pool, kip);

    const struct pool *p = &sigma0_pool;
    uint64_t free = pool_bytes(p, POOL_FREE), kernel = pool_bytes(p, POOL_KERNEL);
    uint64_t images = pool_total(p) - free - kernel;
    printf("sigma0: thread %lx, %lu MiB conventional memory to hand out (%lu KiB more hold the "
           "root servers' images and the boot modules), %lu KiB reserved by the kernel; %u regions\n",
           sigma0_self.raw, free >> 20, images >> 10, kernel >> 10, p->n);

    L4_ThreadId_t from;
    L4_Accept(L4_UntypedWordsAcceptor);
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        if (L4_IpcFailed(tag))
            tag = L4_Wait(&from);
        else if (dispatch(from, tag))
            tag = L4_ReplyWait(from, &from);
        else
            tag = L4_Wait(&from);
    }
}
