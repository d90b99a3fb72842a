/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * VexFS filter bytecode: Qdrant's payload filter, compiled by the gateway
 * (gateway/filter.c) and passed in struct vexfs_filter; the kernel verifies
 * it completely before evaluating it (vexfs_kmod/core/filter_verify.c).
 * Documentation/vexfs/filters.rst describes the semantics of each node.
 *
 * Layout: all integers little-endian, no alignment, no padding.
 *
 *   header (16 bytes)   struct vexfs_filter_hdr
 *   root node           exactly one, ending exactly at hdr.len
 *
 * A program is a tree written in prefix order; there are no jumps. Every
 * node starts with a 6-byte head:
 *
 *   u8 op          VEXFS_FOP_*
 *   u8 aux         per op (match bool value, range bound flags, except)
 *   le32 size      bytes of the whole node, head included
 *
 * and its body follows. "key" below is le16 length + that many bytes of a
 * Qdrant key path (vexfs_kmod/core/cbor.h syntax: a.b, a[], a[3], "a.b"),
 * 1 .. VEXFS_FILTER_KEY_MAX bytes. "str" is le32 length + UTF-8 bytes.
 *
 *   TRUE, FALSE          (empty)
 *   AND, OR              le16 n, then n nodes; AND of none is true, OR of
 *                        none is false
 *   NOT                  one node
 *   ATLEAST              le16 k, le16 n (k <= n), then n nodes: true iff
 *                        at least k are (Qdrant's min_should)
 *   HAS_ID               le32 n_num, le32 n_uuid, n_num le64 ids strictly
 *                        ascending, n_uuid 16-byte UUIDs (RFC 4122 byte
 *                        order) strictly ascending by memcmp
 *   HAS_VECTOR           (empty): the point has the unnamed vector
 *   NESTED               key, one node: true iff some map the key reaches
 *                        satisfies the node, keys in it taken relative to
 *                        that map (the gateway writes Qdrant's
 *                        nested {key: k} as key "k[]")
 *   MATCH_BOOL           key; aux = 0 or 1
 *   MATCH_INT            key, le64 (two's complement)
 *   MATCH_STR            key, str
 *   MATCH_ANY_INT        key, le32 n, n le64 strictly ascending (signed);
 *                        aux VEXFS_FILTER_EXCEPT: Qdrant's match except
 *   MATCH_ANY_STR        key, le32 n, n str strictly ascending (bytewise,
 *                        a prefix first); aux VEXFS_FILTER_EXCEPT
 *   MATCH_TEXT           key, str: a text value contains str
 *   RANGE                key, le64 lo, le64 hi: IEEE-754 binary64 bits,
 *                        not NaN; aux: VEXFS_FILTER_R_* saying which bounds
 *                        apply (an absent bound's field must be 0)
 *   RANGE_DT             key, le64 lo, le64 hi: microseconds since
 *                        1970-01-01T00:00:00Z (signed); aux as RANGE
 *   VALUES_COUNT         key, le64 lo, le64 hi (unsigned counts); aux as
 *                        RANGE
 *   GEO_BOX              key, le64 left, top, right, bottom: binary64 bits
 *                        of top_left.lon, top_left.lat, bottom_right.lon,
 *                        bottom_right.lat; finite, lon in [-180, 180], lat
 *                        in [-90, 90]; left > right crosses the antimeridian
 *   GEO_RADIUS           key, le64 lon, le64 lat: the centre, binary64 bits
 *                        (ranges as GEO_BOX); le64 chord2: the squared chord
 *                        of the radius on the unit sphere,
 *                        (2 sin(r / 2R))^2 * 2^60 with R = 6371088 m (at
 *                        most 2^62), or ~0 for a radius past the antipode;
 *                        le64 x, y, z: the centre as a unit vector * 2^40
 *                        (signed), exactly as vx_filter_geo_unit()
 *                        computes it (the verifier recomputes it)
 *   GEO_POLYGON          key, le32 rings (1 .. VEXFS_FILTER_RINGS_MAX;
 *                        the exterior, then interiors), each le32 n (4 ..),
 *                        then n points le64 lon, le64 lat in fixed point
 *                        (degrees * 2^32, signed), first == last
 *   IS_EMPTY, IS_NULL    key
 *
 * Limits: hdr.len <= VEXFS_FILTER_MAX (uapi/vexfs.h); nodes nest at most
 * VEXFS_FILTER_MAX_DEPTH deep, NESTED nodes at most VEXFS_FILTER_MAX_NESTED
 * deep; hdr.nodes counts every node.
 */
#ifndef _UAPI_LINUX_VEXFS_FILTER_H
#define _UAPI_LINUX_VEXFS_FILTER_H

#include <linux/types.h>

#define VEXFS_FILTER_MAGIC 0x4c465856u /* "VXFL" in file order */
#define VEXFS_FILTER_VERSION 1

struct vexfs_filter_hdr {
	__le32 magic;
	__le16 version;
	__le16 flags; /* none defined; must be 0 */
	__le32 len; /* bytes of the program, this header included */
	__le32 nodes; /* nodes in the program */
};

#define VEXFS_FILTER_HDR_SIZE 16u
#define VEXFS_FILTER_NODE_HEAD 6u /* op, aux, le32 size */

#define VEXFS_FILTER_MAX_DEPTH 16u /* nodes from root to leaf */
#define VEXFS_FILTER_MAX_NESTED 3u /* NESTED within NESTED */
#define VEXFS_FILTER_KEY_MAX 1024u /* bytes of a key path */
#define VEXFS_FILTER_RINGS_MAX 1024u /* rings of a polygon */

enum vexfs_filter_op {
	VEXFS_FOP_TRUE = 0x01,
	VEXFS_FOP_FALSE = 0x02,
	VEXFS_FOP_AND = 0x03,
	VEXFS_FOP_OR = 0x04,
	VEXFS_FOP_NOT = 0x05,
	VEXFS_FOP_ATLEAST = 0x06,
	VEXFS_FOP_HAS_ID = 0x07,
	VEXFS_FOP_HAS_VECTOR = 0x08,
	VEXFS_FOP_NESTED = 0x09,
	VEXFS_FOP_MATCH_BOOL = 0x10,
	VEXFS_FOP_MATCH_INT = 0x11,
	VEXFS_FOP_MATCH_STR = 0x12,
	VEXFS_FOP_MATCH_ANY_INT = 0x13,
	VEXFS_FOP_MATCH_ANY_STR = 0x14,
	VEXFS_FOP_MATCH_TEXT = 0x15,
	VEXFS_FOP_RANGE = 0x16,
	VEXFS_FOP_RANGE_DT = 0x17,
	VEXFS_FOP_VALUES_COUNT = 0x18,
	VEXFS_FOP_GEO_BOX = 0x19,
	VEXFS_FOP_GEO_RADIUS = 0x1a,
	VEXFS_FOP_GEO_POLYGON = 0x1b,
	VEXFS_FOP_IS_EMPTY = 0x1c,
	VEXFS_FOP_IS_NULL = 0x1d,
};

/* aux of MATCH_ANY_*: */
#define VEXFS_FILTER_EXCEPT 0x01

/* aux of RANGE, RANGE_DT, VALUES_COUNT: which bounds apply. */
#define VEXFS_FILTER_R_GT 0x01 /* value > lo */
#define VEXFS_FILTER_R_GTE 0x02 /* value >= lo */
#define VEXFS_FILTER_R_LT 0x04 /* value < hi */
#define VEXFS_FILTER_R_LTE 0x08 /* value <= hi */

#endif /* _UAPI_LINUX_VEXFS_FILTER_H */
