# SPDX-License-Identifier: GPL-2.0
#
# VexFS top-level build. `make help` lists the targets.
#
# The kernel module is built once per installed Debian kernel (or KVER=...)
# into build/kmod/KVER/; the portable core once per userspace flavour
# (core.mk); the gateway in gateway/; tools and tests under build/.

SHELL := /bin/bash
# Keep the tools' objects between builds (they are pattern intermediates).
.PRECIOUS: build/tools/%.o build/tools/libvexfs/%.o
.DEFAULT_GOAL := all

# Kernels with headers installed; KVER=... picks one.
KVERS_ALL := $(sort $(notdir $(patsubst %/build,%,$(wildcard /lib/modules/*/build))))
KVER ?=
KVERS := $(if $(KVER),$(KVER),$(KVERS_ALL))

# CI builds treat warnings as errors; so do developers by default.
WERROR ?= -Werror
export WERROR

include core.mk

TOOLS_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter $(WERROR) \
		-Ivexfs_kmod/core -Iuapi -Itools -I.
KSFT_DIR := build/kselftest

.PHONY: FORCE all help deps module core gateway tools tests unit unit-arm64 selftests \
	vm-test vm-runner powercut bench-storage bench-filter conformance test run stop format lint fuzz clean distclean \
	install

all: module core gateway tools tests ## build everything

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/^[^:]*://' | \
		awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

deps: ## install missing Debian packages (as root)
	scripts/deps.sh

# --- kernel module ----------------------------------------------------------
KMOD_SRCS := Kbuild $(wildcard vexfs_kmod/*.[ch] vexfs_kmod/core/*.[ch] uapi/*.h)

module: $(foreach k,$(KVERS),build/kmod/$(k)/vexfs.ko) ## vexfs.ko for each kernel

# Each kernel gets its own copy of the sources: kbuild writes objects beside them.
build/kmod/%/vexfs.ko: $(KMOD_SRCS)
	@mkdir -p $(@D)
	@cp -a -u --parents $(KMOD_SRCS) $(@D)/
	$(MAKE) -C /lib/modules/$*/build M=$(CURDIR)/$(@D) KCFLAGS="$(WERROR)" modules

# --- userspace --------------------------------------------------------------
core: $(CORE_LIB) $(CORE_SAN_LIB) ## the core engine as static libraries

gateway: ## vexfs-gateway
	$(MAKE) -C gateway

TOOLS := build/tools/mkfs.vexfs build/tools/fsck.vexfs
TOOLS_COMMON := build/tools/toolutil.o

include tools/tools.mk

tools: $(TOOLS) $(TOOLS_EXTRA) ## mkfs.vexfs, fsck.vexfs, libvexfs, vexfsctl

build/tools/%.o: tools/%.c $(wildcard tools/*.h)
	@mkdir -p $(@D)
	$(CC) $(TOOLS_CFLAGS) -MMD -MP -c $< -o $@

-include $(wildcard build/tools/*.d)

build/tools/%: build/tools/%.o $(TOOLS_COMMON) $(CORE_LIB)
	$(CC) $(TOOLS_CFLAGS) -o $@ $^ -pthread

# --- tests ------------------------------------------------------------------
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
TSAN_SRCS := $(wildcard tests/unit/tsan_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,build/unit/%,$(UNIT_SRCS) $(TSAN_SRCS))
UNIT_CFLAGS := $(CORE_CPPFLAGS) -Itests/unit $(CORE_CFLAGS) $(WERROR)

build/unit/test_%: tests/unit/test_%.c tests/unit/vxtest.h $(CORE_SAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(SAN_CFLAGS) -o $@ $< $(CORE_SAN_LIB) -lm

# Filters end to end: the gateway's compiler and JSON codec, jansson, and the
# reference evaluator in tests/filter/.
FILTER_DIFF_SRCS := gateway/filter.c gateway/ids.c gateway/json_cbor.c tests/filter/filter_ref.c
build/unit/test_filter_diff: tests/unit/test_filter_diff.c $(FILTER_DIFF_SRCS) \
		tests/filter/filter_ref.h gateway/filter.h tests/unit/vxtest.h $(CORE_SAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(SAN_CFLAGS) -Itests/filter $(shell pkg-config --cflags jansson) \
		-o $@ $< $(FILTER_DIFF_SRCS) $(CORE_SAN_LIB) $(shell pkg-config --libs jansson) -lm

build/unit/tsan_%: tests/unit/tsan_%.c tests/unit/vxtest.h $(CORE_TSAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(TSAN_CFLAGS) -o $@ $< $(CORE_TSAN_LIB) -lm

# Selftests run in the guest: plain builds, kselftest harness from linux-source.
SELFTEST_SRCS := $(wildcard selftests/vexfs/*.c)
SELFTEST_BINS := $(patsubst selftests/vexfs/%.c,build/selftests/%,$(SELFTEST_SRCS))

$(KSFT_DIR)/kselftest_harness.h:
	scripts/kselftest-headers.sh $(KSFT_DIR)

build/selftests/%: selftests/vexfs/%.c $(wildcard selftests/vexfs/*.h) \
		$(KSFT_DIR)/kselftest_harness.h $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(TOOLS_CFLAGS) -Wno-sign-compare -I$(KSFT_DIR) -Iselftests/vexfs -o $@ $< $(CORE_LIB) -pthread

tests: $(UNIT_BINS) $(SELFTEST_BINS) ## build all test programs
selftests: $(SELFTEST_BINS)

RESULTS := build/results

TOOL_TESTS := $(wildcard tests/tools/*_test.sh)

# The gateway's own unit tests are built by its Makefile.
GATEWAY_TESTS := gateway/build/test_json_cbor gateway/build/test_filter \
		 gateway/build/test_ids gateway/build/test_json_read \
		 gateway/build/test_f32_text gateway/build/test_json_alloc
gateway/build/test_%: FORCE
	$(MAKE) -C gateway build/test_$*
FORCE:

unit: $(UNIT_BINS) $(GATEWAY_TESTS) tools gateway ## run the userspace unit tests (ASan+UBSan, TSan) and tool tests
	@mkdir -p $(RESULTS)
	scripts/run-unit.sh $(RESULTS)/unit.tap $(UNIT_BINS) $(GATEWAY_TESTS) $(TOOL_TESTS)

# The NEON kernels and the engine on arm64: cross-built, run under qemu-user.
ARM64_TESTS := tests/unit/test_distance.c tests/unit/test_vecstore.c \
	       tests/unit/test_hnsw.c
unit-arm64: ## the core's engine tests on arm64 (NEON) under qemu-user
	@mkdir -p $(RESULTS)
	@set -o pipefail; tests/unit/cross-arm64.sh build/unit-arm64 $(ARM64_TESTS) | \
		tee build/unit-arm64.log | \
		sed -nE 's/^(not )?ok [0-9]+ (- )?(.*)/\1ok - arm64: \3/p' \
		>$(RESULTS)/unit-arm64.tap || \
		{ echo "not ok - arm64: cross build or run failed" >>$(RESULTS)/unit-arm64.tap; \
		  tail -n 30 build/unit-arm64.log; exit 1; }
	@cat $(RESULTS)/unit-arm64.tap

# vm-test KVER=...: the selftests in a guest running that kernel.
vm-test: module tools gateway selftests ## run the selftests in the VM (KVER=...)
	@mkdir -p $(RESULTS)
	@set -e; for k in $(KVERS); do \
		scripts/run-selftests.sh $$k $(RESULTS)/vm-$$k.tap; \
	done

vm-runner: module tools gateway ## tests of the VM runner itself (catches WARN, hangs)
	@mkdir -p $(RESULTS)
	tests/vm/runner_test.sh | tee $(RESULTS)/vm-runner.tap

powercut: module tools selftests ## 20 power cuts during acknowledged writes (KVER=...)
	@mkdir -p $(RESULTS)
	KVER=$(lastword $(KVERS)) tests/vm/powercut_test.sh | tee $(RESULTS)/powercut.tap

conformance: module tools gateway ## host-side API tests against the gateway in the VM
	@mkdir -p $(RESULTS)
	scripts/run-conformance.sh $(RESULTS)/conformance.tap

# Everything, then one closing line over all of it. Parts run even when an
# earlier part failed, so the tally is complete; the exit status is not 0 if
# anything failed.
test: deps ## install what is missing, build, run every test
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory all || echo "not ok - build" >$(RESULTS)/build.tap
	@$(MAKE) --no-print-directory unit || true
	@$(MAKE) --no-print-directory unit-arm64 || true
	@for k in $(KVERS_ALL); do $(MAKE) --no-print-directory vm-test KVER=$$k || true; done
	@$(MAKE) --no-print-directory conformance || true
	@$(MAKE) --no-print-directory vm-runner || true
	@$(MAKE) --no-print-directory powercut || true
	@scripts/run-fuzz.sh $(or $(FUZZ_SECONDS),20) $(RESULTS)/fuzz.tap || true
	@scripts/tally.sh $(RESULTS)

# --- benchmarks (not tests) --------------------------------------------------
build/bench/ingest: bench/storage/ingest.c $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(TOOLS_CFLAGS) -o $@ $< $(CORE_LIB) -pthread

bench-storage: build/bench/ingest ## durable ingest and mount time vs plain pwrite+fdatasync
	build/bench/ingest $(BENCH_DIR)

build/bench/filter_bench: bench/filter/filter_bench.c $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(TOOLS_CFLAGS) -I$(CORE_DIR) -o $@ $< $(CORE_LIB) -lz -pthread -lm

bench-filter: build/bench/filter_bench ## filtered search QPS/recall on Fashion-MNIST, index rebuild time
	build/bench/filter_bench $(BENCH_DIR)

# --- installing -------------------------------------------------------------
# `make install [PREFIX=/usr/local] [DESTDIR=]`: the gateway, vexfsctl,
# mkfs/fsck, libvexfs and its headers, the systemd units, the config sample,
# and vexfs.ko for the running kernel when it was built for it.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
MODLOADDIR ?= $(PREFIX)/lib/modules-load.d
KVER_RUN   := $(shell uname -r)
MODDIR     ?= /lib/modules/$(KVER_RUN)/extra

install: gateway tools ## install into DESTDIR/PREFIX (default /usr/local)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(INCLUDEDIR)/vexfs/uapi $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(MODLOADDIR) $(DESTDIR)$(SYSCONFDIR)/vexfs
	install -m 0755 gateway/vexfs-gateway build/tools/vexfsctl $(DESTDIR)$(BINDIR)/
	install -m 0755 build/tools/mkfs.vexfs build/tools/fsck.vexfs $(DESTDIR)$(SBINDIR)/
	install -m 0644 build/tools/libvexfs.a $(DESTDIR)$(LIBDIR)/
	install -m 0755 build/tools/libvexfs.so $(DESTDIR)$(LIBDIR)/
	install -m 0644 tools/libvexfs/vexfs.h $(DESTDIR)$(INCLUDEDIR)/vexfs/
	install -m 0644 uapi/vexfs.h uapi/vexfs_filter.h $(DESTDIR)$(INCLUDEDIR)/vexfs/uapi/
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		packaging/systemd/vexfs-gateway.service.in >$(DESTDIR)$(UNITDIR)/vexfs-gateway.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/vexfs-gateway.service
	install -m 0644 packaging/systemd/mnt-vexfs.mount $(DESTDIR)$(UNITDIR)/
	install -m 0644 packaging/etc/modules-load-vexfs.conf $(DESTDIR)$(MODLOADDIR)/vexfs.conf
	install -m 0644 packaging/etc/gateway.conf.sample $(DESTDIR)$(SYSCONFDIR)/vexfs/
	@# An existing gateway.conf is the admin's: never overwritten.
	[ -e $(DESTDIR)$(SYSCONFDIR)/vexfs/gateway.conf ] || \
		install -m 0640 packaging/etc/gateway.conf.sample $(DESTDIR)$(SYSCONFDIR)/vexfs/gateway.conf
	@if [ -f build/kmod/$(KVER_RUN)/vexfs.ko ]; then \
		echo "install vexfs.ko -> $(DESTDIR)$(MODDIR)"; \
		install -d $(DESTDIR)$(MODDIR) && \
		install -m 0644 build/kmod/$(KVER_RUN)/vexfs.ko $(DESTDIR)$(MODDIR)/ && \
		{ [ -n "$(DESTDIR)" ] || depmod -a $(KVER_RUN); }; \
	else \
		echo "install: no vexfs.ko built for the running kernel $(KVER_RUN); skipped"; \
	fi

# --- running it ------------------------------------------------------------
run: deps ## Qdrant-compatible server on 127.0.0.1:6333 (VM where modules can't load)
	@$(MAKE) --no-print-directory all
	scripts/run.sh

stop: ## stop a server started by `make run` in the background
	scripts/run.sh --stop

# --- code hygiene -------------------------------------------------------------
C_SOURCES = $(shell git ls-files '*.c' '*.h')

format: ## clang-format every C file in place (kernel style)
	clang-format -i $(C_SOURCES)

lint: ## clang-format check, checkpatch on kernel code, cppcheck
	scripts/lint.sh

fuzz: ## run every libFuzzer target for a bounded time (FUZZ_SECONDS=30)
	@mkdir -p $(RESULTS)
	scripts/run-fuzz.sh $(or $(FUZZ_SECONDS),30) $(RESULTS)/fuzz.tap

clean: ## remove build outputs
	rm -rf build
	$(MAKE) -C gateway clean

distclean: clean
	rm -rf tests/conformance/node_modules
