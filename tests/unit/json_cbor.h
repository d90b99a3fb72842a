/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tests' shorthand for CBOR payloads: a small JSON subset (objects, arrays,
 * strings without escapes, integers, true, false, null) encoded as the
 * shortest-form CBOR VexFS stores. Returns the length, or 0 on a syntax
 * error or when @cap is too small.
 */
#ifndef VEXFS_TEST_JSON_CBOR_H
#define VEXFS_TEST_JSON_CBOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct jc {
	const char *s;
	uint8_t *out;
	size_t n, cap;
	int bad;
};

static void jc_byte(struct jc *j, uint8_t b)
{
	if (j->n < j->cap)
		j->out[j->n] = b;
	else
		j->bad = 1;
	j->n++;
}

static void jc_head(struct jc *j, uint8_t major, uint64_t v)
{
	int n = v < 24		 ? 0 :
		v <= 0xff	 ? 1 :
		v <= 0xffff	 ? 2 :
		v <= 0xffffffffu ? 4 :
				   8;

	jc_byte(j, (uint8_t)(major << 5 | (n == 0 ? v :
					   n == 1 ? 24 :
					   n == 2 ? 25 :
					   n == 4 ? 26 :
						    27)));
	for (int i = n - 1; i >= 0; i--)
		jc_byte(j, (uint8_t)(v >> (8 * i)));
}

static void jc_ws(struct jc *j)
{
	while (*j->s == ' ')
		j->s++;
}

/* Patch a container head written as a 1-byte placeholder: not needed, we count first. */
static size_t jc_count(const char *s)
{
	int depth = 0, instr = 0;
	size_t n = 0;

	if (s[1] == ']' || s[1] == '}')
		return 0;
	for (s++; *s; s++) {
		if (instr) {
			instr = *s != '"';
			continue;
		}
		if (*s == '"')
			instr = 1;
		else if (*s == '[' || *s == '{')
			depth++;
		else if ((*s == ']' || *s == '}') && depth-- == 0)
			return n + 1;
		else if (*s == ',' && depth == 0)
			n++;
	}
	return 0;
}

static void jc_value(struct jc *j)
{
	jc_ws(j);
	if (*j->s == '{' || *j->s == '[') {
		int map = *j->s == '{';
		size_t n = jc_count(j->s);

		jc_head(j, map ? 5 : 4, n);
		j->s++;
		for (size_t i = 0; i < n && !j->bad; i++) {
			jc_value(j);
			jc_ws(j);
			if (map) {
				if (*j->s++ != ':')
					j->bad = 1;
				jc_value(j);
				jc_ws(j);
			}
			if (i + 1 < n && *j->s++ != ',')
				j->bad = 1;
		}
		jc_ws(j);
		if (*j->s++ != (map ? '}' : ']'))
			j->bad = 1;
	} else if (*j->s == '"') {
		const char *e = strchr(j->s + 1, '"');

		if (!e) {
			j->bad = 1;
			return;
		}
		jc_head(j, 3, (uint64_t)(e - j->s - 1));
		for (const char *p = j->s + 1; p < e; p++)
			jc_byte(j, (uint8_t)*p);
		j->s = e + 1;
	} else if (!strncmp(j->s, "true", 4)) {
		jc_byte(j, 0xf5);
		j->s += 4;
	} else if (!strncmp(j->s, "false", 5)) {
		jc_byte(j, 0xf4);
		j->s += 5;
	} else if (!strncmp(j->s, "null", 4)) {
		jc_byte(j, 0xf6);
		j->s += 4;
	} else if (*j->s == '-' || (*j->s >= '0' && *j->s <= '9')) {
		int neg = *j->s == '-';
		uint64_t v = 0;

		j->s += neg;
		while (*j->s >= '0' && *j->s <= '9')
			v = v * 10 + (uint64_t)(*j->s++ - '0');
		jc_head(j, neg ? 1 : 0, neg ? v - 1 : v);
	} else {
		j->bad = 1;
	}
}

static inline size_t json_cbor(const char *json, uint8_t *out, size_t cap)
{
	struct jc j = { .s = json, .out = out, .cap = cap };

	jc_value(&j);
	jc_ws(&j);
	return j.bad || *j.s ? 0 : j.n;
}

#endif /* VEXFS_TEST_JSON_CBOR_H */
