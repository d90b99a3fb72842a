/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by mkfs.vexfs, fsck.vexfs and vexfsctl. */
#ifndef VEXFS_TOOLUTIL_H
#define VEXFS_TOOLUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int parse_size(const char *s, uint64_t *out);
int parse_uuid(const char *s, uint64_t uuid[2]);
void format_uuid(const uint64_t uuid[2], char out[37]);
int random_uuid(uint64_t uuid[2]);
int pread_full(int fd, void *buf, size_t len, uint64_t off);
int pwrite_full(int fd, const void *buf, size_t len, uint64_t off);
int open_target(const char *path, uint64_t new_size, uint64_t *size_out);
int tool_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif /* VEXFS_TOOLUTIL_H */
