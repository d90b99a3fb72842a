# Userspace build of the portable core (vexfs_kmod/core/*.c) as a static library.
# Included by the top-level Makefile; the same sources are listed in Kbuild for vexfs.ko.
#
#   build/core/libvexfscore.a      -O2, for tools, gateway and benchmarks
#   build/core-san/libvexfscore.a  -O1 with ASan+UBSan, for unit tests
#   build/core-tsan/libvexfscore.a -O1 with TSan, for the concurrency stress tests
#   build/core-fuzz/libvexfscore.a clang, libFuzzer instrumentation + ASan/UBSan

CORE_DIR   := vexfs_kmod/core
CORE_SRCS  := $(sort $(wildcard $(CORE_DIR)/*.c $(CORE_DIR)/user/*.c))
ARCH       ?= $(shell uname -m)

# SIMD objects get their own flags, as in the kernel build (see Kbuild).
# A file named *_avx2.c / *_avx512.c / *_neon.c is only built on its architecture.
ifeq ($(ARCH),x86_64)
CORE_SRCS  := $(filter-out %_neon.c,$(CORE_SRCS))
else ifeq ($(ARCH),aarch64)
CORE_SRCS  := $(filter-out %_avx2.c %_avx512.c,$(CORE_SRCS))
else
CORE_SRCS  := $(filter-out %_avx2.c %_avx512.c %_neon.c,$(CORE_SRCS))
endif
simd_flags = $(if $(filter %_avx2.c,$1),-mavx2 -mfma,$(if $(filter %_avx512.c,$1),-mavx512f -mavx512vl -mfma,))

CORE_CPPFLAGS := -I. -Iuapi -I$(CORE_DIR)
CORE_CFLAGS   := -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wshadow \
		 -Wstrict-prototypes -Wmissing-prototypes -fno-strict-aliasing -pthread -g
SAN_CFLAGS    := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
		 -fno-sanitize-recover=undefined
TSAN_CFLAGS   := -O1 -fsanitize=thread -fno-omit-frame-pointer

FUZZ_CC       ?= clang
FUZZ_CFLAGS   := -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
		 -fno-sanitize-recover=undefined

define core_variant
# $1 = variant dir, $2 = extra cflags, $3 = compiler (default $(CC))
$(1)_OBJS := $$(patsubst $(CORE_DIR)/%.c,build/$(1)/%.o,$$(CORE_SRCS))
build/$(1)/%.o: $(CORE_DIR)/%.c
	@mkdir -p $$(@D)
	$$(or $(3),$$(CC)) $$(CORE_CPPFLAGS) $$(CORE_CFLAGS) $$(WERROR) $(2) $$(call simd_flags,$$<) -MMD -MP -c $$< -o $$@
build/$(1)/libvexfscore.a: $$($(1)_OBJS)
	rm -f $$@ && $$(AR) rcs $$@ $$^
-include $$($(1)_OBJS:.o=.d)
endef

$(eval $(call core_variant,core,-O2))
$(eval $(call core_variant,core-san,$(SAN_CFLAGS)))
$(eval $(call core_variant,core-tsan,$(TSAN_CFLAGS)))
$(eval $(call core_variant,core-fuzz,$(FUZZ_CFLAGS),$(FUZZ_CC)))

CORE_LIB      := build/core/libvexfscore.a
CORE_SAN_LIB  := build/core-san/libvexfscore.a
CORE_TSAN_LIB := build/core-tsan/libvexfscore.a
CORE_FUZZ_LIB := build/core-fuzz/libvexfscore.a
