# Build rules for libvexfs and vexfsctl; included by the top-level Makefile.
# (Filled in by the libvexfs work.)
