/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tests' builder of filter bytecode (uapi/vexfs_filter.h): a handful of
 * node kinds, written in prefix order into a caller's buffer.
 *
 *	struct fb b; fb_init(&b, buf, sizeof(buf));
 *	fb_open(&b, VEXFS_FOP_AND, 2);   // containers: then their children
 *	  fb_match_int(&b, "a", 3);
 *	  fb_has_vector(&b);
 *	fb_close(&b);
 *	len = fb_finish(&b);
 */
#ifndef VEXFS_TEST_FILTER_BUILD_H
#define VEXFS_TEST_FILTER_BUILD_H

#include <stdint.h>
#include <string.h>

#include "uapi/vexfs_filter.h"

struct fb {
	uint8_t *buf;
	uint32_t len, cap, nodes;
	uint32_t open[16]; /* offsets of open containers */
	int depth;
};

static inline void fb_put(struct fb *b, const void *p, uint32_t n)
{
	if (b->len + n <= b->cap)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static inline void fb_le(struct fb *b, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++) {
		uint8_t byte = (uint8_t)(v >> (8 * i));

		fb_put(b, &byte, 1);
	}
}

static inline void fb_init(struct fb *b, uint8_t *buf, uint32_t cap)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = cap;
	b->len = VEXFS_FILTER_HDR_SIZE;
}

static inline void fb_patch32(struct fb *b, uint32_t at, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		if (at + i < b->cap)
			b->buf[at + i] = (uint8_t)(v >> (8 * i));
}

/* A node head; its size is patched when it ends. */
static inline uint32_t fb_head(struct fb *b, uint8_t op, uint8_t aux)
{
	uint32_t at = b->len;

	fb_put(b, &op, 1);
	fb_put(b, &aux, 1);
	fb_le(b, 0, 4);
	b->nodes++;
	return at;
}

static inline void fb_end(struct fb *b, uint32_t at)
{
	fb_patch32(b, at + 2, b->len - at);
}

static inline void fb_key(struct fb *b, const char *key)
{
	fb_le(b, strlen(key), 2);
	fb_put(b, key, (uint32_t)strlen(key));
}

/* AND, OR (n children follow), NOT (n = 1). Close with fb_close(). */
static inline void fb_open(struct fb *b, uint8_t op, uint16_t n)
{
	uint32_t at = fb_head(b, op, 0);

	if (op != VEXFS_FOP_NOT)
		fb_le(b, n, 2);
	b->open[b->depth++] = at;
}

static inline void fb_close(struct fb *b)
{
	fb_end(b, b->open[--b->depth]);
}

static inline void fb_leaf(struct fb *b, uint8_t op)
{
	fb_end(b, fb_head(b, op, 0));
}

static inline void fb_has_vector(struct fb *b)
{
	fb_leaf(b, VEXFS_FOP_HAS_VECTOR);
}

static inline void fb_match_int(struct fb *b, const char *key, int64_t v)
{
	uint32_t at = fb_head(b, VEXFS_FOP_MATCH_INT, 0);

	fb_key(b, key);
	fb_le(b, (uint64_t)v, 8);
	fb_end(b, at);
}

static inline void fb_match_str(struct fb *b, const char *key, const char *s)
{
	uint32_t at = fb_head(b, VEXFS_FOP_MATCH_STR, 0);

	fb_key(b, key);
	fb_le(b, strlen(s), 4);
	fb_put(b, s, (uint32_t)strlen(s));
	fb_end(b, at);
}

static inline void fb_match_bool(struct fb *b, const char *key, int v)
{
	uint32_t at = fb_head(b, VEXFS_FOP_MATCH_BOOL, (uint8_t)v);

	fb_key(b, key);
	fb_end(b, at);
}

static inline void fb_is_empty(struct fb *b, const char *key)
{
	uint32_t at = fb_head(b, VEXFS_FOP_IS_EMPTY, 0);

	fb_key(b, key);
	fb_end(b, at);
}

/* HAS_ID with numeric ids (strictly ascending). */
static inline void fb_has_id(struct fb *b, const uint64_t *ids, uint32_t n)
{
	uint32_t at = fb_head(b, VEXFS_FOP_HAS_ID, 0);

	fb_le(b, n, 4);
	fb_le(b, 0, 4);
	for (uint32_t i = 0; i < n; i++)
		fb_le(b, ids[i], 8);
	fb_end(b, at);
}

/* Write the header; returns the program's length (0 if it overflowed). */
static inline uint32_t fb_finish(struct fb *b)
{
	if (b->len > b->cap || b->depth)
		return 0;
	fb_patch32(b, 0, VEXFS_FILTER_MAGIC);
	b->buf[4] = VEXFS_FILTER_VERSION;
	b->buf[5] = 0;
	b->buf[6] = 0;
	b->buf[7] = 0;
	fb_patch32(b, 8, b->len);
	fb_patch32(b, 12, b->nodes);
	return b->len;
}

#endif /* VEXFS_TEST_FILTER_BUILD_H */
