build/kernel/arch/x86_64/syscall.o: kernel/arch/x86_64/syscall.c \
 kernel/arch/x86_64/arch.h kernel/arch/x86_64/frame.h kernel/api/api.h \
 kernel/core/percpu.h kernel/core/sched.h \
 kernel/arch/x86_64/percpu_arch.h kernel/core/thread.h \
 kernel/lib/spinlock.h abi/include/sigma4/layout.h kernel/core/ipc.h \
 abi/include/sigma4/syscall.h abi/include/sigma4/syscalls.def
kernel/arch/x86_64/arch.h:
kernel/arch/x86_64/frame.h:
kernel/api/api.h:
kernel/core/percpu.h:
kernel/core/sched.h:
kernel/arch/x86_64/percpu_arch.h:
kernel/core/thread.h:
kernel/lib/spinlock.h:
abi/include/sigma4/layout.h:
kernel/core/ipc.h:
abi/include/sigma4/syscall.h:
abi/include/sigma4/syscalls.def:
