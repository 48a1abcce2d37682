/* kmsg.h — messages the kernel sends on a thread's behalf and whose reply the thread waits
 * for: page faults, IO faults, exceptions, preemption messages.
 *
 * The kernel writes the message into the thread's own MRs and makes an ordinary Call from
 * it; the thread's MRs, BR0 and IPC bookkeeping (a string copy or a system call may be in
 * progress) are saved before and restored after.  While the message is sent its control
 * transfer items are data (TF_KMSG); the reply may carry one that sets the thread's
 * registers (TF_KREPLY), and may not be longer than the MRs saved.
 */
#pragma once
#include <stdint.h>

struct tcb;

#define KMSG_MAX_WORDS  21              /* MR1..MR21: two words and a 19-word control xfer */

#define LABEL_INTERRUPT     (-1)
#define LABEL_PAGEFAULT     (-2)
#define LABEL_PREEMPTION    (-3)
#define LABEL_EXCEPTION     (-5)
#define LABEL_IOFAULT       (-8)

struct kmsg_saved {
    uint64_t mr[KMSG_MAX_WORDS + 1];
    unsigned n;                         /* MR0..MR(n-1) saved */
    uint64_t br0, from, tag, error, partner, rcv_spec;
    uint16_t rcv_timeout;
};

/* The tag of a kernel message: label, the low nibble of the label field, u untyped words. */
static inline uint64_t kmsg_tag(int64_t label, unsigned low, unsigned u)
{
    return ((uint64_t)label << 20) | ((uint64_t)low << 16) | u;
}

/* Save what kmsg_call may change: MR0..MR(words) and the rest (see above). */
void kmsg_save(struct tcb *t, struct kmsg_saved *s, unsigned words);

/* Call `dest` from t with the message t's MRs hold (tag), accepting mappings by `acceptor`
 * and replies of at most `rcv_max` words; timeouts as Ipc's.  Returns 0 or the IPC error
 * code; the reply is in t's MRs (tag in *reply if given). */
unsigned kmsg_call(struct tcb *t, uint64_t dest, uint64_t tag, uint64_t acceptor,
                   unsigned rcv_max, uint64_t timeouts, uint64_t *reply);

/* Put back what kmsg_save saved. */
void kmsg_restore(struct tcb *t, const struct kmsg_saved *s);

/* Write t's user registers (exception-message order) into its MRs from MR[at] on: one
 * control transfer item with every register (t of tag + 19) or, built without control
 * transfer items, untyped words (u of tag + 18).  The new tag. */
uint64_t kmsg_append_regs(struct tcb *t, uint64_t tag, unsigned at);
