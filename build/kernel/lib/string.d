build/kernel/lib/string.o: kernel/lib/string.c kernel/lib/string.h
kernel/lib/string.h:
