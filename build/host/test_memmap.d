build/host/test_memmap: tests/host/test_memmap.c kernel/mm/memmap.c \
 kernel/mm/memmap.h tests/host/htest.h abi/include/sigma4/kip.h
kernel/mm/memmap.c:
kernel/mm/memmap.h:
tests/host/htest.h:
abi/include/sigma4/kip.h:
