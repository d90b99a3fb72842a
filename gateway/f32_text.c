// SPDX-License-Identifier: GPL-2.0
/*
 * Shortest decimal text for a float (see f32_text.h).
 *
 * For p = 1, 2, ... 9 significant digits: scale |f| by a power of ten so
 * that p digits sit before the point, round to an integer, and stop at the
 * first p whose decimal reads back to f. Nine digits always do. The scale
 * is one x87 multiply or divide by an exact power of ten (10^27 at most),
 * so the scaled value is off by at most half a unit in its 64th bit, far
 * less than the distance to a rounding boundary unless it is a near-tie;
 * near-ties (exact ties are common among large floats) go to snprintf,
 * which rounds the exact value.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "f32_text.h"
#include "ids.h"
#include "json_read.h"

#define POW10_MAX 27

static long double pow10l_exact(int k)
{
	static const long double p[POW10_MAX + 1] = {
		1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,
		1e7L,  1e8L,  1e9L,  1e10L, 1e11L, 1e12L, 1e13L,
		1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L, 1e20L,
		1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L,
	};

	return p[k];
}

/* |x| * 10^k, for |k| <= POW10_MAX. */
static long double scale(double x, int k)
{
	return k >= 0 ? (long double)x * pow10l_exact(k) :
			(long double)x / pow10l_exact(-k);
}

/* Digits of @m (no trailing zeros) times 10^@e10 as JSON number text. */
static size_t format(bool neg, uint64_t m, int e10, char *buf)
{
	char d[24];
	int n = 0, pt, i;
	size_t o = 0;

	while (m % 10 == 0) {
		m /= 10;
		e10++;
	}
	for (; m; m /= 10)
		d[n++] = (char)('0' + m % 10);
	/* d holds the digits backwards; the value is 0.d1d2... * 10^pt. */
	pt = n + e10;
	if (neg)
		buf[o++] = '-';
	if (pt > -5 && pt <= 0) {
		buf[o++] = '0';
		buf[o++] = '.';
		for (i = pt; i < 0; i++)
			buf[o++] = '0';
		for (i = n - 1; i >= 0; i--)
			buf[o++] = d[i];
	} else if (pt > 0 && pt <= 16) {
		for (i = n - 1; i >= 0; i--) {
			buf[o++] = d[i];
			if (n - 1 - i == pt - 1 && pt < n)
				buf[o++] = '.';
		}
		for (i = n; i < pt; i++)
			buf[o++] = '0';
		if (pt >= n) {
			buf[o++] = '.';
			buf[o++] = '0';
		}
	} else {
		buf[o++] = d[n - 1];
		if (n > 1) {
			buf[o++] = '.';
			for (i = n - 2; i >= 0; i--)
				buf[o++] = d[i];
		}
		o += (size_t)snprintf(buf + o, GW_F32_TEXT_MAX - o, "e%d",
				      pt - 1);
	}
	buf[o] = '\0';
	return o;
}

/*
 * @x rounded to @p significant digits by snprintf, which rounds the exact
 * binary value (ties to even): the digits in *m, the value *m * 10^*e10.
 */
static void exact_digits(double x, int p, uint64_t *m, int *e10)
{
	char t[40], *c;
	uint64_t v = 0;

	snprintf(t, sizeof(t), "%.*e", p - 1, x);
	for (c = t; *c && *c != 'e'; c++)
		if (*c >= '0' && *c <= '9')
			v = v * 10 + (uint64_t)(*c - '0');
	*m = v;
	*e10 = (*c == 'e' ? atoi(c + 1) : 0) - (p - 1);
}

/* m * 10^e10 read by strtod, where the quick conversion is unsure. */
static double read_back(uint64_t m, int e10)
{
	char t[48];
	double d;

	if (gw_decimal_to_double(m, e10, false, &d))
		return d;
	snprintf(t, sizeof(t), "%llue%d", (unsigned long long)m, e10);
	return strtod(t, NULL);
}

size_t gw_f32_text(float f, char buf[GW_F32_TEXT_MAX])
{
	double x = fabs((double)f);
	bool neg = signbit(f);
	int e, p;

	if (!isfinite(f))
		return 0;
	if (x == 0) {
		strcpy(buf, neg ? "-0.0" : "0.0");
		return strlen(buf);
	}
	/* x in [10^e, 10^(e+1)); log10 can be one off near a power. */
	e = (int)floor(log10(x));
	if (e < -POW10_MAX + 8 || e > POW10_MAX - 1)
		return 0;
	if (scale(x, -e) < 1)
		e--;
	else if (scale(x, -(e + 1)) >= 1)
		e++;
	for (p = 1; p <= 9; p++) {
		int k = p - 1 - e;
		long double s, fl, frac;
		uint64_t m;
		int e10;

		if (k > POW10_MAX || k < -POW10_MAX)
			return 0;
		s = scale(x, k);
		fl = floorl(s);
		frac = s - fl;
		if (fabsl(frac - 0.5L) < 1e-9L) {
			/* A (near-)tie: glibc rounds the exact value. */
			exact_digits(x, p, &m, &e10);
		} else {
			m = (uint64_t)fl + (frac > 0.5L);
			e10 = -k;
		}
		if ((float)read_back(m, e10) == (float)x)
			return format(neg, m, e10, buf);
	}
	return 0;
}

json_t *gw_score_json(float f)
{
	char buf[GW_F32_TEXT_MAX];
	size_t n = gw_f32_text(f, buf);

	return n ? gw_number_text_json(buf, n) : json_real((double)f);
}
