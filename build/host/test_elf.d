build/host/test_elf: tests/host/test_elf.c kernel/core/elf.c \
 kernel/core/elf.h abi/include/sigma4/layout.h tests/host/htest.h
kernel/core/elf.c:
kernel/core/elf.h:
abi/include/sigma4/layout.h:
tests/host/htest.h:
