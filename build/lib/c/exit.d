build/lib/c/exit.o: lib/c/exit.c lib/c/include/stdlib.h \
 lib/c/include/stdio.h lib/c/include/assert.h lib/l4/include/l4/syscall.h \
 lib/l4/include/l4/types.h lib/l4/include/l4/thread.h \
 lib/l4/include/l4/utcb.h abi/include/sigma4/utcb.h \
 lib/l4/include/l4/errors.h build/gen/sigma4/syscall_stubs.h \
 build/gen/sigma4/syscall_gen.h abi/include/sigma4/syscall.h
lib/c/include/stdlib.h:
lib/c/include/stdio.h:
lib/c/include/assert.h:
lib/l4/include/l4/syscall.h:
lib/l4/include/l4/types.h:
lib/l4/include/l4/thread.h:
lib/l4/include/l4/utcb.h:
abi/include/sigma4/utcb.h:
lib/l4/include/l4/errors.h:
build/gen/sigma4/syscall_stubs.h:
build/gen/sigma4/syscall_gen.h:
abi/include/sigma4/syscall.h:
