/* kernel_interface.c — KernelInterface, SystemClock and ThreadSwitch: the calls without state. */
#include "api/api.h"
#include "core/space.h"
#include "core/thread.h"
#include "core/sched.h"
#include "arch.h"
#include <sigma4/kip.h>

void sys_kernel_interface(struct space *s, uint64_t *kip, uint64_t *version, uint64_t *flags,
                          uint64_t *id)
{
    const uint64_t *k = kip_page;
    const uint64_t *kdesc = (const uint64_t *)((const char *)kip_page + k[KIP_OFF_KERNEL_DESC / 8]);
    *kip = s->kip_area;
    *version = k[KIP_OFF_API_VERSION / 8];
    *flags = k[KIP_OFF_API_FLAGS / 8];
    *id = kdesc[KDESC_OFF_KERNEL_ID / 8];
}

uint64_t sys_system_clock(void)
{
    return arch_clock_us();
}

void sys_thread_switch(struct tcb *t, uint64_t dest)
{
    (void)t;
    (void)dest;
    sched_yield();
}
