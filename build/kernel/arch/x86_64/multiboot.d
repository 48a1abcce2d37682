build/kernel/arch/x86_64/multiboot.o: kernel/arch/x86_64/multiboot.c \
 kernel/arch/x86_64/multiboot.h kernel/arch/x86_64/arch.h \
 kernel/lib/string.h
kernel/arch/x86_64/multiboot.h:
kernel/arch/x86_64/arch.h:
kernel/lib/string.h:
