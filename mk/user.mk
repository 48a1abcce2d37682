# user.mk — user-level programs: the C runtime (lib/c), libl4 headers (lib/l4), sigma0, the
# root task and the in-system test programs, linked at fixed addresses (lib/c/user.ld).
USER_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -nostdinc \
    -isystem $(shell $(CC) -print-file-name=include) -fno-pie -fno-stack-protector \
    -fno-omit-frame-pointer -fcf-protection=none \
    -Wall -Wextra -Werror -Ilib/c/include -Ilib/l4/include -Iabi/include -I$(BUILD)/gen -MMD -MP
USER_CXXFLAGS := -std=c++17 -O2 -ffreestanding -fno-exceptions -fno-rtti -nostdinc \
    -isystem $(shell $(CC) -print-file-name=include) -fno-pie -Wall -Wextra -Werror \
    -Ilib/c/include -Ilib/l4/include -Iabi/include -I$(BUILD)/gen
USER_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
    -T lib/c/user.ld

LIBC_SRC := $(filter-out lib/c/crt0.S,$(wildcard lib/c/*.c))
LIBC_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(LIBC_SRC))
CRT0     := $(BUILD)/lib/c/crt0.o

$(BUILD)/lib/%.o: lib/%.c | $(GEN_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(USER_CFLAGS) -c -o $@ $<
$(BUILD)/lib/%.o: lib/%.S
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(USER_CFLAGS) -c -o $@ $<
$(BUILD)/lib/libc.a: $(LIBC_OBJ)
	@rm -f $@ && ar rcs $@ $^

# lib/pma: the physical memory allocators (docs/design/pagers.md), linked into the memory
# server; built on its own too, so the freestanding build is checked (host tests: test_pma.c).
PMA_SRC := $(wildcard lib/pma/*.c)
PMA_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(PMA_SRC))
$(BUILD)/lib/libpma.a: $(PMA_OBJ)
	@rm -f $@ && ar rcs $@ $^


$(BUILD)/servers/%.o: servers/%.c | $(GEN_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(USER_CFLAGS) -c -o $@ $<
$(BUILD)/programs/%.o: programs/%.c | $(GEN_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(USER_CFLAGS) -c -o $@ $<
$(BUILD)/tests/%.o: tests/%.c | $(GEN_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(USER_CFLAGS) -Itests/system -c -o $@ $<
# C++ test programs (X.2-style C++ code): no exceptions, no RTTI, no unwind tables.
$(BUILD)/tests/%.o: tests/%.cc | $(GEN_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CXX     $<"
	@g++ $(USER_CXXFLAGS) -g -fno-builtin -fno-stack-protector -fno-omit-frame-pointer \
	    -fcf-protection=none -fno-asynchronous-unwind-tables -MMD -MP -Itests/system -c -o $@ $<

# user_program(name, sources, base address).  $(BUILD)/<name>.srcs holds the source list and
# changes only when the list does, so adding or removing a source file relinks the program.
define user_program
$(BUILD)/$(1).srcs: FORCE
	@mkdir -p $$(dir $$@)
	@echo '$(sort $(2))' | cmp -s - $$@ || echo '$(sort $(2))' > $$@
$(BUILD)/$(1): $(patsubst %.cc,$(BUILD)/%.o,$(patsubst %.c,$(BUILD)/%.o,$(2))) $(CRT0) $(BUILD)/lib/libc.a lib/c/user.ld $(BUILD)/$(1).srcs
	@echo "  LD      $$@"
	@$(CC) $(USER_LDFLAGS) -Wl,--defsym=USER_BASE=$(3) -o $$@ $(CRT0) \
	    $(patsubst %.cc,$(BUILD)/%.o,$(patsubst %.c,$(BUILD)/%.o,$(2))) $(BUILD)/lib/libc.a -lgcc
USER_PROGRAMS += $(BUILD)/$(1)
endef

SIGMA0_BASE := 0x01000000
ROOT_BASE   := 0x02000000
SIGMA1_BASE := 0x01800000

# The loader (servers/loader) reuses the kernel's ELF parser (kernel/core/elf.c).
$(BUILD)/servers/loader/%.o: USER_CFLAGS += -Ikernel
LOADER_SRC := $(wildcard servers/loader/*.c)
# The memory server's code without its stand-alone main (the tests host it).
PAGER_SRC  := $(filter-out servers/pager/main.c,$(wildcard servers/pager/*.c))

$(eval $(call user_program,sigma0,$(wildcard servers/sigma0/*.c),$(SIGMA0_BASE)))
$(eval $(call user_program,root,$(wildcard servers/root/*.c) $(LOADER_SRC),$(ROOT_BASE)))
# The in-system tests host the memory server (tests/system/test_pager.c): its code, lib/pma,
# and the programs' side of it (lib/pager: client stubs, pmalloc); and the loader.
$(eval $(call user_program,testroot,$(wildcard tests/system/*.c) $(wildcard tests/system/*.cc) $(PAGER_SRC) $(PMA_SRC) $(wildcard lib/pager/*.c) $(LOADER_SRC),$(ROOT_BASE)))

# Programs the loader starts (boot modules of role none), linked at LOADER_PROG_BASE
# (abi/include/sigma4/loader.h).  The memory server's malloc arena is small: the loader pages
# its image, and it touches every page of it at start-up.
PROG_BASE := 0x04000000
$(eval $(call user_program,pager,servers/pager/main.c $(PAGER_SRC) $(PMA_SRC),$(PROG_BASE)))
$(BUILD)/pager: USER_LDFLAGS += -Wl,--defsym=HEAP_ARENA_SIZE=0x10000
$(foreach p,$(notdir $(wildcard programs/*)),$(eval $(call user_program,$(p),$(wildcard programs/$(p)/*.c) $(wildcard lib/pager/*.c),$(PROG_BASE))))

# libl4 must compile as C11 and as C++.
$(BUILD)/l4-check.stamp: $(GEN_HEADERS) $(wildcard lib/l4/include/l4/*.h) lib/l4/check/c_check.c lib/l4/check/cxx_check.cc
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -std=gnu11 -MMD -MP,$(USER_CFLAGS)) -std=c11 -fsyntax-only lib/l4/check/c_check.c
	g++ $(USER_CXXFLAGS) -fsyntax-only lib/l4/check/cxx_check.cc
	touch $@

# Two broken modules for the loader's tests: a text file, and an ELF file cut after 100 bytes.
$(BUILD)/notelf:
	@mkdir -p $(dir $@)
	@printf 'not an ELF file\n' > $@
$(BUILD)/badelf: $(BUILD)/crash
	@head -c 100 $< > $@

user: $(USER_PROGRAMS) $(BUILD)/notelf $(BUILD)/badelf $(BUILD)/l4-check.stamp $(BUILD)/lib/libpma.a

-include $(shell find $(BUILD)/lib $(BUILD)/servers $(BUILD)/tests -name '*.d' 2>/dev/null)

.PHONY: FORCE
FORCE:
