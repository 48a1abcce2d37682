build/kernel/arch/x86_64/trap.o: kernel/arch/x86_64/trap.c \
 kernel/arch/x86_64/cpu.h kernel/arch/x86_64/arch.h \
 kernel/arch/x86_64/frame.h kernel/arch/x86_64/apic.h \
 kernel/core/percpu.h kernel/core/sched.h \
 kernel/arch/x86_64/percpu_arch.h kernel/core/thread.h \
 kernel/lib/spinlock.h abi/include/sigma4/layout.h kernel/core/space.h \
 kernel/api/api.h abi/include/sigma4/utcb.h build/gen/syscall_api.h \
 build/gen/sigma4/syscall_gen.h kernel/debug/console.h \
 kernel/debug/panic.h kernel/debug/kdb.h abi/include/sigma4/kdb.h
kernel/arch/x86_64/cpu.h:
kernel/arch/x86_64/arch.h:
kernel/arch/x86_64/frame.h:
kernel/arch/x86_64/apic.h:
kernel/core/percpu.h:
kernel/core/sched.h:
kernel/arch/x86_64/percpu_arch.h:
kernel/core/thread.h:
kernel/lib/spinlock.h:
abi/include/sigma4/layout.h:
kernel/core/space.h:
kernel/api/api.h:
abi/include/sigma4/utcb.h:
build/gen/syscall_api.h:
build/gen/sigma4/syscall_gen.h:
kernel/debug/console.h:
kernel/debug/panic.h:
kernel/debug/kdb.h:
abi/include/sigma4/kdb.h:
