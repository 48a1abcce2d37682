build/kernel/debug/kdb.o: kernel/debug/kdb.c kernel/debug/kdb.h \
 kernel/debug/console.h kernel/core/thread.h kernel/lib/spinlock.h \
 abi/include/sigma4/layout.h kernel/core/space.h kernel/core/percpu.h \
 kernel/core/sched.h kernel/arch/x86_64/percpu_arch.h \
 kernel/arch/x86_64/arch.h kernel/mm/kmem.h kernel/core/ipc_fast.h \
 kernel/config.h abi/include/sigma4/kdb.h
kernel/debug/kdb.h:
kernel/debug/console.h:
kernel/core/thread.h:
kernel/lib/spinlock.h:
abi/include/sigma4/layout.h:
kernel/core/space.h:
kernel/core/percpu.h:
kernel/core/sched.h:
kernel/arch/x86_64/percpu_arch.h:
kernel/arch/x86_64/arch.h:
kernel/mm/kmem.h:
kernel/core/ipc_fast.h:
kernel/config.h:
abi/include/sigma4/kdb.h:
