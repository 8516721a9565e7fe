# kpatch-build toolchain: create-diff-object, create-klp-module and the driver.
#
#   make            build the tools into $(BUILD)/bin
#   make check      every fast test (unit, differ corpus, CLI), then again under ASan+UBSan
#   make check-kernel  the differ on objects built against the real 6.1 tree (6.1-ubsan cell)
#   make bench      benchmarks of kpatch-build end to end against Debian's cloud kernel
#                   (make bench-kpatch-build; BENCH_HEADER=0 leaves the header patch out),
#                   of create-diff-object (kernel objects, synthetic 200k symbols)
#                   and of kpb-origcheck (make bench-origcheck: against Debian's kernel)
#   make fuzz       short bounded libFuzzer run on the ELF reader and the differ
#   make integration  build livepatch modules and prove them in a booted kernel (qemu)
#   make install / make uninstall   see install.mk (PREFIX, DESTDIR, BINDIR, ...)
#   make packaging  the toolchain's .deb (lintian), patch packages, make install

CC      ?= gcc
BUILD   ?= build
# CPPFLAGS, CFLAGS and LDFLAGS are the user's (dpkg-buildflags' hardening
# flags in debian/rules); STDFLAGS are the project's and always apply.
CFLAGS  ?= -O2 -g
STDFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
	    -Wmissing-prototypes -Wstrict-prototypes -Ilib
LDLIBS  := -lelf -lz

LIB_SRC := $(wildcard lib/*.c)
CDO_SRC := $(wildcard create-diff-object/*.c)
CKM_SRC := kpatch-build/create-klp-module.c
UNIT_SRC := $(wildcard test/unit/*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CDO_OBJ := $(CDO_SRC:%.c=$(BUILD)/obj/%.o)
CKM_OBJ := $(CKM_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:test/unit/%.c=$(BUILD)/test/%)

BINS := $(BUILD)/bin/create-diff-object $(BUILD)/bin/create-klp-module $(BUILD)/bin/kpb-callsites \
	$(BUILD)/bin/kpb-layout $(BUILD)/bin/kpb-origcheck

.PHONY: all check check-fast check-sanitize check-kernel bench bench-kpatch-build bench-origcheck bench-triage fuzz integration demo shellcheck clean packaging

all: $(BINS) $(UNIT_BIN)

$(BUILD)/obj/%.o: %.c $(wildcard lib/*.h create-diff-object/*.h kpatch-build/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(STDFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/lib.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BUILD)/bin/create-diff-object: $(CDO_OBJ) $(BUILD)/lib.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bin/create-klp-module: $(CKM_OBJ) $(BUILD)/lib.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bin/kpb-callsites: $(BUILD)/obj/kpatch-build/kpb-callsites.o $(BUILD)/lib.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The only tool that reads DWARF (lib/dwtypes.c): libdw.
$(BUILD)/bin/kpb-layout: $(BUILD)/obj/kpatch-build/kpb-layout.o $(BUILD)/lib.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -ldw $(LDLIBS)

$(BUILD)/bin/kpb-origcheck: $(BUILD)/obj/kpatch-build/kpb-origcheck.o \
			    $(BUILD)/obj/kpatch-build/origcheck-binary.o $(BUILD)/lib.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests of a create-diff-object file link that file too.
$(BUILD)/test/test_layout: $(BUILD)/obj/test/unit/test_layout.o \
			   $(BUILD)/obj/create-diff-object/layout.o $(BUILD)/lib.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# In-process tests of the phases link every create-diff-object file but main.c;
# test_phase_cases compiles cases of the differ corpus.
PHASE_TESTS := $(BUILD)/test/test_phases $(BUILD)/test/test_phase_cases
$(PHASE_TESTS): $(BUILD)/test/%: $(BUILD)/obj/test/unit/%.o \
			   $(filter-out %/main.o,$(CDO_OBJ)) $(BUILD)/lib.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/obj/test/unit/test_phase_cases.o: STDFLAGS += -DDIFFER_CASES='"$(abspath test/differ/cases)"'

$(BUILD)/test/%: $(BUILD)/obj/test/unit/%.o $(BUILD)/lib.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The fast suite once with the optimised build, once under the sanitizers.
check: check-fast check-sanitize

check-fast: all
	KPB_BIN=$(abspath $(BUILD)/bin) KPB_UNIT=$(abspath $(BUILD)/test) test/run-tests

check-sanitize:
	$(MAKE) BUILD=build-san CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" all
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	KPB_BIN=$(abspath build-san/bin) KPB_UNIT=$(abspath build-san/test) KPB_SUITE_NAME=sanitize test/run-tests

# The differ on objects built against a real kernel tree (builds it once, cached).
check-kernel: all
	KPB_BIN=$(abspath $(BUILD)/bin) test/differ/run-kernel-tests $(or $(KERNEL),6.1) $(CONFIG)

bench: all
	KPB_BIN=$(abspath $(BUILD)/bin) test/bench/run-bench-kpatch-build $(or $(KERNEL),6.1)
	KPB_BIN=$(abspath $(BUILD)/bin) test/bench/run-bench
	KPB_BIN=$(abspath $(BUILD)/bin) test/bench/run-bench-origcheck $(or $(KERNEL),6.1)
	$(if $(TRIAGE_ROOT),KPB_BIN=$(abspath $(BUILD)/bin) test/bench/run-bench-triage "$(TRIAGE_RELEASE)" "$(TRIAGE_ROOT)" "$(TRIAGE_NEW)")

# The triage of an update (kpatch-build --update-from NEW --triage-only), for
# a target whose packages are unpacked in TRIAGE_ROOT; part of make bench
# when TRIAGE_ROOT is set:
#   make bench-triage TRIAGE_RELEASE=6.1.0-56-cloud-amd64 TRIAGE_ROOT=DIR TRIAGE_NEW=6.1.192-3
bench-triage: all
	KPB_BIN=$(abspath $(BUILD)/bin) test/bench/run-bench-triage "$(TRIAGE_RELEASE)" "$(TRIAGE_ROOT)" "$(TRIAGE_NEW)"

# kpatch-build end to end alone, against Debian's cloud kernel (part of make bench).
bench-kpatch-build: all
	KPB_BIN=$(abspath $(BUILD)/bin) test/bench/run-bench-kpatch-build $(or $(KERNEL),6.1)

# kpb-origcheck alone, against Debian's kernel (part of make bench).
bench-origcheck: all
	KPB_BIN=$(abspath $(BUILD)/bin) test/bench/run-bench-origcheck $(or $(KERNEL),6.1)

fuzz:
	test/fuzz/run-fuzz

integration: all
	KPB_BIN=$(abspath $(BUILD)/bin) test/integration/run-integration $(if $(KERNEL),--kernel $(KERNEL)) $(if $(CONFIG),--config $(CONFIG))

# Installs what is missing first, so it does not depend on "all".
demo:
	test/integration/demo-run

packaging: all
	KPB_BIN=$(abspath $(BUILD)/bin) test/packaging/run-packaging

shellcheck:
	shellcheck -x shlib/*.sh $$(grep -rlE '^#!.*bash' --include='*' kpatch-build manager test .ci | grep -v '\.c$$')
	shellcheck completion/*

clean:
	rm -rf build build-san build-fuzz

include install.mk
