# bench.mk — `make bench`: benchmarks under QEMU with -icount shift=0,sleep=off (the TSC
# counts executed instructions), results printed and written to docs/results/.
bench: deps-check all
	@echo "bench: no benchmarks yet"
.PHONY: bench
