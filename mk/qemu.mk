# qemu.mk — booting sigma4 under QEMU: `make run` (default system), `make test` (host unit
# tests + the in-system suite through tests/harness/run_tests.py), `make stress` (one in-system
# test booted again and again, tools/stress.sh), `make fuzz` (the fuzzer at scale), `make soak`
# (the 10-minute SMP soak), `make debug` (gdb stub).
QEMU      ?= qemu-system-x86_64
QEMU_CPU  ?= max
QEMU_MEM  ?= 512M
RUN_SMP   ?= 2
KERNEL_CMDLINE ?= kmem=32
# Two NUMA nodes with one CPU and 256 MiB each (the boot log shows them).
RUN_NUMA  ?= -object memory-backend-ram,id=m0,size=256M -object memory-backend-ram,id=m1,size=256M \
    -numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1

QEMU_BASE = $(QEMU) -M q35 -accel tcg -cpu $(QEMU_CPU) -m $(QEMU_MEM) -display none \
    -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel $(BUILD)/kernel.bin

RUN_MODULES  = $(BUILD)/sigma0 role=sigma0,$(BUILD)/root role=root,$(BUILD)/pager name=pager mem=64,$(BUILD)/hog name=hog cpu=all pages=1024 rounds=3
TEST_MODULES = $(BUILD)/sigma0 role=sigma0,$(BUILD)/testroot role=root,$(BUILD)/pager name=pager mem=32,$(BUILD)/hog name=hog,$(BUILD)/crash name=crash,$(BUILD)/notelf name=notelf,$(BUILD)/badelf name=badelf

# `make run`: boot, let the root task print its summary, exit.  isa-debug-exit turns status 0
# into QEMU exit code 1, which is success here.
run: deps-check all
	@echo "== booting sigma4: $(RUN_SMP) CPUs, 2 NUMA nodes (exit: the root task shuts down) =="
	@timeout 120 $(QEMU_BASE) -smp $(RUN_SMP) $(RUN_NUMA) -serial stdio \
	    -append "$(KERNEL_CMDLINE)" -initrd "$(RUN_MODULES)"; rc=$$?; \
	    if [ $$rc -eq 1 ]; then echo "== sigma4 exited cleanly =="; else echo "== QEMU exit code $$rc =="; exit 1; fi

# `make run-interactive`: same system, stays up (Ctrl-A X quits QEMU).
run-interactive: deps-check all
	$(QEMU_BASE) -smp $(RUN_SMP) $(RUN_NUMA) -serial mon:stdio \
	    -append "$(KERNEL_CMDLINE) stay" -initrd "$(RUN_MODULES)"

# `make debug`: QEMU waits for gdb on :1234 (see README: gdb build/kernel.elf, target remote :1234).
debug: deps-check all
	$(QEMU_BASE) -smp $(RUN_SMP) -serial mon:stdio -s -S \
	    -append "$(KERNEL_CMDLINE)" -initrd "$(RUN_MODULES)"

TEST_SMP ?= 1 4
TEST_QEMU = $(QEMU_BASE) -append '$(KERNEL_CMDLINE)' -initrd '$(TEST_MODULES)'
# TEST_SELECT=prefix,prefix...: run only the in-system tests whose names start with one of them.
TEST_SELECT ?=
# Unless TEST_SELECT is given, the noext.* tests also run on the kernel with the
# virtualization extensions compiled out (mk/kernel.mk), once at -smp 1.  A boot of its own at
# -smp 4 runs the fuzzer for TEST_FUZZ_OPS operations (results fuzz1m/..., log
# build/serial-fuzz1m.log; 0 leaves it out) from the fixed seed TEST_FUZZ_SEED, so that every
# run of the suite replays the same operation streams (`make fuzz` takes a new seed each time).
TEST_FUZZ_OPS ?= 1000000
TEST_FUZZ_SEED ?= 0x5167a4d1
# Its own time limit: about 4 minutes on a quiet 2-core machine, 10 on one shared with other
# QEMUs; a hang ends it sooner (the fuzzer's watchdog reports a worker stuck for 5 s).
TEST_FUZZ_TIMEOUT ?= 1500
# The numa2 boot: the KIP NUMA extension and the pagers' per-node partition, at -smp 4 with two
# nodes (CPUs 0-1 and 256 MiB on node 0, CPUs 2-3 and 256 MiB on node 1); its tests read
# numa_nodes=2.  TEST_NUMA=0 leaves it out.
TEST_NUMA ?= 1
TEST_NUMA_QEMU = -object memory-backend-ram,id=m0,size=256M -object memory-backend-ram,id=m1,size=256M \
    -numa node,nodeid=0,cpus=0-1,memdev=m0 -numa node,nodeid=1,cpus=2-3,memdev=m1
TEST_NUMA_ARGS = --boot "numa2=4:kip.,pager.,loader.:numa_nodes=2" --boot-qemu "numa2=$(TEST_NUMA_QEMU)"
test: deps-check all $(BUILD)/kernel-noext.bin
	@$(PYTHON) tests/harness/run_tests.py --build $(BUILD) \
	    --host-tests "$(HOST_TESTS)" \
	    --qemu "$(TEST_QEMU)" \
	    --check "host.abi.docs_match_table=$(PYTHON) tools/gen-syscalls.py check-docs docs/abi" \
	    --check 'host.analyze.gcc=$(ANALYZE) gcc' --check 'host.analyze.cppcheck=$(ANALYZE) cppcheck' \
	    --smp "$(TEST_SMP)" $(if $(filter-out 0,$(TEST_NUMA)),$(TEST_NUMA_ARGS)) \
    $(if $(TEST_SELECT),--select "$(TEST_SELECT)", \
	    --variant "noext=$(BUILD)/kernel-noext.bin:noext." \
	    $(if $(filter-out 0,$(TEST_FUZZ_OPS)),--boot-timeout $(TEST_FUZZ_TIMEOUT) \
	    --boot "fuzz1m=4:fuzz.random:fuzz_ops=$(TEST_FUZZ_OPS)$(comma)fuzz_seed=$(TEST_FUZZ_SEED)"))

# `make stress`: tools/stress.sh boots -smp STRESS_SMP STRESS_RUNS times running only
# STRESS_TEST, one line per run, then "N/N runs passed".
STRESS_RUNS ?= 20
STRESS_SMP  ?= 4
STRESS_TEST ?= smp.stress_sequence
# STRESS_MODE=soak: the 10-minute soak instead (`make soak`).
STRESS_MODE ?=
stress: deps-check all
	@if [ "$(STRESS_MODE)" = soak ]; then $(MAKE) --no-print-directory soak; exit $$?; fi; \
	TEST_QEMU="$(TEST_QEMU)" BUILD="$(BUILD)" PYTHON="$(PYTHON)" STRESS_SMP="$(STRESS_SMP)" \
	    STRESS_TEST="$(STRESS_TEST)" bash tools/stress.sh $(STRESS_RUNS)

# `make fuzz`: the fuzzer at scale (tests/system/test_fuzz.c) in its own boot at -smp FUZZ_SMP:
# FUZZ_OPS operations from FUZZ_SEED (0: a seed from the clock, printed), starting at batch
# FUZZ_FIRST (a failure prints the seed and batch to replay); serial log build/serial-fuzz.log.
# FUZZ_FAULTS=0 leaves out the operations that fault on purpose (the short fuzz.* run of
# `make test` leaves them out: each costs a restart of the worker).
# FUZZ_PARAMS=key=value,... adds parameters (fuzz_batch, fuzz_verbose, fuzz_mask, fuzz_focus).
FUZZ_SEED    ?= 0
FUZZ_OPS     ?= 10000000
FUZZ_FIRST   ?= 0
FUZZ_SMP     ?= 4
FUZZ_TIMEOUT ?= 14400
FUZZ_PARAMS  ?=
FUZZ_FAULTS  ?= 1
FUZZ_ARGS = --param "fuzz_seed=$(FUZZ_SEED),fuzz_ops=$(FUZZ_OPS),fuzz_first=$(FUZZ_FIRST),fuzz_faults=$(FUZZ_FAULTS)$(if $(FUZZ_PARAMS),$(comma)$(FUZZ_PARAMS))"
comma := ,
fuzz: deps-check all
	@$(PYTHON) tests/harness/run_tests.py --build $(BUILD) --qemu "$(TEST_QEMU)" \
	    --smp $(FUZZ_SMP) --select fuzz.random --log-name fuzz --timeout $(FUZZ_TIMEOUT) \
	    $(FUZZ_ARGS) || { grep -a '^# fuzz: \(seed\|FAILED\|  \|last\|batch\)' \
	    $(BUILD)/serial-fuzz.log | tr -d '\r' | tail -40; exit 1; }
	@grep -a '^# fuzz: [0-9]* operations\|^# fuzz: stalls by' $(BUILD)/serial-fuzz.log | tr -d '\r'

# `make fuzz-coverage`: the kernel functions the fuzzer reaches.  Boots with QEMU logging every
# translated block (-d in_asm): a bare boot (one trivial test), the fuzzer (COV_OPS operations
# from FUZZ_SEED), and with COV_SUITE=1 the whole suite at -smp 4; tools/fuzz_coverage.py maps
# the kernel addresses to functions and writes the figures into docs/results/fuzz.md.
COV_OPS   ?= 300000
COV_SUITE ?= 0
COV_QEMU   = $(TEST_QEMU) -d in_asm -D $(BUILD)/inasm-$(1).log
fuzz-coverage: deps-check all
	@rm -f $(BUILD)/inasm-*.log
	@$(PYTHON) tests/harness/run_tests.py --build $(BUILD) --qemu "$(call COV_QEMU,boot)" \
	    --smp 4 --select kip.magic --log-name cov-boot >/dev/null
	@$(PYTHON) tests/harness/run_tests.py --build $(BUILD) --qemu "$(call COV_QEMU,fuzz)" \
	    --smp 4 --select fuzz.random --log-name cov-fuzz --timeout $(FUZZ_TIMEOUT) \
	    --param "fuzz_ops=$(COV_OPS),fuzz_seed=$(FUZZ_SEED),fuzz_faults=$(FUZZ_FAULTS)" | tail -1
	@if [ "$(COV_SUITE)" = 1 ]; then $(PYTHON) tests/harness/run_tests.py --build $(BUILD) \
	    --qemu "$(call COV_QEMU,suite)" --smp 4 --log-name cov-suite | tail -1; fi
	@$(PYTHON) tools/fuzz_coverage.py --elf $(BUILD)/kernel.elf --log $(BUILD)/inasm-fuzz.log \
	    --baseline $(BUILD)/inasm-boot.log --serial $(BUILD)/serial-cov-fuzz.log \
	    $(if $(filter 1,$(COV_SUITE)),--suite $(BUILD)/inasm-suite.log) --out docs/results/fuzz.md

# `make soak`: the SMP soak (tests/system/test_soak.c) for SOAK_SECONDS (default 600) at
# -smp SOAK_SMP in a boot of its own: ping-pong on every CPU, map/grant/unmap storm, thread
# churn and migrations with sequence numbers; counts every 10 s in build/serial-soak.log.
# Not part of `make test` (which runs the same test for a few seconds).
SOAK_SECONDS ?= 600
SOAK_SMP     ?= 4
soak: deps-check all
	@$(PYTHON) tests/harness/run_tests.py --build $(BUILD) --qemu "$(TEST_QEMU)" \
	    --smp $(SOAK_SMP) --select soak. --log-name soak --timeout $$(( $(SOAK_SECONDS) + 300 )) \
	    --param soak_seconds=$(SOAK_SECONDS); rc=$$?; \
	    grep -a '^# soak' $(BUILD)/serial-soak.log | tr -d '\r' | tail -3; exit $$rc

deps-check:
	@bash mk/deps.sh

.PHONY: run run-interactive debug test stress fuzz fuzz-coverage soak deps-check
