build/kernel/arch/x86_64/syscall.o: kernel/arch/x86_64/syscall.c \
 kernel/arch/x86_64/arch.h kernel/arch/x86_64/frame.h kernel/api/api.h \
 kernel/core/thread.h kernel/lib/spinlock.h abi/include/sigma4/layout.h \
 kernel/core/space.h abi/include/sigma4/utcb.h build/gen/syscall_api.h \
 build/gen/sigma4/syscall_gen.h kernel/core/percpu.h kernel/core/sched.h \
 kernel/arch/x86_64/percpu_arch.h kernel/core/ipc_fast.h kernel/config.h \
 build/gen/syscall_decode.h
kernel/arch/x86_64/arch.h:
kernel/arch/x86_64/frame.h:
kernel/api/api.h:
kernel/core/thread.h:
kernel/lib/spinlock.h:
abi/include/sigma4/layout.h:
kernel/core/space.h:
abi/include/sigma4/utcb.h:
build/gen/syscall_api.h:
build/gen/sigma4/syscall_gen.h:
kernel/core/percpu.h:
kernel/core/sched.h:
kernel/arch/x86_64/percpu_arch.h:
kernel/core/ipc_fast.h:
kernel/config.h:
build/gen/syscall_decode.h:
