/* layout.h — sigma4's fixed numbers: thread-id bases, root-server locations, UTCB geometry. */
#pragma once

#define THREAD_ID_BITS          18      /* valid bits of a global thread number */
#define THREAD_SYSTEM_BASE      64      /* numbers below are interrupt threads */
#define THREAD_USER_BASE        96      /* numbers below are kernel threads */
#define THREAD_SIGMA0_NO        (THREAD_USER_BASE + 0)
#define THREAD_SIGMA1_NO        (THREAD_USER_BASE + 1)
#define THREAD_ROOT_NO          (THREAD_USER_BASE + 2)

#define UTCB_SIZE               1024    /* bytes, 1 KiB aligned */
#define UTCB_SIZE_LOG2          10
#define UTCB_AREA_MIN_LOG2      12      /* smallest UTCB area: one page */

/* Where the kernel puts the root servers' KIP and UTCB areas. */
#define ROOT_UTCB_AREA          0xBF000000ULL
#define ROOT_UTCB_AREA_LOG2     18      /* 256 KiB */
#define ROOT_KIP_AREA           0xBFF00000ULL

/* Highest user address + 1 (canonical lower half). */
#define USER_ADDR_END           0x0000800000000000ULL
