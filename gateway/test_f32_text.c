// SPDX-License-Identifier: GPL-2.0
/*
 * f32_text.c: scores as the shortest decimal that reads back to the same
 * float, checked against a brute force over snprintf and strtod.
 *
 *	make -C gateway test
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "f32_text.h"
#include "vxtest.h"

/* The fewest significant digits that read back to @f, from glibc. */
static int brute_shortest(float f, char *out, size_t len)
{
	int p;

	for (p = 1; p <= 9; p++) {
		snprintf(out, len, "%.*e", p - 1, (double)f);
		if ((float)strtod(out, NULL) == f)
			return p;
	}
	return 0;
}

static int sig_digits(const char *s)
{
	int n = 0, lead = 1, zeros = 0;

	for (; *s && *s != 'e'; s++) {
		if (*s < '0' || *s > '9')
			continue;
		if (*s == '0' && lead)
			continue;
		lead = 0;
		/* Trailing zeros (as in "12.0") are not significant. */
		if (*s == '0') {
			zeros++;
			continue;
		}
		n += zeros + 1;
		zeros = 0;
	}
	return n;
}

static int check(float f)
{
	char ours[GW_F32_TEXT_MAX], want[64];
	size_t n = gw_f32_text(f, ours);
	int p;

	if (!n)
		return 0;
	if (strlen(ours) != n)
		VX_FAIL("%a: length %zu for \"%s\"", (double)f, n, ours);
	if ((float)strtod(ours, NULL) != f ||
	    !signbit(strtod(ours, NULL)) != !signbit(f))
		VX_FAIL("%a (%.9g): \"%s\" reads back as another float",
			(double)f, (double)f, ours);
	/* JSON: a real always has a point or an exponent. */
	if (!strchr(ours, '.') && !strchr(ours, 'e'))
		VX_FAIL("\"%s\" would read as an integer", ours);
	if (f == 0)
		return 1;
	p = brute_shortest(f, want, sizeof(want));
	if (sig_digits(ours) != p || strtod(ours, NULL) != strtod(want, NULL))
		VX_FAIL("%a: \"%s\", shortest is \"%s\"", (double)f, ours,
			want);
	return 1;
}

VX_TEST(known_values)
{
	static const struct {
		float f;
		const char *text;
	} cases[] = {
		{ 0.0f, "0.0" },
		{ -0.0f, "-0.0" },
		{ 1.0f, "1.0" },
		{ 0.5f, "0.5" },
		{ 0.1f, "0.1" },
		{ -0.6f, "-0.6" },
		{ 0.8765432f, "0.8765432" },
		{ 12.0f, "12.0" },
		{ 1e-7f, "1e-7" },
		{ 1.5e-5f, "0.000015" },
		{ 3e10f, "30000000000.0" },
		{ 1e20f, "1e20" },
		{ 16777216.0f, "16777216.0" },
	};
	char buf[GW_F32_TEXT_MAX];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!gw_f32_text(cases[i].f, buf) || strcmp(buf, cases[i].text))
			VX_FAIL("%.9g: \"%s\", want \"%s\"", (double)cases[i].f,
				buf, cases[i].text);
	}
	VX_ASSERT(!gw_f32_text(NAN, buf));
	VX_ASSERT(!gw_f32_text(INFINITY, buf));
}

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

VX_TEST(random_floats_match_the_brute_force)
{
	int i, done = 0, tries = 0, typical = 0;

	for (i = 0; i < 400000; i++) {
		uint32_t bits = next();
		float f;

		/* Any float from 1e-19 to 1e26, and scores in [-2, 2]. */
		memcpy(&f, &bits, sizeof(f));
		if (isfinite(f) && fabsf(f) > 1e-19f && fabsf(f) < 1e26f) {
			tries++;
			done += check(f);
		}
		f = (float)((int32_t)next() % 2000001) / 1000000.0f;
		typical += check(f);
	}
	/* Nothing in range is left to the caller. */
	VX_ASSERT_EQ(done, tries);
	VX_ASSERT_EQ(typical, 400000);
}

int main(void)
{
	return vx_run_tests();
}
