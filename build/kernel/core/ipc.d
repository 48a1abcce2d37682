build/kernel/core/ipc.o: kernel/core/ipc.c kernel/core/ipc.h \
 kernel/core/thread.h kernel/lib/spinlock.h abi/include/sigma4/layout.h \
 kernel/core/space.h kernel/core/sched.h kernel/core/timeout.h \
 kernel/core/percpu.h kernel/arch/x86_64/percpu_arch.h \
 kernel/arch/x86_64/arch.h abi/include/sigma4/utcb.h
kernel/core/ipc.h:
kernel/core/thread.h:
kernel/lib/spinlock.h:
abi/include/sigma4/layout.h:
kernel/core/space.h:
kernel/core/sched.h:
kernel/core/timeout.h:
kernel/core/percpu.h:
kernel/arch/x86_64/percpu_arch.h:
kernel/arch/x86_64/arch.h:
abi/include/sigma4/utcb.h:
