build/servers/sigma0/main.o: servers/sigma0/main.c lib/c/include/stdio.h \
 lib/l4/include/l4/l4.h lib/l4/include/l4/types.h lib/l4/include/l4/kip.h \
 abi/include/sigma4/kip.h lib/l4/include/l4/thread.h \
 lib/l4/include/l4/utcb.h abi/include/sigma4/utcb.h \
 lib/l4/include/l4/errors.h build/gen/sigma4/syscall_stubs.h \
 build/gen/sigma4/syscall_gen.h lib/l4/include/l4/syscall.h \
 abi/include/sigma4/syscall.h lib/l4/include/l4/kdebug.h \
 abi/include/sigma4/kdb.h
lib/c/include/stdio.h:
lib/l4/include/l4/l4.h:
lib/l4/include/l4/types.h:
lib/l4/include/l4/kip.h:
abi/include/sigma4/kip.h:
lib/l4/include/l4/thread.h:
lib/l4/include/l4/utcb.h:
abi/include/sigma4/utcb.h:
lib/l4/include/l4/errors.h:
build/gen/sigma4/syscall_stubs.h:
build/gen/sigma4/syscall_gen.h:
lib/l4/include/l4/syscall.h:
abi/include/sigma4/syscall.h:
lib/l4/include/l4/kdebug.h:
abi/include/sigma4/kdb.h:
