build/kernel/lib/spinlock.o: kernel/lib/spinlock.c kernel/lib/spinlock.h \
 kernel/debug/panic.h kernel/arch/x86_64/arch.h
kernel/lib/spinlock.h:
kernel/debug/panic.h:
kernel/arch/x86_64/arch.h:
