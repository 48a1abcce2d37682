build/kernel/arch/x86_64/cpu.o: kernel/arch/x86_64/cpu.c \
 kernel/arch/x86_64/cpu.h kernel/arch/x86_64/arch.h \
 kernel/arch/x86_64/frame.h kernel/core/percpu.h kernel/core/sched.h \
 kernel/arch/x86_64/percpu_arch.h kernel/lib/string.h \
 kernel/debug/console.h
kernel/arch/x86_64/cpu.h:
kernel/arch/x86_64/arch.h:
kernel/arch/x86_64/frame.h:
kernel/core/percpu.h:
kernel/core/sched.h:
kernel/arch/x86_64/percpu_arch.h:
kernel/lib/string.h:
kernel/debug/console.h:
