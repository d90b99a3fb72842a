// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "toolutil.h"

int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K':
		shift = 10;
		end++;
		break;
	case 'M':
		shift = 20;
		end++;
		break;
	case 'G':
		shift = 30;
		end++;
		break;
	case 'T':
		shift = 40;
		end++;
		break;
	}
	if (*end == 'i' || *end == 'B')
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* UUIDs are stored as two little-endian u64 of the 16 bytes in text order. */
int parse_uuid(const char *s, uint64_t uuid[2])
{
	uint8_t b[16];
	int n = 0;

	for (int i = 0; s[i] && n < 32; i++) {
		int v;

		if ((i == 8 || i == 13 || i == 18 || i == 23) && s[i] == '-')
			continue;
		v = hexval((unsigned char)s[i]);
		if (v < 0)
			return -1;
		if (n % 2)
			b[n / 2] = (uint8_t)(b[n / 2] << 4 | v);
		else
			b[n / 2] = (uint8_t)v;
		n++;
	}
	if (n != 32 || strlen(s) != 36)
		return -1;
	memcpy(uuid, b, 16);
	return 0;
}

void format_uuid(const uint64_t uuid[2], char out[37])
{
	const uint8_t *b = (const uint8_t *)uuid;
	char *p = out;

	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		p += sprintf(p, "%02x", b[i]);
	}
}

int random_uuid(uint64_t uuid[2])
{
	uint8_t *b = (uint8_t *)uuid;

	if (getrandom(b, 16, 0) != 16)
		return -1;
	b[6] = (b[6] & 0x0f) | 0x40; /* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80; /* RFC 4122 variant */
	return 0;
}

int pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pread(fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		buf = (char *)buf + n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf = (const char *)buf + n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/*
 * Open a block device or an image file for writing. With new_size, an image
 * is created or resized first. The size is reported in bytes.
 */
int open_target(const char *path, uint64_t new_size, uint64_t *size_out)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDWR | O_CLOEXEC | (new_size ? O_CREAT : 0), 0644);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "%s: cannot open %s: %s\n",
			program_invocation_short_name, path, strerror(errno));
		return -1;
	}
	if (S_ISBLK(st.st_mode)) {
		if (new_size) {
			fprintf(stderr,
				"%s: --size applies to image files only\n",
				program_invocation_short_name);
			close(fd);
			return -1;
		}
		if (ioctl(fd, BLKGETSIZE64, size_out)) {
			fprintf(stderr, "%s: %s: BLKGETSIZE64: %s\n",
				program_invocation_short_name, path,
				strerror(errno));
			close(fd);
			return -1;
		}
		return fd;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: %s is neither a block device nor a file\n",
			program_invocation_short_name, path);
		close(fd);
		return -1;
	}
	if (new_size && ftruncate(fd, (off_t)new_size)) {
		fprintf(stderr, "%s: cannot size %s: %s\n",
			program_invocation_short_name, path, strerror(errno));
		close(fd);
		return -1;
	}
	*size_out = new_size ? new_size : (uint64_t)st.st_size;
	return fd;
}

int tool_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see --help)\n");
	return 1;
}
