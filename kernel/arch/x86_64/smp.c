/* smp.c — starting the application processors (INIT-SIPI-SIPI through the local APIC).
 *
 * The boot CPU starts the CPUs the MADT lists one after the other, each with its own kernel
 * stack and percpu block, and waits (bounded) for each to report in.  An AP sets itself up
 * like the boot CPU (cpu_init, LAPIC, timer), creates its idle thread and enters its
 * scheduler.  Must run before the boot identity map is dropped (the trampoline needs it).
 */
#include "cpu.h"
#include "arch.h"
#include "apic.h"
#include "acpi.h"
#include "core/percpu.h"
#include "core/sched.h"
#include "mm/kmem.h"
#include "lib/string.h"
#include "debug/console.h"
#include "platform.h"

#define TRAMPOLINE_PHYS 0x8000
#define AP_STACK_ORDER  2

extern char ap_trampoline[], ap_trampoline_end[], ap_cr3[], ap_stack[], ap_cpu[];

/* Offset of a label of trampoline.S from its start (labels of one assembly blob: compared as
 * addresses, not as C pointers into different objects). */
static size_t tramp_off(const char *label)
{
    return (size_t)((uintptr_t)label - (uintptr_t)ap_trampoline);
}
extern struct acpi_info acpi;
extern uint64_t kernel_pml4_phys;

static volatile unsigned ap_started;

static void delay_us(uint64_t us)
{
    uint64_t end = rdtsc() + us * tsc_khz / 1000;
    while (rdtsc() < end)
        cpu_relax();
}

_Noreturn void ap_main(uint64_t cpu);
_Noreturn void ap_main(uint64_t cpu)
{
    struct percpu *c = &percpu[cpu];
    c->cpu = (unsigned)cpu;
    cpu_init(c);
    lapic_init(acpi.lapic_addr);
    c->apic_id = lapic_id();
    sched_init_cpu();
    __atomic_store_n(&ap_started, 1, __ATOMIC_RELEASE);
    timer_start_periodic(1000);
    sched_start();
}

static bool start_one(unsigned cpu, uint32_t apic_id)
{
    void *stack = kmem_alloc(AP_STACK_ORDER);
    if (!stack)
        return false;
    char *t = phys_to_virt(TRAMPOLINE_PHYS);
    *(uint64_t *)(t + tramp_off(ap_cr3)) = kernel_pml4_phys;
    *(uint64_t *)(t + tramp_off(ap_stack)) = (uint64_t)stack + (PAGE_SIZE << AP_STACK_ORDER);
    *(uint64_t *)(t + tramp_off(ap_cpu)) = cpu;
    ap_started = 0;
    lapic_send_ipi(apic_id, LAPIC_ICR_INIT);
    delay_us(10000);
    for (int i = 0; i < 2 && !ap_started; i++) {
        lapic_send_ipi(apic_id, LAPIC_ICR_STARTUP | (TRAMPOLINE_PHYS >> 12));
        delay_us(200);
    }
    for (uint64_t end = rdtsc() + 1000ULL * tsc_khz; rdtsc() < end && !ap_started; )
        cpu_relax();                                /* up to a second (TCG is slow) */
    if (!ap_started)
        kmem_free(stack, AP_STACK_ORDER);
    return ap_started;
}

unsigned smp_start_aps(void)
{
    memcpy(phys_to_virt(TRAMPOLINE_PHYS), ap_trampoline, tramp_off(ap_trampoline_end));
    for (unsigned i = 0; i < acpi.ncpus && ncpus_online < MAX_CPUS; i++) {
        if (acpi.cpu[i].apic_id == percpu[0].apic_id)
            continue;
        unsigned cpu = ncpus_online;
        if (start_one(cpu, acpi.cpu[i].apic_id))
            ncpus_online++;
        else
            kprintf("sigma4: cpu with apic id %u did not start\n", acpi.cpu[i].apic_id);
    }
    return ncpus_online;
}
