/* generated from asm-offsets.c -- do not edit */
#pragma once
#define PCPU_SELF 0
#define PCPU_KERNEL_RSP 8
#define PCPU_USER_RSP 16
#define FRAME_SIZE 176
#define FRAME_RIP 136
#define FRAME_CS 144
#define FRAME_RFLAGS 152
#define FRAME_RSP 160
#define FRAME_VECTOR 120
#define USER_CS_SEL 43
#define USER_DS_SEL 35
#define VECTOR_SYSCALL_NR 256
