# host.mk — host unit tests: each tests/host/test_<m>.c is one program that #includes the
# pure module it tests; built with the sanitizers and run by tests/harness/run_tests.py.
HOST_CC      ?= cc
HOST_CFLAGS  := -std=gnu11 -g -O1 -Wall -Wextra -Werror -fsanitize=address,undefined \
                -fno-omit-frame-pointer -fno-sanitize-recover=all \
                -Ikernel -Ikernel/arch/x86_64 -Iabi/include -I$(BUILD)/gen -Itests/host -DHOST_TEST=1
HOST_TESTS   := $(patsubst tests/host/%.c,$(BUILD)/host/%,$(wildcard tests/host/test_*.c))

$(BUILD)/host/%: tests/host/%.c tests/host/htest.h | $(GEN_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	@$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -o $@ $<

-include $(HOST_TESTS:=.d)

host-tests: $(HOST_TESTS)
