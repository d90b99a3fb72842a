/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fast reader for request bodies.
 *
 * Most bodies are plain: ASCII strings without escapes, numbers, nesting
 * a few levels deep; a search body is mostly one array of 17-digit reals.
 * gw_json_read() builds, for those, exactly the tree that the slow path
 * (gw_bigint_escape() then json_loadb()) builds, several times faster:
 * no character stream, no token copies, and numbers converted without
 * strtod() in the usual case. It returns NULL for anything else (escapes,
 * non-ASCII text, deep nesting, any syntax error, no memory), and the
 * caller then takes the slow path, which also words the error. Both
 * readers must agree on every text this one accepts: fuzz_json_read
 * checks that.
 */
#ifndef VEXFS_GATEWAY_JSON_READ_H
#define VEXFS_GATEWAY_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* JSON text @buf (not NUL-terminated) holding one object, or NULL. */
json_t *gw_json_read(const char *buf, size_t len);

/*
 * 10^0 .. 10^27: 10^27 is the largest power of ten an x87 long double
 * (64-bit significand) holds exactly; wider long doubles hold them too.
 */
#define GW_POW10L_MAX 27
extern const long double gw_pow10l[GW_POW10L_MAX + 1];

/*
 * The double nearest to @m * 10^@e10 (ties to even), as strtod() gives
 * for that decimal: true, or false when the quick method cannot be sure
 * and strtod() must decide.
 */
bool gw_decimal_to_double(uint64_t m, int e10, bool neg, double *out);

#endif
