/* l4/l4.h — libl4, the X.2 convenience programming interface: include everything. */
#pragma once
#include <l4/types.h>
#include <l4/kip.h>
#include <l4/thread.h>
#include <l4/syscall.h>
#include <l4/kdebug.h>
