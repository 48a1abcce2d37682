build/kernel/arch/x86_64/platform.o: kernel/arch/x86_64/platform.c \
 kernel/arch/x86_64/cpu.h kernel/arch/x86_64/arch.h \
 kernel/arch/x86_64/apic.h kernel/arch/x86_64/acpi.h \
 kernel/arch/x86_64/multiboot.h kernel/arch/x86_64/platform.h \
 kernel/mm/memmap.h kernel/core/percpu.h kernel/core/sched.h \
 kernel/arch/x86_64/percpu_arch.h kernel/debug/console.h \
 kernel/debug/panic.h abi/include/sigma4/kip.h
kernel/arch/x86_64/cpu.h:
kernel/arch/x86_64/arch.h:
kernel/arch/x86_64/apic.h:
kernel/arch/x86_64/acpi.h:
kernel/arch/x86_64/multiboot.h:
kernel/arch/x86_64/platform.h:
kernel/mm/memmap.h:
kernel/core/percpu.h:
kernel/core/sched.h:
kernel/arch/x86_64/percpu_arch.h:
kernel/debug/console.h:
kernel/debug/panic.h:
abi/include/sigma4/kip.h:
