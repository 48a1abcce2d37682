/* l4/l4.h — libl4, the X.2 convenience programming interface: include everything. */
#pragma once
#include <l4/types.h>
#include <l4/errors.h>
#include <l4/kip.h>
#include <l4/utcb.h>
#include <l4/fpage.h>
#include <l4/message.h>
#include <l4/ipc.h>
#include <l4/thread.h>
#include <l4/schedule.h>
#include <l4/space.h>
#include <l4/syscall.h>
#include <l4/kdebug.h>
#include <l4/sigma0.h>
#include <l4/ext.h>
#include <l4/arch.h>
