build/kernel/debug/console.o: kernel/debug/console.c \
 kernel/debug/console.h kernel/lib/format.h kernel/lib/spinlock.h \
 kernel/arch/x86_64/arch.h
kernel/debug/console.h:
kernel/lib/format.h:
kernel/lib/spinlock.h:
kernel/arch/x86_64/arch.h:
