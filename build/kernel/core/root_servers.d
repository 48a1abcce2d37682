build/kernel/core/root_servers.o: kernel/core/root_servers.c \
 kernel/core/root_servers.h kernel/core/elf.h kernel/mm/memmap.h \
 kernel/core/space.h kernel/lib/spinlock.h kernel/core/thread.h \
 abi/include/sigma4/layout.h kernel/core/sched.h kernel/lib/string.h \
 kernel/debug/console.h kernel/debug/panic.h kernel/arch/x86_64/arch.h \
 abi/include/sigma4/kip.h
kernel/core/root_servers.h:
kernel/core/elf.h:
kernel/mm/memmap.h:
kernel/core/space.h:
kernel/lib/spinlock.h:
kernel/core/thread.h:
abi/include/sigma4/layout.h:
kernel/core/sched.h:
kernel/lib/string.h:
kernel/debug/console.h:
kernel/debug/panic.h:
kernel/arch/x86_64/arch.h:
abi/include/sigma4/kip.h:
