build/lib/c/string.o: lib/c/string.c lib/c/include/string.h \
 lib/c/include/stdlib.h lib/c/include/limits.h lib/c/include/ctype.h
lib/c/include/string.h:
lib/c/include/stdlib.h:
lib/c/include/limits.h:
lib/c/include/ctype.h:
