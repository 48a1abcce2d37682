/* elf.c — the loader's ELF64 parser: the kernel's own (kernel/core/elf.c: pure code, no
 * allocation, host-tested by tests/host/test_elf.c), compiled once more for user mode, so
 * the boot modules the kernel starts and the programs the loader starts are checked by the
 * same rules. */
#include "../../kernel/core/elf.c"
