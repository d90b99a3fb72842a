// SPDX-License-Identifier: GPL-2.0
/*
 * Shortest round-trip decimal for doubles, integer arithmetic only (the
 * kernel build forbids the FPU outside explicit sections). See dtoa.h for
 * the choice of algorithm.
 *
 * With v = f * 2^e (f the integer significand) and the rounding interval of
 * v being the reals that read back as v, Burger & Dybvig keep four exact
 * integers such that, at each step,
 *	r / s     = the part of v not yet written, scaled to [0, 1)
 *	m+ / s    = half the gap to the next double above, likewise scaled
 *	m- / s    = half the gap to the next double below
 * and emit digit floor(10 r / s) until the digits so far, or the same with
 * the last one raised by 1, fall inside the interval. Boundaries count as
 * inside when f is even (strtod rounds ties to even).
 *
 * The integers stay below about 2^1090: s is at most 2^1076 * 10^3 for the
 * smallest subnormals (e = -1074 plus the slack of the exponent estimate),
 * and 4 * 10^309 for the largest doubles; r < s, and m+ grows by one factor
 * of 10 per digit, 17 digits at most. 35 limbs of 32 bits were the most
 * any double needed when every exponent was tried (test_cbor); 40 leave a
 * margin, and the limb operations still refuse to go past the end
 * (over = true) rather than write out of bounds.
 */
#include "shim.h"
#include "dtoa.h"

#define BN_LIMBS 40

struct bn {
	u32 n; /* limbs in use; d[n - 1] != 0 unless n == 0 */
	bool over;
	u32 d[BN_LIMBS];
};

static void bn_set(struct bn *a, u64 v)
{
	a->n = 0;
	a->over = false;
	while (v) {
		a->d[a->n++] = (u32)v;
		v >>= 32;
	}
}

static void bn_trim(struct bn *a)
{
	while (a->n && !a->d[a->n - 1])
		a->n--;
}

static void bn_shl(struct bn *a, unsigned int s)
{
	unsigned int w = s / 32, b = s % 32, i;

	if (!a->n)
		return;
	if (a->n + w + 1 > BN_LIMBS) {
		a->over = true;
		a->n = 0;
		return;
	}
	if (!b) {
		for (i = a->n; i-- > 0;)
			a->d[i + w] = a->d[i];
		a->d[a->n + w] = 0;
	} else {
		a->d[a->n + w] = a->d[a->n - 1] >> (32 - b);
		for (i = a->n - 1; i > 0; i--)
			a->d[i + w] = a->d[i] << b | a->d[i - 1] >> (32 - b);
		a->d[w] = a->d[0] << b;
	}
	for (i = 0; i < w; i++)
		a->d[i] = 0;
	a->n += w + 1;
	bn_trim(a);
}

static void bn_mul_small(struct bn *a, u32 m)
{
	u64 carry = 0;
	u32 i;

	for (i = 0; i < a->n; i++) {
		u64 t = (u64)a->d[i] * m + carry;

		a->d[i] = (u32)t;
		carry = t >> 32;
	}
	if (carry) {
		if (a->n == BN_LIMBS) {
			a->over = true;
			a->n = 0;
			return;
		}
		a->d[a->n++] = (u32)carry;
	}
}

static void bn_mul_pow10(struct bn *a, unsigned int e)
{
	static const u32 p10[] = { 1,	   10,	    100,      1000,	10000,
				   100000, 1000000, 10000000, 100000000 };

	while (e >= 9) {
		bn_mul_small(a, 1000000000);
		e -= 9;
	}
	bn_mul_small(a, p10[e]);
}

static int bn_cmp(const struct bn *a, const struct bn *b)
{
	u32 i;

	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (i = a->n; i-- > 0;)
		if (a->d[i] != b->d[i])
			return a->d[i] < b->d[i] ? -1 : 1;
	return 0;
}

/* sum = a + b */
static void bn_add(struct bn *sum, const struct bn *a, const struct bn *b)
{
	const struct bn *lo = a->n < b->n ? a : b, *hi = a->n < b->n ? b : a;
	u64 carry = 0;
	u32 i;

	sum->over = a->over || b->over;
	for (i = 0; i < hi->n; i++) {
		carry += (u64)hi->d[i] + (i < lo->n ? lo->d[i] : 0);
		sum->d[i] = (u32)carry;
		carry >>= 32;
	}
	sum->n = hi->n;
	if (carry) {
		if (sum->n == BN_LIMBS) {
			sum->over = true;
			sum->n = 0;
			return;
		}
		sum->d[sum->n++] = (u32)carry;
	}
}

/* a -= b, for a >= b */
static void bn_sub(struct bn *a, const struct bn *b)
{
	u64 borrow = 0;
	u32 i;

	for (i = 0; i < a->n; i++) {
		u64 t = (u64)a->d[i] - (i < b->n ? b->d[i] : 0) - borrow;

		a->d[i] = (u32)t;
		borrow = t >> 63;
	}
	bn_trim(a);
}

static int floor_div(int a, int b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

int vx_dtoa_shortest(u64 bits, char *digits, int *exp10)
{
	struct bn r, s, mp, mm, t;
	u64 f = bits & ((1ull << 52) - 1);
	int be = (int)((bits >> 52) & 0x7ff), e, k, len, n = 0;
	bool even, unequal, low, high;

	if (be == 0x7ff)
		return 0;
	if (be == 0) {
		if (!f)
			return 0;
		e = -1074;
	} else {
		f |= 1ull << 52;
		e = be - 1075;
	}
	even = !(f & 1);
	/* a power of two above the subnormals: the gap below is half as wide */
	unequal = be > 1 && f == 1ull << 52;

	bn_set(&r, f);
	if (e >= 0) {
		bn_shl(&r, e + (unequal ? 2 : 1));
		bn_set(&s, unequal ? 4 : 2);
		bn_set(&mp, 1);
		bn_shl(&mp, e + (unequal ? 1 : 0));
		bn_set(&mm, 1);
		bn_shl(&mm, e);
	} else {
		bn_shl(&r, unequal ? 2 : 1);
		bn_set(&s, 1);
		bn_shl(&s, unequal ? 2 - e : 1 - e);
		bn_set(&mp, unequal ? 2 : 1);
		bn_set(&mm, 1);
	}

	/*
	 * k: the least integer with (high end of the interval) < 10^k, so the
	 * first digit is not 0. Start below it: floor(log2 v) * log10(2),
	 * approximated by 78913 / 2^18 (error < 0.001 over the exponent range),
	 * minus one; then raise it while the interval reaches 10^k.
	 */
	len = 64 - __builtin_clzll(f);
	k = floor_div((e + len - 1) * 78913, 1 << 18) - 1;
	if (k >= 0) {
		bn_mul_pow10(&s, k);
	} else {
		bn_mul_pow10(&r, -k);
		bn_mul_pow10(&mp, -k);
		bn_mul_pow10(&mm, -k);
	}
	for (;;) {
		int c;

		bn_add(&t, &r, &mp);
		c = bn_cmp(&t, &s);
		if (even ? c < 0 : c <= 0)
			break;
		bn_mul_small(&s, 10);
		k++;
		if (s.over)
			break;
	}

	while (n < 17) {
		int d = 0, c;

		bn_mul_small(&r, 10);
		bn_mul_small(&mp, 10);
		bn_mul_small(&mm, 10);
		while (bn_cmp(&r, &s) >= 0) { /* 9 times at most */
			bn_sub(&r, &s);
			d++;
		}
		c = bn_cmp(&r, &mm);
		low = even ? c <= 0 : c < 0;
		bn_add(&t, &r, &mp);
		c = bn_cmp(&t, &s);
		high = even ? c >= 0 : c > 0;
		if (r.over || s.over || mp.over || mm.over || t.over || d > 9)
			return 0; /* cannot happen; see the bound above */
		if (low && high) {
			/* both prefixes read back as v: take the closer one */
			t = r;
			bn_shl(&t, 1);
			c = bn_cmp(&t, &s);
			if (c > 0 || (c == 0 && (d & 1)))
				d++;
		} else if (high) {
			d++;
		}
		digits[n++] = (char)('0' + d);
		if (low || high)
			break;
	}
	*exp10 = k;
	return n;
}

int vx_dtoa_json(u64 bits, char *buf)
{
	char dig[17];
	int nd, k, i, x, len = 0;

	if (((bits >> 52) & 0x7ff) == 0x7ff) {
		memcpy(buf, "null", 5);
		return 4;
	}
	if (bits >> 63)
		buf[len++] = '-';
	if (!(bits << 1)) {
		memcpy(buf + len, "0.0", 4);
		return len + 3;
	}
	nd = vx_dtoa_shortest(bits, dig, &k);
	if (!nd) { /* cannot happen; see the bound at the top */
		memcpy(buf, "null", 5);
		return 4;
	}
	if (k >= nd && k <= 21) {
		/* integral: digits, zeros, ".0" */
		memcpy(buf + len, dig, nd);
		len += nd;
		for (i = nd; i < k; i++)
			buf[len++] = '0';
		buf[len++] = '.';
		buf[len++] = '0';
	} else if (k > 0 && k < nd) {
		memcpy(buf + len, dig, k);
		len += k;
		buf[len++] = '.';
		memcpy(buf + len, dig + k, nd - k);
		len += nd - k;
	} else if (k > -6 && k <= 0) {
		buf[len++] = '0';
		buf[len++] = '.';
		for (i = k; i < 0; i++)
			buf[len++] = '0';
		memcpy(buf + len, dig, nd);
		len += nd;
	} else {
		buf[len++] = dig[0];
		if (nd > 1) {
			buf[len++] = '.';
			memcpy(buf + len, dig + 1, nd - 1);
			len += nd - 1;
		}
		buf[len++] = 'e';
		x = k - 1;
		buf[len++] = x < 0 ? '-' : '+';
		if (x < 0)
			x = -x;
		if (x >= 100)
			buf[len++] = (char)('0' + x / 100);
		if (x >= 10)
			buf[len++] = (char)('0' + x / 10 % 10);
		buf[len++] = (char)('0' + x % 10);
	}
	buf[len] = '\0';
	return len;
}
