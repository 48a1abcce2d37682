# kernel.mk — the kernel: freestanding C + a few .S files, -Werror, linked higher-half, then
# flattened into a Multiboot image (build/kernel.bin) that `qemu -kernel` and GRUB load.
KERNEL_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -nostdinc \
    -isystem $(shell $(CC) -print-file-name=include) \
    -mcmodel=kernel -mno-red-zone -mgeneral-regs-only -fno-pie -fno-pic -fno-stack-protector \
    -fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fcf-protection=none \
    -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
    -Ikernel -Ikernel/arch/x86_64 -Iabi/include -I$(BUILD)/gen -MMD -MP
KERNEL_LTO := -flto=auto
KERNEL_ASFLAGS := -D__ASSEMBLY__ -Ikernel/arch/x86_64 -I$(BUILD)/gen -MMD -MP

KERNEL_C   := $(filter-out kernel/arch/x86_64/asm-offsets.c,$(shell find kernel -name '*.c' | sort))
KERNEL_S   := $(shell find kernel -name '*.S' | sort)
KERNEL_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(KERNEL_C)) $(patsubst %.S,$(BUILD)/%.o,$(KERNEL_S))

$(BUILD)/gen/asm-offsets.h: kernel/arch/x86_64/asm-offsets.c $(shell find kernel abi -name '*.h') | $(GEN_HEADERS)
	@mkdir -p $(dir $@)
	@$(CC) $(filter-out -MMD -MP,$(KERNEL_CFLAGS)) -S -o $(BUILD)/gen/asm-offsets.s $<
	@{ echo '/* generated from asm-offsets.c -- do not edit */'; echo '#pragma once'; \
	   sed -n 's/.*ASM_OFFSET \([A-Z0-9_]*\) \$$\{0,1\}\([0-9-]*\).*/#define \1 \2/p' \
	   $(BUILD)/gen/asm-offsets.s; } > $@

$(BUILD)/kernel/%.o: kernel/%.c | $(GEN_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KERNEL_CFLAGS) $(KERNEL_LTO) -c -o $@ $<

$(BUILD)/kernel/%.o: kernel/%.S $(BUILD)/gen/asm-offsets.h
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KERNEL_ASFLAGS) -c -o $@ $<

$(BUILD)/kernel.elf: $(KERNEL_OBJ) kernel/arch/x86_64/kernel.ld
	@echo "  LD      $@"
	@$(CC) $(KERNEL_CFLAGS) $(KERNEL_LTO) -nostdlib -static -no-pie -Wl,-n,-z,max-page-size=4096,--no-warn-rwx-segments,--build-id=none \
	    -T kernel/arch/x86_64/kernel.ld -o $@ $(KERNEL_OBJ)

$(BUILD)/kernel.bin: $(BUILD)/kernel.elf
	@$(OBJCOPY) -O binary $< $@

kernel: $(BUILD)/kernel.bin

-include $(KERNEL_OBJ:.o=.d)

# Kernel variants: the same sources with other CONFIG_ settings, each in build/<name>/ and
# linked as build/kernel-<name>.bin.  `make bench` builds both; `make test` runs the noext.*
# tests on kernel-noext.  asm-offsets.h is shared:
# no configuration changes a structure layout (config.h: every CONFIG_ is tested with `if`).
#   giant  CONFIG_GIANT_LOCK=1, the SMP baseline (docs/design/smp.md)
#   noext  all five virtualization extensions compiled out (docs/design/virt-extensions.md),
#          the baseline of bench/ext
#
# kernel_variant(name, -D flags, what)
define kernel_variant
$(1)_CFLAGS := $$(KERNEL_CFLAGS) $(2)
$(1)_OBJ    := $$(patsubst $$(BUILD)/%,$$(BUILD)/$(1)/%,$$(KERNEL_OBJ))

$$(BUILD)/$(1)/kernel/%.o: kernel/%.c | $$(GEN_HEADERS)
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$< ($(3))"
	@$$(CC) $$($(1)_CFLAGS) $$(KERNEL_LTO) -c -o $$@ $$<

$$(BUILD)/$(1)/kernel/%.o: kernel/%.S $$(BUILD)/gen/asm-offsets.h
	@mkdir -p $$(dir $$@)
	@echo "  AS      $$< ($(3))"
	@$$(CC) $$(KERNEL_ASFLAGS) $(2) -c -o $$@ $$<

$$(BUILD)/kernel-$(1).elf: $$($(1)_OBJ) kernel/arch/x86_64/kernel.ld
	@echo "  LD      $$@"
	@$$(CC) $$($(1)_CFLAGS) $$(KERNEL_LTO) -nostdlib -static -no-pie -Wl,-n,-z,max-page-size=4096,--no-warn-rwx-segments,--build-id=none \
	    -T kernel/arch/x86_64/kernel.ld -o $$@ $$($(1)_OBJ)

$$(BUILD)/kernel-$(1).bin: $$(BUILD)/kernel-$(1).elf
	@$$(OBJCOPY) -O binary $$< $$@

kernel-$(1): $$(BUILD)/kernel-$(1).bin
.PHONY: kernel-$(1)

-include $$($(1)_OBJ:.o=.d)
endef

EXT_OFF := -DCONFIG_CTRLXFER=0 -DCONFIG_PREEMPT_MSG=0 -DCONFIG_ZERO_TIMESLICE=0 \
    -DCONFIG_EXT_PAGEFAULT=0 -DCONFIG_THREAD_LIMITS=0

$(eval $(call kernel_variant,giant,-DCONFIG_GIANT_LOCK=1,giant lock))
$(eval $(call kernel_variant,noext,$(EXT_OFF),no extensions))
