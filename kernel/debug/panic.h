/* panic.h — fatal kernel errors and assertions.
 *
 * panic() is for kernel bugs and impossible boot configurations only: a user mistake never
 * reaches it.  assert() is checked in every build (the kernel is small; loud beats silent). */
#pragma once

/* Claim the report for this CPU (interrupts off, console ours); a CPU that comes second halts
 * here for good.  panic() calls it; so does a fault report that prints before panicking. */
void panic_begin(void);
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#define assert(e) ((e) ? (void)0 : panic("assertion failed: %s (%s:%d)", #e, __FILE__, __LINE__))
