	.file	"asm-offsets.c"
	.text
.Ltext0:
	.cfi_sections	.debug_frame
	.file 0 "/work/main" "kernel/arch/x86_64/asm-offsets.c"
	.p2align 4
	.globl	asm_offsets
	.type	asm_offsets, @function
asm_offsets:
.LFB14:
	.file 1 "kernel/arch/x86_64/asm-offsets.c"
	.loc 1 12 1 view -0
	.cfi_startproc
	.loc 1 13 5 view .LVU1
#APP
# 13 "kernel/arch/x86_64/asm-offsets.c" 1
	
.ascii "ASM_OFFSET PCPU_SELF 0"
# 0 "" 2
	.loc 1 14 5 view .LVU2
# 14 "kernel/arch/x86_64/asm-offsets.c" 1
	
.ascii "ASM_OFFSET PCPU_KERNEL_RSP 8"
# 0 "" 2
	.loc 1 15 5 view .LVU3
# 15 "kernel/arch/x86_64/asm-offsets.c" 1
	
.ascii "ASM_OFFSET PCPU_USER_RSP 16"
# 0 "" 2
	.loc 1 16 5 view .LVU4
# 16 "kernel/arch/x86_64/asm-offsets.c" 1
	
.ascii "ASM_OFFSET FRAME_SIZE 176"
# 0 "" 2
	.loc 1 17 5 view .LVU5
# 17 "kernel/arch/x86_64/asm-offsets.c" 1
	
.ascii "ASM_OFFSET FRAME_RIP 136"
# 0 "" 2
	.loc 1 18 5 view .LVU6
# 18 "kernel/arch/x86_64/asm-offsets.c" 1
	
.ascii "ASM_OFFSET FRAME_CS 144"
# 0 "" 2
	.loc 1 19 5 view .LVU7
# 19 "kernel/arch/x86_64/asm-offsets.c" 1
	
.ascii "ASM_OFFSET FRAME_RFLAGS 152"
# 0 "" 2
	.loc 1 20 5 view .LVU8
# 20 "kernel/arch/x86_64/asm-offsets.c" 1
	
.ascii "ASM_OFFSET FRAME_RSP 160"
# 0 "" 2
	.loc 1 21 5 view .LVU9
# 21 "kernel/arch/x86_64/asm-offsets.c" 1
	
.ascii "ASM_OFFSET FRAME_VECTOR 120"
# 0 "" 2
	.loc 1 22 5 view .LVU10
# 22 "kernel/arch/x86_64/asm-offsets.c" 1
	
.ascii "ASM_OFFSET USER_CS_SEL 43"
# 0 "" 2
	.loc 1 23 5 view .LVU11
# 23 "kernel/arch/x86_64/asm-offsets.c" 1
	
.ascii "ASM_OFFSET USER_DS_SEL 35"
# 0 "" 2
	.loc 1 24 5 view .LVU12
# 24 "kernel/arch/x86_64/asm-offsets.c" 1
	
.ascii "ASM_OFFSET VECTOR_SYSCALL_NR 256"
# 0 "" 2
	.loc 1 25 1 is_stmt 0 view .LVU13
#NO_APP
	ret
	.cfi_endproc
.LFE14:
	.size	asm_offsets, .-asm_offsets
.Letext0:
	.section	.debug_info,"",@progbits
.Ldebug_info0:
	.long	0x92
	.value	0x5
	.byte	0x1
	.byte	0x8
	.long	.Ldebug_abbrev0
	.uleb128 0x2
	.long	.LASF12
	.byte	0x1d
	.long	.LASF0
	.long	.LASF1
	.quad	.Ltext0
	.quad	.Letext0-.Ltext0
	.long	.Ldebug_line0
	.uleb128 0x1
	.byte	0x8
	.byte	0x5
	.long	.LASF2
	.uleb128 0x1
	.byte	0x8
	.byte	0x7
	.long	.LASF3
	.uleb128 0x3
	.byte	0x4
	.byte	0x5
	.string	"int"
	.uleb128 0x1
	.byte	0x8
	.byte	0x5
	.long	.LASF4
	.uleb128 0x1
	.byte	0x10
	.byte	0x4
	.long	.LASF5
	.uleb128 0x1
	.byte	0x1
	.byte	0x6
	.long	.LASF6
	.uleb128 0x1
	.byte	0x2
	.byte	0x5
	.long	.LASF7
	.uleb128 0x1
	.byte	0x1
	.byte	0x8
	.long	.LASF8
	.uleb128 0x1
	.byte	0x2
	.byte	0x7
	.long	.LASF9
	.uleb128 0x1
	.byte	0x4
	.byte	0x7
	.long	.LASF10
	.uleb128 0x1
	.byte	0x1
	.byte	0x6
	.long	.LASF11
	.uleb128 0x4
	.long	.LASF13
	.byte	0x1
	.byte	0xb
	.byte	0x6
	.quad	.LFB14
	.quad	.LFE14-.LFB14
	.uleb128 0x1
	.byte	0x9c
	.byte	0
	.section	.debug_abbrev,"",@progbits
.Ldebug_abbrev0:
	.uleb128 0x1
	.uleb128 0x24
	.byte	0
	.uleb128 0xb
	.uleb128 0xb
	.uleb128 0x3e
	.uleb128 0xb
	.uleb128 0x3
	.uleb128 0xe
	.byte	0
	.byte	0
	.uleb128 0x2
	.uleb128 0x11
	.byte	0x1
	.uleb128 0x25
	.uleb128 0xe
	.uleb128 0x13
	.uleb128 0xb
	.uleb128 0x3
	.uleb128 0x1f
	.uleb128 0x1b
	.uleb128 0x1f
	.uleb128 0x11
	.uleb128 0x1
	.uleb128 0x12
	.uleb128 0x7
	.uleb128 0x10
	.uleb128 0x17
	.byte	0
	.byte	0
	.uleb128 0x3
	.uleb128 0x24
	.byte	0
	.uleb128 0xb
	.uleb128 0xb
	.uleb128 0x3e
	.uleb128 0xb
	.uleb128 0x3
	.uleb128 0x8
	.byte	0
	.byte	0
	.uleb128 0x4
	.uleb128 0x2e
	.byte	0
	.uleb128 0x3f
	.uleb128 0x19
	.uleb128 0x3
	.uleb128 0xe
	.uleb128 0x3a
	.uleb128 0xb
	.uleb128 0x3b
	.uleb128 0xb
	.uleb128 0x39
	.uleb128 0xb
	.uleb128 0x27
	.uleb128 0x19
	.uleb128 0x11
	.uleb128 0x1
	.uleb128 0x12
	.uleb128 0x7
	.uleb128 0x40
	.uleb128 0x18
	.uleb128 0x7a
	.uleb128 0x19
	.byte	0
	.byte	0
	.byte	0
	.section	.debug_aranges,"",@progbits
	.long	0x2c
	.value	0x2
	.long	.Ldebug_info0
	.byte	0x8
	.byte	0
	.value	0
	.value	0
	.quad	.Ltext0
	.quad	.Letext0-.Ltext0
	.quad	0
	.quad	0
	.section	.debug_line,"",@progbits
.Ldebug_line0:
	.section	.debug_str,"MS",@progbits,1
.LASF13:
	.string	"asm_offsets"
.LASF10:
	.string	"unsigned int"
.LASF3:
	.string	"long unsigned int"
.LASF12:
	.string	"GNU C11 12.2.0 -mcmodel=kernel -mno-red-zone -mgeneral-regs-only -mtune=generic -march=x86-64 -g -O2 -std=gnu11 -ffreestanding -fno-builtin -fno-pic -fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fcf-protection=none"
.LASF5:
	.string	"long double"
.LASF7:
	.string	"short int"
.LASF6:
	.string	"signed char"
.LASF8:
	.string	"unsigned char"
.LASF2:
	.string	"long int"
.LASF11:
	.string	"char"
.LASF9:
	.string	"short unsigned int"
.LASF4:
	.string	"long long int"
	.section	.debug_line_str,"MS",@progbits,1
.LASF1:
	.string	"/work/main"
.LASF0:
	.string	"kernel/arch/x86_64/asm-offsets.c"
	.ident	"GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
