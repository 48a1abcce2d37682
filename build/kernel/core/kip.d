build/kernel/core/kip.o: kernel/core/kip.c kernel/core/kip.h \
 kernel/mm/memmap.h abi/include/sigma4/kip.h abi/include/sigma4/layout.h \
 abi/include/sigma4/syscall.h abi/include/sigma4/syscalls.def
kernel/core/kip.h:
kernel/mm/memmap.h:
abi/include/sigma4/kip.h:
abi/include/sigma4/layout.h:
abi/include/sigma4/syscall.h:
abi/include/sigma4/syscalls.def:
