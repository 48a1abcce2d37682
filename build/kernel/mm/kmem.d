build/kernel/mm/kmem.o: kernel/mm/kmem.c kernel/mm/kmem.h \
 kernel/mm/frame.h kernel/lib/spinlock.h kernel/lib/string.h \
 kernel/debug/panic.h kernel/arch/x86_64/arch.h
kernel/mm/kmem.h:
kernel/mm/frame.h:
kernel/lib/spinlock.h:
kernel/lib/string.h:
kernel/debug/panic.h:
kernel/arch/x86_64/arch.h:
