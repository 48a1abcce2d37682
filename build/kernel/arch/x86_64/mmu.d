build/kernel/arch/x86_64/mmu.o: kernel/arch/x86_64/mmu.c \
 kernel/arch/x86_64/cpu.h kernel/arch/x86_64/arch.h \
 kernel/arch/x86_64/platform.h kernel/mm/memmap.h kernel/mm/kmem.h \
 kernel/lib/string.h kernel/debug/panic.h
kernel/arch/x86_64/cpu.h:
kernel/arch/x86_64/arch.h:
kernel/arch/x86_64/platform.h:
kernel/mm/memmap.h:
kernel/mm/kmem.h:
kernel/lib/string.h:
kernel/debug/panic.h:
