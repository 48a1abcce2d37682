# abi.mk — code generated from the ABI table abi/syscalls.tbl (tools/gen-syscalls.py).
GEN_HEADERS := $(BUILD)/gen/sigma4/syscall_gen.h $(BUILD)/gen/syscall_decode.h $(BUILD)/gen/syscall_api.h \
               $(BUILD)/gen/sigma4/syscall_stubs.h
GEN_TOOL := tools/gen-syscalls.py abi/syscalls.tbl

$(BUILD)/gen/sigma4/syscall_gen.h: $(GEN_TOOL)
	@echo "  GEN     $@"
	@$(PYTHON) tools/gen-syscalls.py header $@
$(BUILD)/gen/syscall_decode.h: $(GEN_TOOL)
	@echo "  GEN     $@"
	@$(PYTHON) tools/gen-syscalls.py kernel $@
$(BUILD)/gen/syscall_api.h: $(GEN_TOOL)
	@echo "  GEN     $@"
	@$(PYTHON) tools/gen-syscalls.py kernel-api $@
$(BUILD)/gen/sigma4/syscall_stubs.h: $(GEN_TOOL)
	@echo "  GEN     $@"
	@$(PYTHON) tools/gen-syscalls.py libl4 $@

gen: $(GEN_HEADERS)

# docs/abi/<call>.md must carry the table's register layout (checked by `make test`).
check-abi-docs:
	@$(PYTHON) tools/gen-syscalls.py check-docs docs/abi
abi-docs:
	@$(PYTHON) tools/gen-syscalls.py docs docs/abi
.PHONY: gen check-abi-docs abi-docs
