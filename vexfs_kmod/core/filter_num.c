// SPDX-License-Identifier: GPL-2.0
/*
 * Integer-only numerics of the filter: exact comparison of CBOR numbers
 * with doubles, fixed-point trigonometry and the geo tests, and the
 * RFC 3339 date-time reader shared with the gateway.
 */
#include "filter_internal.h"

typedef unsigned __int128 vx_u128;
typedef __int128 vx_s128;

/* Compare a magnitude m with |d| (bits without sign, not NaN). */
static int cmp_mag(vx_u128 m, u64 dabs)
{
	u32 e = (u32)(dabs >> 52);
	u64 f = dabs & ((1ull << 52) - 1);
	vx_u128 ip, mant;
	bool frac;
	int sh;

	if (e == 0x7ff)
		return -1; /* infinity */
	if (e == 0) /* zero or subnormal: |d| < 1 */
		return m ? 1 : (f ? -1 : 0);
	mant = f | (1ull << 52);
	sh = (int)e - 1075;
	if (sh >= 0) {
		if (sh > 70)
			return -1; /* |d| >= 2^122 > any m */
		ip = mant << sh;
		return m < ip ? -1 : m > ip;
	}
	if (-sh >= 64) {
		ip = 0;
		frac = true;
	} else {
		ip = mant >> -sh;
		frac = (mant & ((1ull << -sh) - 1)) != 0;
	}
	if (m != ip)
		return m < ip ? -1 : 1;
	return frac ? -1 : 0;
}

int vxf_cmp_num_f64(const struct vx_cbor_item *it, u64 bits)
{
	bool dneg = bits >> 63;
	u64 dabs = bits & ~(1ull << 63);
	u64 a, b;
	int c;

	if (!dabs)
		dneg = false; /* -0 */
	switch (it->type) {
	case VX_CBOR_FLOAT:
		if (vx_filter_f64_is_nan(it->val))
			return 2;
		a = vx_filter_f64_key(it->val);
		b = vx_filter_f64_key(bits);
		return a < b ? -1 : a > b;
	case VX_CBOR_UINT:
		if (dneg)
			return 1;
		return cmp_mag(it->val, dabs);
	case VX_CBOR_NINT:
		if (!dneg)
			return -1;
		c = cmp_mag((vx_u128)it->val + 1, dabs);
		return -c;
	default:
		return 2;
	}
}

s64 vxf_f64_to_q32(u64 bits)
{
	u32 e = (u32)(bits >> 52) & 0x7ff;
	u64 mant = (bits & ((1ull << 52) - 1)) | (1ull << 52);
	int sh = 1043 - (int)e; /* value * 2^32 = mant >> sh */
	s64 q;

	if (!e || sh >= 64)
		return 0;
	if (sh <= 0)
		q = (s64)(mant << min(-sh, 10)); /* callers keep |d| <= 180 */
	else
		q = (s64)(mant >> sh);
	return (bits >> 63) ? -q : q;
}

/* Fixed point with 40 fractional bits. */
#define Q40 (1ll << 40)

static s64 mul40(s64 a, s64 b)
{
	return (s64)(((vx_s128)a * b) >> 40);
}

/* sin and cos of x radians * 2^40, 0 <= x <= pi/4: Taylor to x^13. */
static void sincos_small(s64 x, s64 *s, s64 *c)
{
	s64 x2 = mul40(x, x), t;

	t = Q40 - mul40(x2, Q40 / 156);
	t = Q40 - mul40(x2, t) / 110;
	t = Q40 - mul40(x2, t) / 72;
	t = Q40 - mul40(x2, t) / 42;
	t = Q40 - mul40(x2, t) / 20;
	t = Q40 - mul40(x2, t) / 6;
	*s = mul40(x, t);
	t = Q40 - mul40(x2, Q40 / 182);
	t = Q40 - mul40(x2, t) / 132;
	t = Q40 - mul40(x2, t) / 90;
	t = Q40 - mul40(x2, t) / 56;
	t = Q40 - mul40(x2, t) / 30;
	t = Q40 - mul40(x2, t) / 12;
	*c = Q40 - mul40(x2, t) / 2;
}

/* round(pi / 180 * 2^62) */
#define RAD_PER_DEG_Q62 80489105089745808ull

void vxf_sincos_deg(s64 deg, s64 *s, s64 *c)
{
	bool sneg = deg < 0, cneg = false, swap = false;
	u64 a = sneg ? -(u64)deg : (u64)deg;
	s64 x, ss, cc;

	if (a > (90ull << 32)) {
		a = (180ull << 32) - a; /* sin(180-a) = sin a, cos = -cos */
		cneg = true;
	}
	if (a > (45ull << 32)) {
		a = (90ull << 32) - a; /* sin(90-a) = cos a */
		swap = true;
	}
	/* degrees * 2^32 -> radians * 2^40: * (pi/180 * 2^62) >> 54 */
	x = (s64)(((vx_u128)a * RAD_PER_DEG_Q62) >> 54);
	sincos_small(x, &ss, &cc);
	if (swap) {
		s64 t = ss;

		ss = cc;
		cc = t;
	}
	*s = sneg ? -ss : ss;
	*c = cneg ? -cc : cc;
}

void vxf_unit_vector(s64 lon, s64 lat, s64 v[3])
{
	s64 slo, clo, sla, cla;

	vxf_sincos_deg(lon, &slo, &clo);
	vxf_sincos_deg(lat, &sla, &cla);
	v[0] = mul40(cla, clo);
	v[1] = mul40(cla, slo);
	v[2] = sla;
}

void vx_filter_geo_unit(u64 lon_bits, u64 lat_bits, s64 v[3])
{
	vxf_unit_vector(vxf_f64_to_q32(lon_bits), vxf_f64_to_q32(lat_bits), v);
}

bool vxf_geo_in_radius(const struct vxf_geo *p, const s64 c[3], u64 chord2)
{
	vx_u128 d2 = 0;
	s64 b[3];

	if (chord2 == ~0ull)
		return true;
	vxf_unit_vector(p->lon, p->lat, b);
	for (int i = 0; i < 3; i++) {
		vx_s128 d = (vx_s128)c[i] - b[i];

		d2 += (vx_u128)(d * d); /* 2^80 scale */
	}
	return d2 < ((vx_u128)chord2 << 20);
}

/* Crossing number: a ray from p towards +lon; half-open in lat per edge. */
static bool in_ring(const struct vxf_geo *p, const u8 *pts, u32 n)
{
	bool in = false;

	for (u32 i = 0; i + 1 < n; i++) {
		s64 x1 = (s64)vxf_rd64(pts + 16 * i);
		s64 y1 = (s64)vxf_rd64(pts + 16 * i + 8);
		s64 x2 = (s64)vxf_rd64(pts + 16 * (i + 1));
		s64 y2 = (s64)vxf_rd64(pts + 16 * (i + 1) + 8);
		vx_s128 lhs, rhs;

		if ((y1 > p->lat) == (y2 > p->lat))
			continue;
		/* p.lon < x1 + (p.lat - y1) * (x2 - x1) / (y2 - y1) */
		lhs = (vx_s128)(p->lon - x1) * (y2 - y1);
		rhs = (vx_s128)(p->lat - y1) * (x2 - x1);
		if (y2 > y1 ? lhs < rhs : lhs > rhs)
			in = !in;
	}
	return in;
}

bool vxf_geo_in_polygon(const struct vxf_geo *p, const u8 *rings)
{
	u32 nr = vxf_rd32(rings);
	const u8 *r = rings + 4;

	for (u32 i = 0; i < nr; i++) {
		u32 n = vxf_rd32(r);
		bool in = in_ring(p, r + 4, n);

		if (i == 0 && !in)
			return false; /* outside the exterior */
		if (i > 0 && in)
			return false; /* in a hole */
		r += 4 + 16 * n;
	}
	return true;
}

/* --- date-time --------------------------------------------------------- */

static bool digits(const char *s, size_t len, size_t *i, int n, int *out)
{
	int v = 0;

	for (int k = 0; k < n; k++, (*i)++) {
		if (*i >= len || s[*i] < '0' || s[*i] > '9')
			return false;
		v = v * 10 + (s[*i] - '0');
	}
	*out = v;
	return true;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static s64 days_from_civil(s64 y, int m, int d)
{
	s64 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
	static const u8 md[12] = { 31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31 };

	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 29;
	return md[m - 1];
}

int vx_filter_parse_datetime(const char *s, size_t len, s64 *us)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0;
	s64 frac = 0, t;
	size_t i = 0;
	int sign = 0;

	if (!digits(s, len, &i, 4, &y) || i >= len || s[i++] != '-' ||
	    !digits(s, len, &i, 2, &mo) || i >= len || s[i++] != '-' ||
	    !digits(s, len, &i, 2, &d))
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo))
		return -EINVAL;
	if (i < len && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
		i++;
		if (!digits(s, len, &i, 2, &h) || i >= len || s[i++] != ':' ||
		    !digits(s, len, &i, 2, &mi))
			return -EINVAL;
		if (i < len && s[i] == ':') {
			i++;
			if (!digits(s, len, &i, 2, &sec))
				return -EINVAL;
			if (i < len && s[i] == '.') {
				int nd = 0;

				for (i++; i < len && s[i] >= '0' && s[i] <= '9';
				     i++, nd++)
					if (nd < 6)
						frac = frac * 10 + (s[i] - '0');
				if (!nd)
					return -EINVAL;
				for (; nd < 6; nd++)
					frac *= 10;
			}
		}
		if (h > 23 || mi > 59 || sec > 59)
			return -EINVAL;
		if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
			i++;
		} else if (i < len && (s[i] == '+' || s[i] == '-')) {
			sign = s[i++] == '-' ? -1 : 1;
			if (!digits(s, len, &i, 2, &oh))
				return -EINVAL;
			if (i < len && s[i] == ':')
				i++;
			if (i < len && !digits(s, len, &i, 2, &om))
				return -EINVAL;
			if (oh > 23 || om > 59)
				return -EINVAL;
		}
	}
	if (i != len)
		return -EINVAL;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	t -= (s64)sign * (oh * 3600 + om * 60);
	*us = t * 1000000 + frac;
	return 0;
}
