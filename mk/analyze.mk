# analyze.mk — static analysis of the kernel (tools/analyze.sh): gcc -fanalyzer with the
# kernel's flags and cppcheck.  `make analyze` runs both; `make test` runs each as a check
# (host.analyze.gcc, host.analyze.cppcheck).
ANALYZE = CC="$(CC)" KERNEL_CFLAGS="$(KERNEL_CFLAGS)" BUILD="$(BUILD)" bash tools/analyze.sh

analyze: deps-check $(GEN_HEADERS)
	@$(ANALYZE) gcc
	@$(ANALYZE) cppcheck

.PHONY: analyze
