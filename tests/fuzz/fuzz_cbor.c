// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: CBOR payloads as a native program or a corrupt disk
 * could hand them to the kernel. On arbitrary bytes:
 *   - the validator, the JSON renderer, the cursor and key paths do not
 *     crash or read out of bounds;
 *   - whatever the validator accepts, the renderer renders;
 *   - whatever the renderer renders is JSON (RFC 8259, checked below), has
 *     no NUL in it, has the length it reported, and a smaller buffer gets a
 *     NUL-terminated prefix of it;
 *   - the first 8 bytes, read as a double, print as a JSON number that
 *     strtod reads back to the same bits (null for NaN and infinities).
 * The differential half (jansson reads the rendering as the gateway's
 * decoder builds it) is in gateway/test_json_cbor.c: core targets do not
 * link jansson.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbor.h"
#include "dtoa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- a strict JSON checker (RFC 8259), iterative ------------------------ */

struct jc {
	const char *p, *end;
};

static void ws(struct jc *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int number(struct jc *j)
{
	const char *s = j->p;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end)
		return -1;
	if (*j->p == '0') {
		j->p++;
	} else if (*j->p >= '1' && *j->p <= '9') {
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	} else {
		return -1;
	}
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return -1;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return -1;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return j->p > s ? 0 : -1;
}

/* strings: escapes as RFC 8259 lists them; raw bytes must be UTF-8 */
static int string(struct jc *j)
{
	if (j->p >= j->end || *j->p != '"')
		return -1;
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		unsigned char b = (unsigned char)*j->p;

		if (b < 0x20)
			return -1;
		if (b == '\\') {
			j->p++;
			if (j->p >= j->end)
				return -1;
			if (*j->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (j->p + i >= j->end ||
					    !strchr("0123456789abcdefABCDEF",
						    j->p[i]) ||
					    !j->p[i])
						return -1;
				j->p += 5;
			} else if (strchr("\"\\/bfnrt", *j->p) && *j->p) {
				j->p++;
			} else {
				return -1;
			}
			continue;
		}
		if (b < 0x80) {
			j->p++;
			continue;
		}
		/* UTF-8, the same rules as the validator's */
		{
			int more = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : 1;
			unsigned char lo = 0x80, hi = 0xbf, c;

			if (b < 0xc2 || b > 0xf4)
				return -1;
			if (b == 0xe0)
				lo = 0xa0;
			if (b == 0xed)
				hi = 0x9f;
			if (b == 0xf0)
				lo = 0x90;
			if (b == 0xf4)
				hi = 0x8f;
			if (j->end - j->p <= more)
				return -1;
			c = (unsigned char)j->p[1];
			if (c < lo || c > hi)
				return -1;
			for (int i = 2; i <= more; i++)
				if (((unsigned char)j->p[i] & 0xc0) != 0x80)
					return -1;
			j->p += more + 1;
		}
	}
	if (j->p >= j->end)
		return -1;
	j->p++;
	return 0;
}

static int json_valid(const char *s, size_t n)
{
	char stack[64]; /* the renderer nests 32 deep at most */
	int depth = 0;
	struct jc j = { s, s + n };

	for (;;) {
		/* a value */
		ws(&j);
		if (j.p >= j.end)
			return 0;
		if (*j.p == '{' || *j.p == '[') {
			if (depth == (int)sizeof(stack))
				return 0;
			stack[depth++] = *j.p == '{' ? '}' : ']';
			j.p++;
			ws(&j);
			if (j.p < j.end && *j.p == stack[depth - 1]) {
				j.p++;
				depth--;
				goto after_value;
			}
			if (stack[depth - 1] == '}') {
				if (string(&j))
					return 0;
				ws(&j);
				if (j.p >= j.end || *j.p++ != ':')
					return 0;
			}
			continue;
		} else if (*j.p == '"') {
			if (string(&j))
				return 0;
		} else if (!strncmp(j.p, "true", 4) && j.end - j.p >= 4) {
			j.p += 4;
		} else if (!strncmp(j.p, "false", 5) && j.end - j.p >= 5) {
			j.p += 5;
		} else if (!strncmp(j.p, "null", 4) && j.end - j.p >= 4) {
			j.p += 4;
		} else if (number(&j)) {
			return 0;
		}
after_value:
		for (;;) {
			ws(&j);
			if (!depth)
				return j.p == j.end;
			if (j.p >= j.end)
				return 0;
			if (*j.p == ',') {
				j.p++;
				if (stack[depth - 1] == '}') {
					ws(&j);
					if (string(&j))
						return 0;
					ws(&j);
					if (j.p >= j.end || *j.p++ != ':')
						return 0;
				}
				break; /* next value */
			}
			if (*j.p != stack[depth - 1])
				return 0;
			j.p++;
			depth--;
		}
	}
}

/* ---- key paths ---------------------------------------------------------- */

struct span {
	const uint8_t *lo, *hi;
	int n;
};

static int visit(void *arg, const struct vx_cbor_item *it,
		 struct vx_cbor_cur *c)
{
	struct span *s = arg;

	if (it->head < s->lo || it->head >= s->hi || c->p > s->hi)
		__builtin_trap();
	if (it->type == VX_CBOR_TEXT &&
	    (it->str < s->lo || it->str + it->val > s->hi))
		__builtin_trap();
	vx_cbor_skip_contents(c, it);
	if (c->p > s->hi)
		__builtin_trap();
	return ++s->n > 1000 ? 1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {
		"a",	"a.b", "a[]", "a[0]",	"a[].b",      "a[][]",
		"\"\"", "k",   "k[]", "k[1].k", "aa[].a[].a",
	};
	static char small[64];
	const char *why = NULL;
	ssize_t need, again;
	char *out;
	int valid;

	/* a private copy, so any read past size is caught by ASan */
	uint8_t *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);

	valid = vx_cbor_validate(buf, size, &why) == 0;
	if (!valid && !why)
		__builtin_trap(); /* every refusal says why */

	need = vx_cbor_to_json(buf, size, NULL, 0);
	if (valid && need < 0)
		__builtin_trap(); /* accepted but cannot be shown */
	if (need >= 0) {
		out = malloc((size_t)need + 1);
		if (!out)
			goto paths;
		again = vx_cbor_to_json(buf, size, out, (size_t)need + 1);
		if (again != need || strlen(out) != (size_t)need ||
		    !json_valid(out, (size_t)need))
			__builtin_trap();
		/* a short buffer gets a NUL-terminated prefix */
		memset(small, 0x55, sizeof(small));
		if (vx_cbor_to_json(buf, size, small, sizeof(small)) != need ||
		    strncmp(small, out, sizeof(small) - 1) ||
		    strlen(small) != ((size_t)need < sizeof(small) - 1 ?
					      (size_t)need :
					      sizeof(small) - 1))
			__builtin_trap();
		free(out);
	}

paths:
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct span s = { buf, buf + size, 0 };

		vx_cbor_path_visit(buf, size, paths[i], strlen(paths[i]), visit,
				   &s);
	}
	{
		struct vx_cbor_cur c;

		vx_cbor_cur_init(&c, buf, size);
		while (!vx_cbor_cur_done(&c) && !vx_cbor_skip(&c))
			;
		if (c.p > buf + size)
			__builtin_trap();
	}

	if (size >= 8) {
		char num[VX_DTOA_BUFSZ];
		uint64_t bits, back;
		double d;
		int len;

		memcpy(&bits, buf, 8);
		len = vx_dtoa_json(bits, num);
		if (len <= 0 || len >= VX_DTOA_BUFSZ ||
		    strlen(num) != (size_t)len)
			__builtin_trap();
		if (((bits >> 52) & 0x7ff) == 0x7ff) {
			if (strcmp(num, "null"))
				__builtin_trap();
		} else {
			struct jc j = { num, num + len };

			if (number(&j) || j.p != num + len)
				__builtin_trap();
			d = strtod(num, NULL);
			memcpy(&back, &d, 8);
			if (back != bits)
				__builtin_trap();
		}
	}
	free(buf);
	return 0;
}
