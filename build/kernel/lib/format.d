build/kernel/lib/format.o: kernel/lib/format.c kernel/lib/format.h
kernel/lib/format.h:
