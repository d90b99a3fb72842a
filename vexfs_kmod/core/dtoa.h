/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Doubles to decimal text without floating-point arithmetic, for JSON the
 * kernel renders (payloads, and any config or stats that carry floats).
 *
 * The algorithm is the free-format one of Steele & White / Burger & Dybvig
 * ("Printing Floating-Point Numbers Quickly and Accurately", PLDI 1996) on
 * exact big integers: the value and the halfway points to its neighbours
 * are scaled by powers of 2 and 10 into integers, and digits are generated
 * until the prefix alone identifies the double under round-to-nearest-even
 * reading. Its output is the shortest digit string that reads back to the
 * same double, and of those the closest to it. Chosen over Ryu and Grisu
 * for being short enough to check by reading: no tables, no approximations;
 * it costs a few microseconds per number, which the places that print
 * floats can afford.
 */
#ifndef VEXFS_CORE_DTOA_H
#define VEXFS_CORE_DTOA_H

#include "shim.h"

/* Longest text vx_dtoa_json() writes, NUL included. */
#define VX_DTOA_BUFSZ 32

/*
 * The shortest round-trip digits of a finite, nonzero double given by its
 * bits (the sign is ignored): digits[0 .. n) with digits[0] != '0', and
 * *exp10 such that |value| = 0.d1d2...dn * 10^exp10. Returns n (1..17), or
 * 0 for zero, infinities and NaN. digits needs 17 bytes; no NUL is written.
 */
int vx_dtoa_shortest(u64 bits, char *digits, int *exp10);

/*
 * A double as a JSON number, NUL-terminated in buf[VX_DTOA_BUFSZ]; returns
 * the length. ECMAScript's layout (Number.prototype.toString): plain
 * decimals for 1e-7 <= |v| < 1e21, otherwise d.ddde+N / d.ddde-N; integral
 * values get ".0" (1.0, -0.0, 100000000000000000000.0) so that readers that
 * tell integers from reals (jansson, serde_json) read a real back.
 * NaN and infinities, which JSON cannot express, are written as null.
 */
int vx_dtoa_json(u64 bits, char *buf);

/* binary32 bits widened exactly to binary64 bits (cbor.c). */
u64 vx_f32_bits_to_f64_bits(u32 f);

#endif /* VEXFS_CORE_DTOA_H */
