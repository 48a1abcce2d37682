build/kernel/core/timeout.o: kernel/core/timeout.c kernel/core/timeout.h \
 kernel/core/thread.h kernel/lib/spinlock.h abi/include/sigma4/layout.h \
 kernel/core/percpu.h kernel/core/sched.h \
 kernel/arch/x86_64/percpu_arch.h kernel/arch/x86_64/arch.h \
 kernel/core/ipc.h
kernel/core/timeout.h:
kernel/core/thread.h:
kernel/lib/spinlock.h:
abi/include/sigma4/layout.h:
kernel/core/percpu.h:
kernel/core/sched.h:
kernel/arch/x86_64/percpu_arch.h:
kernel/arch/x86_64/arch.h:
kernel/core/ipc.h:
