// SPDX-License-Identifier: GPL-2.0
/*
 * Shortest decimal text for a float (see f32_text.h).
 *
 * The fewest significant digits p (1 to 9) whose decimal reads back to f:
 * scale |f| by a power of ten so that p digits sit before the point and
 * round to an integer. Nine digits always do. The scale
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

/* |x| * 10^k, for |k| <= GW_POW10L_MAX. */
static long double scale(double x, int k)
{
	return k >= 0 ? (long double)x * gw_pow10l[k] :
			(long double)x / gw_pow10l[-k];
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

/*
 * x rounded to @p significant digits, x in [10^e, 10^(e+1)): the digits in
 * *m, the value *m * 10^*e10. False if the scale is out of the table.
 */
static bool round_digits(double x, int e, int p, uint64_t *m, int *e10)
{
	int k = p - 1 - e;
	long double s, fl, frac;

	if (k > GW_POW10L_MAX || k < -GW_POW10L_MAX)
		return false;
	s = scale(x, k);
	fl = floorl(s);
	frac = s - fl;
	if (fabsl(frac - 0.5L) < 1e-9L) {
		/* A (near-)tie: glibc rounds the exact value. */
		exact_digits(x, p, m, e10);
	} else {
		*m = (uint64_t)fl + (frac > 0.5L);
		*e10 = -k;
	}
	return true;
}

size_t gw_f32_text(float f, char buf[GW_F32_TEXT_MAX])
{
	double x = fabs((double)f);
	bool neg = signbit(f);
	uint64_t m, best_m = 0;
	int e, lo = 1, hi = 9, e10, best_e10 = 0;

	if (!isfinite(f))
		return 0;
	if (x == 0) {
		strcpy(buf, neg ? "-0.0" : "0.0");
		return strlen(buf);
	}
	/* x in [10^e, 10^(e+1)); log10 can be one off near a power. */
	e = (int)floor(log10(x));
	if (e < -GW_POW10L_MAX + 8 || e > GW_POW10L_MAX - 1)
		return 0;
	if (scale(x, -e) < 1)
		e--;
	else if (scale(x, -(e + 1)) >= 1)
		e++;
	/*
	 * The fewest digits that read back to f. If p digits do, p + 1 do too
	 * (the p-digit decimal is also a (p + 1)-digit one, so the nearest
	 * (p + 1)-digit decimal is no farther from x), and 9 always do: a
	 * binary search over p, about 3 conversions instead of up to 9.
	 */
	while (lo <= hi) {
		int p = (lo + hi) / 2;

		if (!round_digits(x, e, p, &m, &e10))
			return 0;
		if ((float)read_back(m, e10) == (float)x) {
			best_m = m;
			best_e10 = e10;
			hi = p - 1;
		} else {
			lo = p + 1;
		}
	}
	return best_m ? format(neg, best_m, best_e10, buf) : 0;
}

json_t *gw_score_json(float f)
{
	char buf[GW_F32_TEXT_MAX];
	size_t n = gw_f32_text(f, buf);

	return n ? gw_number_text_json(buf, n) : json_real((double)f);
}
