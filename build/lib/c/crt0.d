build/lib/c/crt0.o: lib/c/crt0.S
