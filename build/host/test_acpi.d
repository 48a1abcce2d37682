build/host/test_acpi: tests/host/test_acpi.c kernel/arch/x86_64/acpi.c \
 kernel/arch/x86_64/acpi.h tests/host/htest.h
kernel/arch/x86_64/acpi.c:
kernel/arch/x86_64/acpi.h:
tests/host/htest.h:
