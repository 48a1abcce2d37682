build/kernel/arch/x86_64/acpi.o: kernel/arch/x86_64/acpi.c \
 kernel/arch/x86_64/acpi.h
kernel/arch/x86_64/acpi.h:
