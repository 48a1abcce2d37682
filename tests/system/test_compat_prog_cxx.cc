// test_compat_prog_cxx.cc — test_compat_prog.c built as C++ (its tests are compat.cxx_*): the same
// X.2-style program must compile in both languages with -Wall -Werror.
#include "test_compat_prog.c"
