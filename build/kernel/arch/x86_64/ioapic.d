build/kernel/arch/x86_64/ioapic.o: kernel/arch/x86_64/ioapic.c \
 kernel/arch/x86_64/cpu.h kernel/arch/x86_64/arch.h \
 kernel/arch/x86_64/apic.h kernel/arch/x86_64/acpi.h
kernel/arch/x86_64/cpu.h:
kernel/arch/x86_64/arch.h:
kernel/arch/x86_64/apic.h:
kernel/arch/x86_64/acpi.h:
