build/kernel/api/kernel_interface.o: kernel/api/kernel_interface.c \
 kernel/api/api.h kernel/core/space.h kernel/lib/spinlock.h \
 kernel/core/thread.h abi/include/sigma4/layout.h kernel/core/sched.h \
 kernel/arch/x86_64/arch.h abi/include/sigma4/kip.h
kernel/api/api.h:
kernel/core/space.h:
kernel/lib/spinlock.h:
kernel/core/thread.h:
abi/include/sigma4/layout.h:
kernel/core/sched.h:
kernel/arch/x86_64/arch.h:
abi/include/sigma4/kip.h:
