/* asm-offsets.c — structure offsets for entry.S, generated from C (never typed by hand).
 * Compiled to assembly; the build turns the ASM_OFFSET lines into build/gen/asm-offsets.h. */
#include <stddef.h>
#include "core/percpu.h"
#include "core/thread.h"
#include "core/klock.h"
#include "frame.h"
#include "cpu.h"
#include <sigma4/syscall.h>

#define DEFINE(sym, val) __asm__ volatile("\n.ascii \"ASM_OFFSET " #sym " %c0\"" :: "i"(val))

void asm_offsets(void);
void asm_offsets(void)
{
    DEFINE(PCPU_SELF, offsetof(struct percpu, self));
    DEFINE(PCPU_KERNEL_RSP, offsetof(struct percpu, kernel_rsp));
    DEFINE(PCPU_USER_RSP, offsetof(struct percpu, user_rsp));
    DEFINE(PCPU_KLOCK_STATE, offsetof(struct percpu, klock_state));
    DEFINE(PCPU_ATTN, offsetof(struct percpu, attn));
    DEFINE(KLOCK_SHARED_NR, KLOCK_SHARED);
    DEFINE(KLOCK_USER_NR, KLOCK_USER);
    DEFINE(FRAME_SIZE, sizeof(struct trap_frame));
    DEFINE(FRAME_RIP, offsetof(struct trap_frame, rip));
    DEFINE(FRAME_CS, offsetof(struct trap_frame, cs));
    DEFINE(FRAME_RFLAGS, offsetof(struct trap_frame, rflags));
    DEFINE(FRAME_RSP, offsetof(struct trap_frame, rsp));
    DEFINE(FRAME_VECTOR, offsetof(struct trap_frame, vector));
    DEFINE(USER_CS_SEL, USER_CS);
    DEFINE(USER_DS_SEL, USER_DS);
    DEFINE(VECTOR_SYSCALL_NR, VECTOR_SYSCALL);
    DEFINE(SYS_SYSTEM_CLOCK_NR, SYS_SYSTEM_CLOCK);
    DEFINE(MSR_GS_BASE_NR, MSR_GS_BASE);
}
