build/lib/c/malloc.o: lib/c/malloc.c lib/c/include/stdlib.h \
 lib/c/include/string.h lib/c/include/stdio.h lib/c/libc.h
lib/c/include/stdlib.h:
lib/c/include/string.h:
lib/c/include/stdio.h:
lib/c/libc.h:
