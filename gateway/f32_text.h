/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scores as Qdrant prints them: an f32 score is written as the shortest
 * decimal that reads back to the same float (0.8765432, not the double
 * 0.87654322385787964), which is also several times cheaper than
 * jansson's "%.17g" of the double.
 */
#ifndef VEXFS_GATEWAY_F32_TEXT_H
#define VEXFS_GATEWAY_F32_TEXT_H

#include <stddef.h>

#include <jansson.h>

/* Longest text gw_f32_text() writes, NUL included. */
#define GW_F32_TEXT_MAX 32

/*
 * The shortest decimal that reads back (as a double, then rounded to
 * float) to @f, the closest to @f of those, as JSON number text in @buf:
 * plain for 1e-5 <= |f| < 1e16 ("0.5", "12.0"), else "1.5e-7". Returns
 * its length, or 0 for NaN, infinities and |f| outside 1e-19..1e26,
 * which the caller prints some other way.
 */
size_t gw_f32_text(float f, char buf[GW_F32_TEXT_MAX]);

/* A JSON value for score @f: gw_f32_text()'s text, else a real. */
json_t *gw_score_json(float f);

#endif
