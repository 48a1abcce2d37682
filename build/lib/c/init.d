build/lib/c/init.o: lib/c/init.c lib/c/libc.h
lib/c/libc.h:
