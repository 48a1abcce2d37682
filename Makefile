# sigma4 — build, run and test.  `make` builds everything into build/; `make run` boots the
# default system under QEMU; `make test` runs the host unit tests and the in-system suite.
# See README.md.  Toolchain: Debian 12 gcc/binutils, GNU make, QEMU (mk/deps.sh installs them).

BUILD   ?= build
CC      := gcc
LD      := ld
OBJCOPY := objcopy
PYTHON  ?= python3

all: kernel user host-tests

include mk/abi.mk
include mk/kernel.mk
include mk/user.mk
include mk/host.mk
include mk/qemu.mk
include mk/bench.mk
include mk/analyze.mk

deps:
	@bash mk/deps.sh

clean:
	rm -rf $(BUILD)

.PHONY: all deps clean kernel user host-tests run test bench
.DELETE_ON_ERROR:
