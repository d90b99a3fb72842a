/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only header in core/ that differs between the kernel and userspace.
 *
 * Core files include "shim.h" and nothing else from the kernel or libc, so the
 * very same engine compiles into vexfs.ko and into libvexfscore.a, where it is
 * unit-tested, fuzzed and benchmarked (the OpenZFS libzpool pattern).
 */
#ifndef VEXFS_CORE_SHIM_H
#define VEXFS_CORE_SHIM_H

#ifdef __KERNEL__
#include "shim_kernel.h"
#else
#include "shim_user.h"
#endif

#define VX_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* clang-format 14 would write "(a)-1", which checkpatch rightly dislikes. */
/* clang-format off */
#define VX_ALIGN_UP(x, a) (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define VX_DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
/* clang-format on */

#endif /* VEXFS_CORE_SHIM_H */
