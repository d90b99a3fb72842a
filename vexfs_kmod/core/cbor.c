// SPDX-License-Identifier: GPL-2.0
/*
 * CBOR payloads: the validator, the cursor and key paths (see cbor.h).
 *
 * Everything here is iterative with explicit stacks of VX_CBOR_MAX_DEPTH
 * entries, so a hostile payload cannot grow the kernel stack, and every
 * count is checked against the bytes that remain before it is trusted, so
 * none can make a loop run longer than the buffer is long.
 */
#include "shim.h"
#include "cbor.h"
#include "dtoa.h"

#ifndef U32_MAX
#define U32_MAX ((u32)~0U)
#endif

enum {
	MT_UINT = 0,
	MT_NINT = 1,
	MT_BYTES = 2,
	MT_TEXT = 3,
	MT_ARRAY = 4,
	MT_MAP = 5,
	MT_TAG = 6,
	MT_SIMPLE = 7,
};

static int fail(struct vx_cbor_cur *c, const char *why)
{
	c->why = why;
	return -EINVAL;
}

/* IEEE 754 binary16 and binary32 widened to binary64 bits, exactly. */
static u64 half_to_double(u16 h)
{
	u64 sign = (u64)(h >> 15) << 63;
	u32 exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
	int e;

	if (exp == 0x1f) /* infinity or NaN, payload kept */
		return sign | 0x7ff0000000000000ull | ((u64)mant << 42);
	if (exp == 0) {
		if (!mant)
			return sign;
		/* subnormal: mant * 2^-24; normalise so bit 10 is the leading 1 */
		e = -14;
		while (!(mant & 0x400)) {
			mant <<= 1;
			e--;
		}
		mant &= 0x3ff;
		return sign | ((u64)(e + 1023) << 52) | ((u64)mant << 42);
	}
	return sign | ((u64)(exp - 15 + 1023) << 52) | ((u64)mant << 42);
}

u64 vx_f32_bits_to_f64_bits(u32 f)
{
	u64 sign = (u64)(f >> 31) << 63;
	u32 exp = (f >> 23) & 0xff, mant = f & 0x7fffff;
	int e;

	if (exp == 0xff)
		return sign | 0x7ff0000000000000ull | ((u64)mant << 29);
	if (exp == 0) {
		if (!mant)
			return sign;
		e = -126;
		while (!(mant & 0x800000)) {
			mant <<= 1;
			e--;
		}
		mant &= 0x7fffff;
		return sign | ((u64)(e + 1023) << 52) | ((u64)mant << 29);
	}
	return sign | ((u64)(exp - 127 + 1023) << 52) | ((u64)mant << 29);
}

int vx_cbor_next(struct vx_cbor_cur *c, struct vx_cbor_item *it)
{
	const u8 *p = c->p;
	size_t left;
	unsigned int major, ai, n, i;
	u64 v;

	if (p >= c->end)
		return fail(c, "truncated");
	major = *p >> 5;
	ai = *p & 31;
	p++;
	if (ai < 24) {
		n = 0;
		v = ai;
	} else if (ai <= 27) {
		n = 1u << (ai - 24);
		if ((size_t)(c->end - p) < n)
			return fail(c, "truncated");
		v = 0;
		for (i = 0; i < n; i++)
			v = v << 8 | p[i];
		p += n;
	} else if (ai == 31) {
		return fail(c, "indefinite length");
	} else {
		return fail(c, "reserved additional information");
	}
	left = c->end - p;
	it->head = c->p;
	it->str = NULL;
	it->width = 0;
	it->val = v;

	if (major != MT_SIMPLE && n &&
	    v < (n == 1 ? 24 :
		 n == 2 ? 0x100 :
		 n == 4 ? 0x10000 :
			  0x100000000ull))
		return fail(c, "integer or length not in shortest form");

	switch (major) {
	case MT_UINT:
		it->type = VX_CBOR_UINT;
		break;
	case MT_NINT:
		it->type = VX_CBOR_NINT;
		break;
	case MT_BYTES:
		return fail(c, "byte string");
	case MT_TEXT:
		if (v > left)
			return fail(c, "truncated");
		it->type = VX_CBOR_TEXT;
		it->str = p;
		p += v;
		break;
	case MT_ARRAY:
		/* every item takes a byte at least */
		if (v > left)
			return fail(c, "truncated");
		it->type = VX_CBOR_ARRAY;
		break;
	case MT_MAP:
		if (v > left / 2)
			return fail(c, "truncated");
		it->type = VX_CBOR_MAP;
		break;
	case MT_TAG:
		return fail(c, "tag");
	default: /* MT_SIMPLE */
		switch (ai) {
		case 20:
			it->type = VX_CBOR_FALSE;
			break;
		case 21:
			it->type = VX_CBOR_TRUE;
			break;
		case 22:
			it->type = VX_CBOR_NULL;
			break;
		case 25:
			it->type = VX_CBOR_FLOAT;
			it->width = 2;
			it->val = half_to_double((u16)v);
			break;
		case 26:
			it->type = VX_CBOR_FLOAT;
			it->width = 4;
			it->val = vx_f32_bits_to_f64_bits((u32)v);
			break;
		case 27:
			it->type = VX_CBOR_FLOAT;
			it->width = 8;
			break;
		case 23:
			return fail(c, "undefined");
		default:
			return fail(c, "simple value not false, true, null");
		}
		break;
	}
	c->p = p;
	return 0;
}

/* Step over n more items; containers add their children to the count. */
static int skip_items(struct vx_cbor_cur *c, u64 n)
{
	struct vx_cbor_item it;
	int err;

	while (n) {
		/* each pending item needs a byte: bounds the count, too */
		if (n > (u64)(c->end - c->p))
			return fail(c, "truncated");
		err = vx_cbor_next(c, &it);
		if (err)
			return err;
		n--;
		if (it.type == VX_CBOR_ARRAY)
			n += it.val;
		else if (it.type == VX_CBOR_MAP)
			n += 2 * it.val;
	}
	return 0;
}

int vx_cbor_skip(struct vx_cbor_cur *c)
{
	return skip_items(c, 1);
}

int vx_cbor_skip_contents(struct vx_cbor_cur *c, const struct vx_cbor_item *it)
{
	if (it->type == VX_CBOR_ARRAY)
		return skip_items(c, it->val);
	if (it->type == VX_CBOR_MAP)
		return skip_items(c, 2 * it->val);
	return 0;
}

int vx_cbor_map_find(struct vx_cbor_cur *c, u64 npairs, const void *key,
		     size_t keylen)
{
	struct vx_cbor_item k;
	int err;

	while (npairs--) {
		err = vx_cbor_next(c, &k);
		if (err)
			return err;
		if (k.type != VX_CBOR_TEXT)
			return fail(c, "map key is not a text string");
		if (k.val == keylen && !memcmp(k.str, key, keylen))
			return 1;
		err = vx_cbor_skip(c);
		if (err)
			return err;
	}
	return 0;
}

/* RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF. */
static bool utf8_valid(const u8 *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		u8 b = s[i], lo = 0x80, hi = 0xbf;
		unsigned int more;

		if (b < 0x80) {
			i++;
			continue;
		}
		if (b < 0xc2) /* continuation byte, or overlong C0/C1 */
			return false;
		if (b < 0xe0) {
			more = 1;
		} else if (b < 0xf0) {
			more = 2;
			if (b == 0xe0)
				lo = 0xa0; /* overlong */
			else if (b == 0xed)
				hi = 0x9f; /* U+D800..U+DFFF */
		} else if (b < 0xf5) {
			more = 3;
			if (b == 0xf0)
				lo = 0x90; /* overlong */
			else if (b == 0xf4)
				hi = 0x8f; /* above U+10FFFF */
		} else {
			return false;
		}
		if (n - i - 1 < more)
			return false;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (unsigned int j = 2; j <= more; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		i += more + 1;
	}
	return true;
}

/*
 * Duplicate keys. Keys of the maps being validated are kept on one stack
 * (a map's keys are popped when it ends, after its nested maps' keys were):
 * small maps compare pairwise, larger ones sort their slice of the stack.
 */
struct vx_key {
	const u8 *s;
	size_t len;
};

#define KEYS_ON_STACK 16
#define PAIRWISE_MAX 8

static int key_cmp(const void *a, const void *b)
{
	const struct vx_key *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->s, y->s, x->len);
}

static bool has_duplicates(struct vx_key *k, size_t n)
{
	size_t i, j;

	if (n <= PAIRWISE_MAX) {
		for (i = 1; i < n; i++)
			for (j = 0; j < i; j++)
				if (!key_cmp(&k[i], &k[j]))
					return true;
		return false;
	}
	vx_sort(k, n, sizeof(*k), key_cmp);
	for (i = 1; i < n; i++)
		if (!key_cmp(&k[i], &k[i - 1]))
			return true;
	return false;
}

struct keystack {
	struct vx_key *k;
	size_t n, cap;
	struct vx_key local[KEYS_ON_STACK];
};

static int keys_push(struct keystack *ks, const u8 *s, size_t len)
{
	if (ks->n == ks->cap) {
		struct vx_key *bigger;

		bigger = vx_alloc_array(ks->cap * 2, sizeof(*bigger));
		if (!bigger)
			return -ENOMEM;
		memcpy(bigger, ks->k, ks->n * sizeof(*bigger));
		if (ks->k != ks->local)
			vx_free(ks->k);
		ks->k = bigger;
		ks->cap *= 2;
	}
	ks->k[ks->n].s = s;
	ks->k[ks->n].len = len;
	ks->n++;
	return 0;
}

int vx_cbor_validate(const u8 *buf, size_t len, const char **why)
{
	struct {
		u32 left; /* items still to read: 2 per pair in a map */
		u32 keys; /* where this map's keys start on the key stack */
		bool map;
	} st[VX_CBOR_MAX_DEPTH];
	struct keystack ks;
	struct vx_cbor_cur c;
	struct vx_cbor_item it;
	int depth = 0, err;

	ks.k = ks.local;
	ks.n = 0;
	ks.cap = KEYS_ON_STACK;
	vx_cbor_cur_init(&c, buf, len);
	if (!len) {
		err = fail(&c, "empty payload");
		goto out;
	}
	if (len > VEXFS_PAYLOAD_MAX) {
		err = fail(&c, "payload larger than VEXFS_PAYLOAD_MAX");
		goto out;
	}
	err = vx_cbor_next(&c, &it);
	if (err)
		goto out;
	if (it.type != VX_CBOR_MAP) {
		err = fail(&c, "payload is not a map");
		goto out;
	}
	/* counts are bounded by len (vx_cbor_next), len by 1 MiB: u32 holds 2n */
	st[0].left = 2 * it.val;
	st[0].keys = 0;
	st[0].map = true;
	depth = 1;

	while (depth) {
		bool is_key;

		if (!st[depth - 1].left) {
			if (st[depth - 1].map) {
				size_t base = st[depth - 1].keys;

				if (has_duplicates(ks.k + base, ks.n - base)) {
					err = fail(&c, "duplicate map key");
					goto out;
				}
				ks.n = base;
			}
			depth--;
			continue;
		}
		is_key = st[depth - 1].map && !(st[depth - 1].left & 1);
		st[depth - 1].left--;
		err = vx_cbor_next(&c, &it);
		if (err)
			goto out;
		if (is_key) {
			if (it.type != VX_CBOR_TEXT) {
				err = fail(&c, "map key is not a text string");
				goto out;
			}
			err = keys_push(&ks, it.str, it.val);
			if (err)
				goto out;
		}
		switch (it.type) {
		case VX_CBOR_TEXT:
			if (!utf8_valid(it.str, it.val)) {
				c.p = it.head;
				err = fail(&c,
					   "text string is not valid UTF-8");
				goto out;
			}
			break;
		case VX_CBOR_ARRAY:
		case VX_CBOR_MAP:
			if (depth == VX_CBOR_MAX_DEPTH) {
				c.p = it.head;
				err = fail(&c, "nested deeper than 32");
				goto out;
			}
			st[depth].map = it.type == VX_CBOR_MAP;
			st[depth].left = st[depth].map ? 2 * it.val : it.val;
			st[depth].keys = ks.n;
			depth++;
			break;
		default:
			break;
		}
	}
	if (c.p != c.end)
		err = fail(&c, "bytes after the payload");
out:
	if (ks.k != ks.local)
		vx_free(ks.k);
	if (err && why)
		*why = err == -ENOMEM ? "out of memory" : c.why;
	return err;
}

/*
 * Key paths. A step is parsed from the path text each time it is needed,
 * so the walk keeps only an offset into the path per open wildcard.
 */
enum step_kind {
	STEP_KEY,
	STEP_INDEX,
	STEP_ALL,
};

struct step {
	enum step_kind kind;
	const char *key;
	size_t keylen;
	u64 index;
};

static bool raw_key_byte(char ch)
{
	return ch != '.' && ch != '[' && ch != ']' && ch != '"';
}

/*
 * Parse the step at path[*pos] (first: the leading key, no dot) and move
 * *pos past it. Returns 0 or -EINVAL.
 */
static int parse_step(const char *path, size_t len, size_t *pos, bool first,
		      struct step *s)
{
	size_t i = *pos;

	if (i < len && path[i] == '[') {
		u64 idx = 0;
		size_t d = 0;

		if (first)
			return -EINVAL;
		for (i++; i < len && path[i] >= '0' && path[i] <= '9';
		     i++, d++) {
			idx = idx * 10 + (u64)(path[i] - '0');
			if (idx > U32_MAX)
				return -EINVAL;
		}
		if (i >= len || path[i] != ']')
			return -EINVAL;
		s->kind = d ? STEP_INDEX : STEP_ALL;
		s->index = idx;
		*pos = i + 1;
		return 0;
	}
	if (!first) {
		if (i >= len || path[i] != '.')
			return -EINVAL;
		i++;
	}
	s->kind = STEP_KEY;
	if (i < len && path[i] == '"') {
		size_t start = ++i;

		while (i < len && path[i] != '"')
			i++;
		if (i >= len || i == start)
			return -EINVAL;
		s->key = path + start;
		s->keylen = i - start;
		*pos = i + 1;
		return 0;
	}
	s->key = path + i;
	while (i < len && raw_key_byte(path[i]))
		i++;
	s->keylen = path + i - s->key;
	if (!s->keylen)
		return -EINVAL;
	*pos = i;
	return 0;
}

int vx_cbor_path_check(const char *path, size_t len)
{
	struct step s;
	size_t pos = 0;
	int n = 0;

	if (!len || len > VX_CBOR_PATH_MAX)
		return -EINVAL;
	while (pos < len) {
		if (n == VX_CBOR_MAX_DEPTH)
			return -EINVAL; /* deeper than any payload */
		if (parse_step(path, len, &pos, n == 0, &s))
			return -EINVAL;
		n++;
	}
	return n;
}

/*
 * The walk: resolve steps one after another on the item under the cursor;
 * a [] step pushes the array (where its next element starts, how many
 * remain, the path offset after the []) and continues with the first
 * element; a dead end or a visited value resumes the innermost array with
 * elements left. Wildcards nest at most VX_CBOR_MAX_DEPTH deep because each
 * one descends into an array.
 */
int vx_cbor_path_visit(const u8 *buf, size_t len, const char *path,
		       size_t pathlen, vx_cbor_visit_fn fn, void *arg)
{
	struct {
		const u8 *next; /* the array's next element */
		u64 left; /* elements not yet walked */
		u32 pos; /* path offset after the [] */
	} st[VX_CBOR_MAX_DEPTH];
	struct vx_cbor_cur c, tmp;
	struct vx_cbor_item it;
	struct step s;
	size_t pos = 0;
	int depth = 0, err;

	if (vx_cbor_path_check(path, pathlen) < 0)
		return -EINVAL;
	vx_cbor_cur_init(&c, buf, len);
	err = vx_cbor_next(&c, &it);
	if (err)
		return err;
	if (it.type != VX_CBOR_MAP)
		return -EINVAL;

	for (;;) {
		/* it: the current item's head; c: just past it */
		bool dead = false;

		if (pos == pathlen) {
			struct vx_cbor_cur copy = c;

			err = fn(arg, &it, &copy);
			if (err)
				return err;
			dead = true;
		} else {
			/* cannot fail: vx_cbor_path_check() passed */
			parse_step(path, pathlen, &pos, pos == 0, &s);
			switch (s.kind) {
			case STEP_KEY:
				if (it.type != VX_CBOR_MAP) {
					dead = true;
					break;
				}
				err = vx_cbor_map_find(&c, it.val, s.key,
						       s.keylen);
				if (err < 0)
					return err;
				if (!err) {
					dead = true;
					break;
				}
				err = vx_cbor_next(&c, &it);
				if (err)
					return err;
				break;
			case STEP_INDEX:
				if (it.type != VX_CBOR_ARRAY ||
				    s.index >= it.val) {
					dead = true;
					break;
				}
				err = skip_items(&c, s.index);
				if (!err)
					err = vx_cbor_next(&c, &it);
				if (err)
					return err;
				break;
			case STEP_ALL:
				if (it.type != VX_CBOR_ARRAY || !it.val) {
					dead = true;
					break;
				}
				if (depth == VX_CBOR_MAX_DEPTH)
					return -EINVAL;
				st[depth].left = it.val;
				st[depth].pos = pos;
				st[depth].next = c.p;
				depth++;
				dead = true; /* i.e. go to the first element */
				break;
			}
		}
		if (!dead)
			continue;
		/* resume the innermost wildcard with elements left */
		while (depth && !st[depth - 1].left)
			depth--;
		if (!depth)
			return 0;
		st[depth - 1].left--;
		c.p = st[depth - 1].next;
		pos = st[depth - 1].pos;
		err = vx_cbor_next(&c, &it);
		if (err)
			return err;
		/* where the element after this one starts */
		tmp = c;
		err = vx_cbor_skip_contents(&tmp, &it);
		if (err)
			return err;
		st[depth - 1].next = tmp.p;
	}
}
