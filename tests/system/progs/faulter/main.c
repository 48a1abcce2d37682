/* faulter — a program that dereferences a bad pointer on purpose.  The test suite boots it as
 * sigma1; the kernel must report the fault (thread, address) and keep running everything else
 * (tests/system/test_boot.c, fault.user_bad_pointer). */
#include <stdio.h>
#include <l4/l4.h>

#define BAD_ADDRESS 0xDEAD0000UL

int main(void)
{
    printf("faulter: about to read address 0x%lx\n", BAD_ADDRESS);
    volatile unsigned long *p = (volatile unsigned long *)BAD_ADDRESS;
    unsigned long v = *p;
    printf("faulter: read 0x%lx -- the kernel should have stopped this thread\n", v);
    return 1;
}
