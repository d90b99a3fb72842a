// SPDX-License-Identifier: GPL-2.0
/*
 * A CBOR payload as JSON text, for points/<id> and anything else that shows
 * payloads (see vx_cbor_to_json() in cbor.h).
 *
 * The renderer trusts nothing: it runs on payloads read back from disk, so
 * it re-checks what it relies on (bounds, the subset, UTF-8, depth) and
 * fails with -EINVAL rather than print something that is not JSON. It does
 * not look for duplicate keys (that needs memory; the validator did it when
 * the payload came in), so a corrupt payload can show one key twice.
 */
#include "shim.h"
#include "cbor.h"
#include "dtoa.h"

struct jout {
	char *buf;
	size_t size; /* bytes buf can take, the NUL included */
	size_t len; /* bytes the whole text needs, the NUL excluded */
};

static void put(struct jout *o, const char *s, size_t n)
{
	if (o->len < o->size) {
		size_t room = o->size - o->len;

		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void putc_(struct jout *o, char ch)
{
	put(o, &ch, 1);
}

static void put_u64(struct jout *o, u64 v)
{
	char tmp[20];
	int i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(o, tmp + i, sizeof(tmp) - i);
}

/* -1 - v, which reaches -2^64 */
static void put_neg(struct jout *o, u64 v)
{
	putc_(o, '-');
	if (v == ~0ull)
		put(o, "18446744073709551616", 20);
	else
		put_u64(o, v + 1);
}

static bool plain(u8 b)
{
	return b >= 0x20 && b < 0x80 && b != '"' && b != '\\';
}

/*
 * RFC 8259 section 7: '"', '\\' and U+0000..U+001F must be escaped; the rest
 * of valid UTF-8 may stand as it is. Invalid UTF-8 fails the rendering.
 */
static int put_string(struct jout *o, const u8 *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, run;

	putc_(o, '"');
	while (i < n) {
		u8 b = s[i];

		/* copy runs of printable ASCII at once */
		for (run = i; run < n && plain(s[run]); run++)
			;
		if (run > i) {
			put(o, (const char *)s + i, run - i);
			i = run;
			continue;
		}
		if (b < 0x20 || b == '"' || b == '\\') {
			char esc[6] = { '\\', 0 };
			size_t len = 2;

			switch (b) {
			case '"':
				esc[1] = '"';
				break;
			case '\\':
				esc[1] = '\\';
				break;
			case '\b':
				esc[1] = 'b';
				break;
			case '\f':
				esc[1] = 'f';
				break;
			case '\n':
				esc[1] = 'n';
				break;
			case '\r':
				esc[1] = 'r';
				break;
			case '\t':
				esc[1] = 't';
				break;
			default:
				memcpy(esc + 1, "u00", 3);
				esc[4] = hex[b >> 4];
				esc[5] = hex[b & 15];
				len = 6;
				break;
			}
			put(o, esc, len);
			i++;
			continue;
		}
		/* a multi-byte sequence, checked as in the validator */
		{
			u8 lo = 0x80, hi = 0xbf;
			size_t more, j;

			if (b < 0xc2 || b > 0xf4)
				return -EINVAL;
			more = b < 0xe0 ? 1 : b < 0xf0 ? 2 : 3;
			if (b == 0xe0)
				lo = 0xa0;
			else if (b == 0xed)
				hi = 0x9f;
			else if (b == 0xf0)
				lo = 0x90;
			else if (b == 0xf4)
				hi = 0x8f;
			if (n - i - 1 < more || s[i + 1] < lo || s[i + 1] > hi)
				return -EINVAL;
			for (j = 2; j <= more; j++)
				if ((s[i + j] & 0xc0) != 0x80)
					return -EINVAL;
			put(o, (const char *)s + i, more + 1);
			i += more + 1;
		}
	}
	putc_(o, '"');
	return 0;
}

struct jframe {
	u32 left; /* items still to print: 2 per pair in a map */
	u32 total;
	bool map;
};

static int open_container(struct jout *o, struct jframe *st, int *depth,
			  const struct vx_cbor_item *it)
{
	struct jframe *f = &st[*depth];

	if (*depth == VX_CBOR_MAX_DEPTH)
		return -EINVAL;
	f->map = it->type == VX_CBOR_MAP;
	/* counts are bounded by len (vx_cbor_next), len by 1 MiB */
	f->left = f->map ? 2 * it->val : it->val;
	f->total = f->left;
	(*depth)++;
	putc_(o, f->map ? '{' : '[');
	return 0;
}

static int put_item(struct jout *o, const struct vx_cbor_item *it)
{
	char num[VX_DTOA_BUFSZ];

	switch (it->type) {
	case VX_CBOR_UINT:
		put_u64(o, it->val);
		break;
	case VX_CBOR_NINT:
		put_neg(o, it->val);
		break;
	case VX_CBOR_TEXT:
		return put_string(o, it->str, it->val);
	case VX_CBOR_FLOAT:
		put(o, num, vx_dtoa_json(it->val, num));
		break;
	case VX_CBOR_FALSE:
		put(o, "false", 5);
		break;
	case VX_CBOR_TRUE:
		put(o, "true", 4);
		break;
	default: /* VX_CBOR_NULL; containers are opened by the caller */
		put(o, "null", 4);
		break;
	}
	return 0;
}

static int render(struct jout *o, const u8 *buf, size_t len)
{
	struct jframe st[VX_CBOR_MAX_DEPTH];
	struct vx_cbor_cur c;
	struct vx_cbor_item it;
	int depth = 0, err;
	u32 items = 0;

	if (!len || len > VEXFS_PAYLOAD_MAX)
		return -EINVAL;
	vx_cbor_cur_init(&c, buf, len);
	if (vx_cbor_next(&c, &it) || it.type != VX_CBOR_MAP)
		return -EINVAL;
	open_container(o, st, &depth, &it);

	while (depth) {
		struct jframe *f = &st[depth - 1];
		bool key = f->map && !(f->left & 1);

		if (!f->left) {
			putc_(o, f->map ? '}' : ']');
			depth--;
			continue;
		}
		if (f->left != f->total)
			putc_(o, !f->map || key ? ',' : ':');
		f->left--;
		/* 1 MiB of floats takes a quarter of a second to print */
		if (!(++items % 4096))
			vx_cond_resched();
		err = vx_cbor_next(&c, &it);
		if (err)
			return err;
		if (key && it.type != VX_CBOR_TEXT)
			return -EINVAL;
		if (it.type == VX_CBOR_ARRAY || it.type == VX_CBOR_MAP)
			err = open_container(o, st, &depth, &it);
		else
			err = put_item(o, &it);
		if (err)
			return err;
	}
	return c.p == c.end ? 0 : -EINVAL;
}

ssize_t vx_cbor_to_json(const u8 *buf, size_t len, char *out, size_t size)
{
	struct jout o = { .buf = out, .size = size ? size - 1 : 0 };
	int err = render(&o, buf, len);

	if (size)
		out[err ? 0 : min(o.len, o.size)] = '\0';
	return err ? err : (ssize_t)o.len;
}
