build/kernel/arch/x86_64/serial.o: kernel/arch/x86_64/serial.c \
 kernel/arch/x86_64/cpu.h kernel/arch/x86_64/arch.h
kernel/arch/x86_64/cpu.h:
kernel/arch/x86_64/arch.h:
