build/kernel/core/space.o: kernel/core/space.c kernel/core/space.h \
 kernel/lib/spinlock.h kernel/mm/kmem.h kernel/lib/string.h \
 kernel/arch/x86_64/arch.h abi/include/sigma4/layout.h
kernel/core/space.h:
kernel/lib/spinlock.h:
kernel/mm/kmem.h:
kernel/lib/string.h:
kernel/arch/x86_64/arch.h:
abi/include/sigma4/layout.h:
