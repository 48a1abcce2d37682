# bench.mk — `make bench`: benchmarks under QEMU, results printed and written to docs/results/.
#
#   pingpong (bench/pingpong)  -icount shift=0,sleep=off, 1 CPU: instructions per IPC round trip
#                              and per SystemClock -> docs/results/ipc-pingpong.md
#   smp (bench/smp)            -smp 2: instructions per same-CPU and cross-CPU round trip under
#                              -icount, and messages per second under MTTCG without -icount,
#                              each with the normal kernel and the giant-lock kernel
#                              (build/kernel-giant.bin, mk/kernel.mk) -> docs/results/smp-ipc.md
#   ext (bench/ext)            -icount, 1 CPU: IPC round trips with the virtualization extensions
#                              compiled out (build/kernel-noext.bin), compiled in, and switched
#                              on; page-fault round trips, X.2 and extended protocol; switches
#                              between limited and unlimited threads
#                              -> docs/results/virt-extensions.md
#   latency (bench/latency)    -icount, 1 CPU: instructions from a timer interrupt becoming
#                              pending to the highest-priority thread it wakes running, while
#                              hostile loads run below it (long string copies, Unmap of the
#                              whole space, sigma0 fpages, many timeouts, a map storm)
#                              -> docs/results/latency.md
#
# Each benchmark is a root task: it replaces the default root task in its boot, next to sigma0.
# They are built by `make` (so they keep compiling) but only run by `make bench`, never by
# `make test`; the giant-lock and no-extension kernels are built only by `make bench`.  `make bench` builds just
# what the benchmark boots need, so a half-edited test program elsewhere does not stop it.
# bench/common holds what the programs share (partner threads, BENCH lines).
BENCH_BASE    := 0x02000000
BENCH_MODULES  = $(BUILD)/sigma0 role=sigma0,$(BUILD)/pingpong role=root
BENCH_RESULTS := docs/results/ipc-pingpong.md
SMP_RESULTS   := docs/results/smp-ipc.md
EXT_RESULTS   := docs/results/virt-extensions.md
LATENCY_RESULTS := docs/results/latency.md
BENCH_TIMEOUT ?= 300

BENCH_CFLAGS   = $(USER_CFLAGS) -Ibench/common -DBENCH_IMAGE_BASE=$(BENCH_BASE)UL
BENCH_COMMON  := $(wildcard bench/common/*.c)

$(BUILD)/bench/%.o: bench/%.c | $(GEN_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(BENCH_CFLAGS) -c -o $@ $<

$(eval $(call user_program,pingpong,$(wildcard bench/pingpong/*.c) $(BENCH_COMMON),$(BENCH_BASE)))

# The SMP benchmark (bench/smp): two images from the same sources, differing in mode.c only.
SMP_SRC := $(filter-out bench/smp/mode.c,$(wildcard bench/smp/*.c)) $(BENCH_COMMON)
$(BUILD)/bench/smp/mode-%.o: bench/smp/mode.c | $(GEN_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $< ($*)"
	@$(CC) $(BENCH_CFLAGS) -DSMP_WALL_CLOCK=$(if $(filter wall,$*),1,0) -c -o $@ $<
$(eval $(call user_program,smp-icount,$(SMP_SRC) bench/smp/mode-icount.c,$(BENCH_BASE)))
$(eval $(call user_program,smp-wall,$(SMP_SRC) bench/smp/mode-wall.c,$(BENCH_BASE)))

# The virtualization-extension benchmark (bench/ext), booted on the normal and the noext kernel.
$(eval $(call user_program,ext,$(wildcard bench/ext/*.c) $(BENCH_COMMON),$(BENCH_BASE)))

# The interrupt-latency benchmark (bench/latency).
$(eval $(call user_program,latency,$(wildcard bench/latency/*.c) $(BENCH_COMMON),$(BENCH_BASE)))

all: $(BUILD)/pingpong $(BUILD)/smp-icount $(BUILD)/smp-wall $(BUILD)/ext $(BUILD)/latency

bench: deps-check kernel $(BUILD)/kernel-giant.bin $(BUILD)/kernel-noext.bin $(BUILD)/sigma0 \
	    $(BUILD)/pingpong $(BUILD)/smp-icount $(BUILD)/smp-wall $(BUILD)/ext $(BUILD)/latency
	@$(PYTHON) tools/run_bench.py pingpong --qemu "$(QEMU)" --kernel $(BUILD)/kernel.bin \
	    --append "$(KERNEL_CMDLINE)" --initrd "$(BENCH_MODULES)" \
	    --log $(BUILD)/bench-serial.log --out $(BENCH_RESULTS) --timeout $(BENCH_TIMEOUT)
	@$(PYTHON) tools/run_bench.py smp --qemu "$(QEMU)" --kernel $(BUILD)/kernel.bin \
	    --giant-kernel $(BUILD)/kernel-giant.bin --append "$(KERNEL_CMDLINE)" \
	    --sigma0 $(BUILD)/sigma0 --icount-root $(BUILD)/smp-icount --wall-root $(BUILD)/smp-wall \
	    --log-prefix $(BUILD)/bench-smp --out $(SMP_RESULTS) --timeout $(BENCH_TIMEOUT)
	@$(PYTHON) tools/run_bench.py ext --qemu "$(QEMU)" --kernel $(BUILD)/kernel.bin \
	    --noext-kernel $(BUILD)/kernel-noext.bin --append "$(KERNEL_CMDLINE)" \
	    --sigma0 $(BUILD)/sigma0 --root $(BUILD)/ext \
	    --log-prefix $(BUILD)/bench-ext --out $(EXT_RESULTS) --timeout $(BENCH_TIMEOUT)
	@$(MAKE) --no-print-directory bench-latency

# Only the latency benchmark (also run by `make bench`).
bench-latency: deps-check kernel $(BUILD)/sigma0 $(BUILD)/latency
	@$(PYTHON) tools/run_bench.py latency --qemu "$(QEMU)" --kernel $(BUILD)/kernel.bin \
	    --append "$(KERNEL_CMDLINE)" --initrd "$(BUILD)/sigma0 role=sigma0,$(BUILD)/latency role=root" \
	    --log $(BUILD)/bench-latency.log --out $(LATENCY_RESULTS) --timeout $(BENCH_TIMEOUT)
.PHONY: bench bench-latency

-include $(shell find $(BUILD)/bench -name '*.d' 2>/dev/null)
