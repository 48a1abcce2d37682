build/kernel/mm/frame.o: kernel/mm/frame.c kernel/mm/frame.h
kernel/mm/frame.h:
