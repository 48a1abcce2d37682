build/kernel/core/init.o: kernel/core/init.c kernel/arch/x86_64/arch.h \
 kernel/arch/x86_64/platform.h kernel/mm/memmap.h \
 kernel/arch/x86_64/multiboot.h kernel/core/kip.h kernel/core/percpu.h \
 kernel/core/sched.h kernel/arch/x86_64/percpu_arch.h \
 kernel/core/root_servers.h kernel/core/elf.h kernel/core/space.h \
 kernel/lib/spinlock.h kernel/core/thread.h abi/include/sigma4/layout.h \
 kernel/mm/kmem.h kernel/lib/string.h kernel/debug/console.h \
 kernel/debug/panic.h kernel/debug/kdb.h abi/include/sigma4/kip.h
kernel/arch/x86_64/arch.h:
kernel/arch/x86_64/platform.h:
kernel/mm/memmap.h:
kernel/arch/x86_64/multiboot.h:
kernel/core/kip.h:
kernel/core/percpu.h:
kernel/core/sched.h:
kernel/arch/x86_64/percpu_arch.h:
kernel/core/root_servers.h:
kernel/core/elf.h:
kernel/core/space.h:
kernel/lib/spinlock.h:
kernel/core/thread.h:
abi/include/sigma4/layout.h:
kernel/mm/kmem.h:
kernel/lib/string.h:
kernel/debug/console.h:
kernel/debug/panic.h:
kernel/debug/kdb.h:
abi/include/sigma4/kip.h:
