build/host/test_kip: tests/host/test_kip.c kernel/core/kip.c \
 kernel/core/kip.h kernel/mm/memmap.h abi/include/sigma4/kip.h \
 abi/include/sigma4/layout.h abi/include/sigma4/syscall.h \
 build/gen/sigma4/syscall_gen.h kernel/mm/memmap.c tests/host/htest.h
kernel/core/kip.c:
kernel/core/kip.h:
kernel/mm/memmap.h:
abi/include/sigma4/kip.h:
abi/include/sigma4/layout.h:
abi/include/sigma4/syscall.h:
build/gen/sigma4/syscall_gen.h:
kernel/mm/memmap.c:
tests/host/htest.h:
