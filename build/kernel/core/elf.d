build/kernel/core/elf.o: kernel/core/elf.c kernel/core/elf.h \
 abi/include/sigma4/layout.h
kernel/core/elf.h:
abi/include/sigma4/layout.h:
