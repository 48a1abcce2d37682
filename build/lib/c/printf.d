build/lib/c/printf.o: lib/c/printf.c lib/c/include/stdio.h \
 lib/c/include/string.h lib/l4/include/l4/kdebug.h \
 lib/l4/include/l4/types.h abi/include/sigma4/kdb.h
lib/c/include/stdio.h:
lib/c/include/string.h:
lib/l4/include/l4/kdebug.h:
lib/l4/include/l4/types.h:
abi/include/sigma4/kdb.h:
