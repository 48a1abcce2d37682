build/kernel/arch/x86_64/entry.o: kernel/arch/x86_64/entry.S \
 build/gen/asm-offsets.h
build/gen/asm-offsets.h:
