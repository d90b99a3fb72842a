/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Point ids, and unsigned 64-bit integers in JSON text.
 *
 * jansson's integers are int64, but Qdrant's ids are u64 and SDKs send
 * ids up to 2^64-1. Integer literals outside the int64 range are
 * rewritten, before parsing, into marker strings ("\u0000u64:<digits>")
 * that only this module makes or reads; on the way out gw_reply_ok()
 * turns markers made by gw_id_json() back into bare digits.
 */
#ifndef VEXFS_GATEWAY_IDS_H
#define VEXFS_GATEWAY_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "backend.h"

/*
 * Rewrite the integer literals of JSON text @in that jansson cannot hold
 * into marker strings. Returns 1 with *out (malloc'd, *outlen bytes) if
 * anything was rewritten (parse it with JSON_ALLOW_NUL), 0 if the text
 * is fine as is, -ENOMEM.
 */
int gw_bigint_escape(const char *in, size_t len, char **out, size_t *outlen);

/*
 * Undo markers in serialized JSON @s in place: "\u0000u64:123" -> 123.
 * Returns the new length.
 */
size_t gw_bigint_unescape(char *s, size_t len);

/* Whether this thread made a marker since the last call (and reset). */
bool gw_bigint_take(void);

/*
 * A marker for integer literal @text (digits, "-" allowed) as
 * gw_bigint_escape() + json_loadb() make it; NULL if over 58 bytes.
 */
json_t *gw_bigint_json(const char *text, size_t len);

/*
 * JSON number text @text that gw_reply_ok() writes as is, through the
 * same marker (and gw_bigint_take()); for numbers jansson cannot print.
 */
json_t *gw_number_text_json(const char *text, size_t len);

/* The digits ("-" allowed) of a marker string, or NULL. */
const char *gw_json_bigint(const json_t *v);

/* A JSON number or marker as a double; false if @v is neither. */
bool gw_json_number(const json_t *v, double *out);

/* Replace markers anywhere in @v by reals (payloads: kept as numbers). */
void gw_bigint_to_real(json_t *v);

/*
 * A point id from JSON: an integer 0..2^64-1 or a UUID string. Returns 0,
 * or -EINVAL with the offending value's text in @bad (for Qdrant's
 * "value X is not a valid point ID" message).
 */
int gw_id_parse(const json_t *v, struct gw_point_id *id, char *bad,
		size_t badlen);

/* The same from a path segment: digits or a UUID. */
int gw_id_parse_str(const char *s, struct gw_point_id *id);

/* The id as JSON (a marker above INT64_MAX; see gw_bigint_take()). */
json_t *gw_id_json(const struct gw_point_id *id);

/* The id as text: digits or a hyphenated lower-case UUID. */
void gw_id_str(const struct gw_point_id *id, char *buf, size_t len);

bool gw_id_eq(const struct gw_point_id *a, const struct gw_point_id *b);

/* Qdrant's order: numbers ascending, then UUIDs by their bytes. */
int gw_id_cmp(const void *a, const void *b);

#endif
