# Build rules for libvexfs and vexfsctl; included by the top-level Makefile.
#
#   build/tools/libvexfs.a   static library (tools/libvexfs/, PIC objects)
#   build/tools/libvexfs.so  shared library, only the vexfs_* API exported
#   build/tools/vexfsctl     the CLI, linked with libvexfs.a
#
# Selftests that talk netlink link libvexfs and libnl too: the generic
# build/selftests/% rule does not take extra libraries, so they get their own
# (static pattern, hence explicit) rule here.

NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0)
NL_LIBS := $(shell pkg-config --libs libnl-genl-3.0)

LIBVEXFS_HDRS := tools/libvexfs/vexfs.h uapi/vexfs.h
LIBVEXFS_OBJS := build/tools/libvexfs/libvexfs.o

build/tools/libvexfs/%.o: tools/libvexfs/%.c $(LIBVEXFS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(TOOLS_CFLAGS) $(NL_CFLAGS) -fPIC -fvisibility=hidden \
		-Wshadow -Wstrict-prototypes -Wmissing-prototypes -c $< -o $@

build/tools/libvexfs.a: $(LIBVEXFS_OBJS)
	rm -f $@ && $(AR) rcs $@ $^

build/tools/libvexfs.so: $(LIBVEXFS_OBJS)
	$(CC) -shared -Wl,-soname,libvexfs.so -Wl,--no-undefined -o $@ $^ \
		$(NL_LIBS) -pthread

build/tools/vexfsctl.o: tools/vexfsctl.c $(LIBVEXFS_HDRS) $(wildcard tools/*.h)
	@mkdir -p $(@D)
	$(CC) $(TOOLS_CFLAGS) -Wshadow -c $< -o $@

build/tools/vexfsctl: build/tools/vexfsctl.o $(TOOLS_COMMON) build/tools/libvexfs.a
	$(CC) $(TOOLS_CFLAGS) -o $@ $^ $(NL_LIBS) -pthread -lm

TOOLS_EXTRA += build/tools/libvexfs.a build/tools/libvexfs.so \
	       build/tools/vexfsctl

LIBVEXFS_SELFTESTS := $(addprefix build/selftests/,collection_test data_test \
			concurrency_test powercut_writer leak_test parity_test \
			catalog_test dirview_test index_test points_ops_test)

$(LIBVEXFS_SELFTESTS): build/selftests/%: selftests/vexfs/%.c \
		$(wildcard selftests/vexfs/*.h) $(LIBVEXFS_HDRS) \
		$(KSFT_DIR)/kselftest_harness.h build/tools/libvexfs.a $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(TOOLS_CFLAGS) $(NL_CFLAGS) -Wno-sign-compare -I$(KSFT_DIR) \
		-Iselftests/vexfs -o $@ $< build/tools/libvexfs.a $(CORE_LIB) $(NL_LIBS) -pthread -lm
