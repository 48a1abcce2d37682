build/host/test_frame: tests/host/test_frame.c kernel/mm/frame.c \
 kernel/mm/frame.h tests/host/htest.h
kernel/mm/frame.c:
kernel/mm/frame.h:
tests/host/htest.h:
