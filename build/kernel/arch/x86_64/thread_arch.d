build/kernel/arch/x86_64/thread_arch.o: kernel/arch/x86_64/thread_arch.c \
 kernel/arch/x86_64/cpu.h kernel/arch/x86_64/arch.h \
 kernel/arch/x86_64/frame.h kernel/core/thread.h kernel/lib/spinlock.h \
 abi/include/sigma4/layout.h kernel/core/space.h kernel/core/percpu.h \
 kernel/core/sched.h kernel/arch/x86_64/percpu_arch.h
kernel/arch/x86_64/cpu.h:
kernel/arch/x86_64/arch.h:
kernel/arch/x86_64/frame.h:
kernel/core/thread.h:
kernel/lib/spinlock.h:
abi/include/sigma4/layout.h:
kernel/core/space.h:
kernel/core/percpu.h:
kernel/core/sched.h:
kernel/arch/x86_64/percpu_arch.h:
