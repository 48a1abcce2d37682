/* fault.c — page faults of the threads sigma0 pages (label -2): the root task, and any other
 * thread whose pager is sigma0.
 *
 * Message (X.2 7.1, sent by the kernel on the faulter's behalf): label -2 with the access
 * (r 4, w 2, x 1) in the low bits, u = 2: MR1 = fault address, MR2 = fault IP; the kernel
 * accepts mappings anywhere in the faulter's space.  sigma0 maps the page of the fault 1:1
 * (virtual = physical) with all rights, if it is conventional memory that is free (the
 * faulter becomes its owner) or already the faulter's.  Otherwise it prints one line and does
 * not answer: the faulter stays blocked, exactly as X.2 leaves a fault nobody resolves.
 */
#include "sigma0.h"

bool fault_handle(L4_ThreadId_t from, L4_MsgTag_t tag)
{
    L4_Word_t addr, ip;
    L4_StoreMR(1, &addr);
    L4_StoreMR(2, &ip);
    unsigned access = (unsigned)(tag.raw >> 16) & 0x7;
    L4_Word_t size = 1UL << sigma0_page_log2, page = addr & ~(size - 1);
    L4_Word_t holder = 0;
    const char *why = NULL;
    char name[32], buf[48];

    if (L4_UntypedWords(tag) != 2 || L4_TypedWords(tag) != 0) {
        why = "malformed page-fault message";
    } else {
        switch (pool_check(&sigma0_pool, page, page + size, from.raw, &holder)) {
        case POOL_OK:
            if (pool_set(&sigma0_pool, page, page + size, from.raw) < 0)
                why = "region table full";
            break;
        case POOL_NOT_RAM:
            why = "not conventional memory";
            break;
        case POOL_TAKEN:
            if (holder == POOL_KERNEL) {
                why = "reserved by the kernel";
            } else {
                snprintf(buf, sizeof buf, "owned by %s", sigma0_owner_name(holder, name));
                why = buf;
            }
            break;
        }
    }
    if (why) {
        printf("sigma0: unresolved page fault of %lx at 0x%lx (ip 0x%lx, %c%c%c): %s; "
               "the thread stays blocked\n", from.raw, addr, ip, access & 4 ? 'r' : '-',
               access & 2 ? 'w' : '-', access & 1 ? 'x' : '-', why);
        return false;
    }
    S0_LOG(S0_GRANTS, "sigma0: page fault of %lx at 0x%lx (ip 0x%lx): mapped 0x%lx 1:1\n",
           from.raw, addr, ip, page);
    reply_map(page, sigma0_page_log2, L4_FullyAccessible);
    return true;
}
