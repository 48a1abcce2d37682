/* utcb.h — UTCB layout on amd64 as word indices relative to the UTCB pointer (local id).
 *
 * The UTCB is 1 KiB, 1 KiB aligned; its pointer is UtcbLocation + 512.  MR i is word i;
 * the other fields sit at negative word indices (fact sheet §4).  The user GS base points at
 * the UTCB pointer, so field k is %gs:(8*k).
 */
#pragma once

#define UTCB_MR(i)              (i)
#define UTCB_WORD_SIZE_MASK     (-1)
#define UTCB_THREAD_WORD0       (-4)
#define UTCB_THREAD_WORD1       (-5)
#define UTCB_VIRTUAL_SENDER     (-6)
#define UTCB_INTENDED_RECEIVER  (-7)
#define UTCB_XFER_TIMEOUTS      (-8)
#define UTCB_ERROR_CODE         (-9)
#define UTCB_FLAGS              (-10)
#define UTCB_EXCEPTION_HANDLER  (-11)
#define UTCB_PAGER              (-12)
#define UTCB_USER_HANDLE        (-13)
#define UTCB_PROCESSOR_NO       (-14)
#define UTCB_MY_GLOBAL_ID       (-15)
#define UTCB_BR(i)              (-16 - (int)(i))
#define UTCB_SELF               (-64)   /* sigma4: the UTCB pointer itself (local id) */
#define UTCB_POINTER_OFFSET     512     /* UTCB pointer = UtcbLocation + 512 */
