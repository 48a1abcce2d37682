build/kernel/core/sched.o: kernel/core/sched.c kernel/core/sched.h \
 kernel/core/thread.h kernel/lib/spinlock.h abi/include/sigma4/layout.h \
 kernel/core/percpu.h kernel/arch/x86_64/percpu_arch.h \
 kernel/arch/x86_64/arch.h kernel/core/timeout.h kernel/debug/panic.h
kernel/core/sched.h:
kernel/core/thread.h:
kernel/lib/spinlock.h:
abi/include/sigma4/layout.h:
kernel/core/percpu.h:
kernel/arch/x86_64/percpu_arch.h:
kernel/arch/x86_64/arch.h:
kernel/core/timeout.h:
kernel/debug/panic.h:
