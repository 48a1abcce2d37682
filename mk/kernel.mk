# kernel.mk — the kernel: freestanding C + a few .S files, -Werror, linked higher-half, then
# flattened into a Multiboot image (build/kernel.bin) that `qemu -kernel` and GRUB load.
KERNEL_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -nostdinc \
    -isystem $(shell $(CC) -print-file-name=include) \
    -mcmodel=kernel -mno-red-zone -mgeneral-regs-only -fno-pie -fno-pic -fno-stack-protector \
    -fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fcf-protection=none \
    -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
    -Ikernel -Ikernel/arch/x86_64 -Iabi/include -I$(BUILD)/gen -MMD -MP
KERNEL_LTO := -flto
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

# The giant-lock baseline (docs/design/smp.md): the same sources built with
# CONFIG_GIANT_LOCK=1 into build/giant/, linked as build/kernel-giant.bin.  Only `make bench`
# builds it.  asm-offsets.h is shared: the configuration does not change structure layouts.
GIANT_CFLAGS := $(KERNEL_CFLAGS) -DCONFIG_GIANT_LOCK=1
GIANT_OBJ    := $(patsubst $(BUILD)/%,$(BUILD)/giant/%,$(KERNEL_OBJ))

$(BUILD)/giant/kernel/%.o: kernel/%.c | $(GEN_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (giant lock)"
	@$(CC) $(GIANT_CFLAGS) $(KERNEL_LTO) -c -o $@ $<

$(BUILD)/giant/kernel/%.o: kernel/%.S $(BUILD)/gen/asm-offsets.h
	@mkdir -p $(dir $@)
	@echo "  AS      $< (giant lock)"
	@$(CC) $(KERNEL_ASFLAGS) -DCONFIG_GIANT_LOCK=1 -c -o $@ $<

$(BUILD)/kernel-giant.elf: $(GIANT_OBJ) kernel/arch/x86_64/kernel.ld
	@echo "  LD      $@"
	@$(CC) $(GIANT_CFLAGS) $(KERNEL_LTO) -nostdlib -static -no-pie -Wl,-n,-z,max-page-size=4096,--no-warn-rwx-segments,--build-id=none \
	    -T kernel/arch/x86_64/kernel.ld -o $@ $(GIANT_OBJ)

$(BUILD)/kernel-giant.bin: $(BUILD)/kernel-giant.elf
	@$(OBJCOPY) -O binary $< $@

kernel-giant: $(BUILD)/kernel-giant.bin
.PHONY: kernel-giant

-include $(GIANT_OBJ:.o=.d)
