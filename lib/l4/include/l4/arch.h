/* l4/arch.h — the architecture part of libl4, under the name X.2 programs include.
 *
 * X.2 programs include <l4/arch.h> (or the per-architecture header directly) for what only
 * one architecture has; on amd64 that is <l4/amd64/arch.h>: IO-fpages.  The amd64 coprocessor
 * flags and kernel-debugger calls are in l4/utcb.h and l4/kdebug.h, visible from here too.
 */
#pragma once
#include <l4/amd64/arch.h>
