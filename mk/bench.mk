# bench.mk — `make bench`: benchmarks under QEMU with -icount shift=0,sleep=off (the TSC
# counts executed instructions), results printed and written to docs/results/.
#
# The pingpong benchmark (bench/pingpong) is a root task: it replaces the default root task in
# the benchmark boot, next to sigma0.  It is built by `make` (so it keeps compiling) but only
# run by `make bench`, never by `make test`.  `make bench` builds just what the benchmark boot
# needs, so a half-edited test program elsewhere does not stop it.
BENCH_BASE    := 0x02000000
BENCH_MODULES  = $(BUILD)/sigma0 role=sigma0,$(BUILD)/pingpong role=root
BENCH_RESULTS := docs/results/ipc-pingpong.md
BENCH_TIMEOUT ?= 300

$(BUILD)/bench/%.o: bench/%.c | $(GEN_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(USER_CFLAGS) -DBENCH_IMAGE_BASE=$(BENCH_BASE)UL -c -o $@ $<

$(eval $(call user_program,pingpong,$(wildcard bench/pingpong/*.c),$(BENCH_BASE)))

all: $(BUILD)/pingpong

bench: deps-check kernel $(BUILD)/sigma0 $(BUILD)/pingpong
	@$(PYTHON) tools/run_bench.py --qemu "$(QEMU)" --kernel $(BUILD)/kernel.bin \
	    --append "$(KERNEL_CMDLINE)" --initrd "$(BENCH_MODULES)" \
	    --log $(BUILD)/bench-serial.log --out $(BENCH_RESULTS) --timeout $(BENCH_TIMEOUT)
.PHONY: bench

-include $(shell find $(BUILD)/bench -name '*.d' 2>/dev/null)
