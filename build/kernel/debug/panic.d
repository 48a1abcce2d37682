build/kernel/debug/panic.o: kernel/debug/panic.c kernel/debug/panic.h \
 kernel/debug/console.h kernel/arch/x86_64/arch.h
kernel/debug/panic.h:
kernel/debug/console.h:
kernel/arch/x86_64/arch.h:
