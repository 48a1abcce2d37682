/* mode.c — which half of the SMP benchmark this image is: mk/bench.mk compiles this file twice,
 * with SMP_WALL_CLOCK=0 (build/smp-icount) and 1 (build/smp-wall). */
#include "smp.h"

#ifndef SMP_WALL_CLOCK
#error "SMP_WALL_CLOCK must be defined (mk/bench.mk)"
#endif

const int smp_wall_clock = SMP_WALL_CLOCK;
