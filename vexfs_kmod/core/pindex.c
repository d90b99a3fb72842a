// SPDX-License-Identifier: GPL-2.0
/* Payload indexes: the ordered pair sets, value extraction, upkeep, schema. */
#include "pindex.h"
#include "cbor.h"
#include "filter.h"
#include "store.h"

/* --- the ordered set of (value key, point key) ------------------------------ */

static bool pair_lt(const struct vx_pi_pair *a, u64 v, u64 k)
{
	return a->v < v || (a->v == v && a->k < k);
}

/* First index in @c whose pair is >= (v, k). */
static u32 chunk_lower(const struct vx_pi_chunk *c, u64 v, u64 k)
{
	u32 lo = 0, hi = c->n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (pair_lt(&c->e[mid], v, k))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The last chunk whose first pair is <= (v, k), or 0. */
static u32 tree_chunk(const struct vx_pi_tree *t, u64 v, u64 k)
{
	u32 lo = 0, hi = t->nch;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		const struct vx_pi_pair *f = &t->ch[mid]->e[0];

		if (f->v < v || (f->v == v && f->k <= k))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? lo - 1 : 0;
}

static int tree_dir_insert(struct vx_pi_tree *t, u32 at, struct vx_pi_chunk *c)
{
	if (t->nch == t->cap) {
		u32 cap = t->cap ? t->cap * 2 : 4;
		struct vx_pi_chunk **nd = vx_alloc_array(cap, sizeof(*nd));

		if (!nd)
			return -ENOMEM;
		if (t->nch)
			memcpy(nd, t->ch, t->nch * sizeof(*nd));
		vx_free(t->ch);
		t->ch = nd;
		t->cap = cap;
	}
	memmove(&t->ch[at + 1], &t->ch[at], (t->nch - at) * sizeof(*t->ch));
	t->ch[at] = c;
	t->nch++;
	return 0;
}

static int tree_insert(struct vx_pi_tree *t, u64 v, u64 k)
{
	struct vx_pi_chunk *c;
	u32 ci, at;

	if (!t->nch) {
		c = vx_alloc(sizeof(*c));
		if (!c)
			return -ENOMEM;
		c->n = 0;
		if (tree_dir_insert(t, 0, c)) {
			vx_free(c);
			return -ENOMEM;
		}
	}
	ci = tree_chunk(t, v, k);
	c = t->ch[ci];
	at = chunk_lower(c, v, k);
	if (at < c->n && c->e[at].v == v && c->e[at].k == k)
		return 0;
	if (c->n == VX_PI_CHUNK) {
		struct vx_pi_chunk *r = vx_alloc(sizeof(*r));
		u32 half = VX_PI_CHUNK / 2;

		if (!r)
			return -ENOMEM;
		if (tree_dir_insert(t, ci + 1, r)) {
			vx_free(r);
			return -ENOMEM;
		}
		r->n = c->n - half;
		memcpy(r->e, &c->e[half], r->n * sizeof(c->e[0]));
		c->n = half;
		if (at > half) {
			c = r;
			at -= half;
		}
	}
	memmove(&c->e[at + 1], &c->e[at], (c->n - at) * sizeof(c->e[0]));
	c->e[at].v = v;
	c->e[at].k = k;
	c->n++;
	t->n++;
	return 0;
}

static void tree_remove(struct vx_pi_tree *t, u64 v, u64 k)
{
	struct vx_pi_chunk *c;
	u32 ci, at;

	if (!t->nch)
		return;
	ci = tree_chunk(t, v, k);
	c = t->ch[ci];
	at = chunk_lower(c, v, k);
	if (at >= c->n || c->e[at].v != v || c->e[at].k != k)
		return;
	memmove(&c->e[at], &c->e[at + 1], (c->n - at - 1) * sizeof(c->e[0]));
	c->n--;
	t->n--;
	if (!c->n) {
		vx_free(c);
		memmove(&t->ch[ci], &t->ch[ci + 1],
			(t->nch - ci - 1) * sizeof(*t->ch));
		t->nch--;
	}
}

static void tree_destroy(struct vx_pi_tree *t)
{
	for (u32 i = 0; i < t->nch; i++)
		vx_free(t->ch[i]);
	vx_free(t->ch);
	memset(t, 0, sizeof(*t));
}

u32 vx_pi_tree_chunk(const struct vx_pi_tree *t, u64 v)
{
	return t->nch ? tree_chunk(t, v, 0) : 0;
}

bool vx_pi_tree_has(const struct vx_pi_tree *t, u64 v, u64 k)
{
	const struct vx_pi_chunk *c;
	u32 at;

	if (!t->nch)
		return false;
	c = t->ch[tree_chunk(t, v, k)];
	at = chunk_lower(c, v, k);
	return at < c->n && c->e[at].v == v && c->e[at].k == k;
}

u64 vx_pi_tree_count(const struct vx_pi_tree *t, u64 lo, u64 hi)
{
	u64 n = 0;
	u32 ci, off;

	if (!t->nch || lo > hi)
		return 0;
	ci = tree_chunk(t, lo, 0);
	off = chunk_lower(t->ch[ci], lo, 0);
	for (; ci < t->nch; ci++, off = 0) {
		const struct vx_pi_chunk *c = t->ch[ci];

		if (c->e[c->n - 1].v <= hi) {
			n += c->n - off;
			continue;
		}
		if (hi == ~0ULL) /* unreachable: the test above took it */
			break;
		n += chunk_lower(c, hi + 1, 0) - off;
		break;
	}
	return n;
}

/* --- value keys --------------------------------------------------------------- */

u64 vx_pindex_hash(const void *p, size_t n)
{
	const u8 *b = p;
	u64 h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static u64 f64_key(u64 bits)
{
	if (bits == (1ULL << 63))
		bits = 0; /* -0 == +0 */
	return (bits >> 63) ? ~bits : bits | (1ULL << 63);
}

/*
 * Key of the number (neg ? -mag : mag) as a binary64, rounded toward zero.
 * Monotone, so a value within a range of doubles keeps a key within the
 * range's keys. neg with mag 0 and top: -2^64 (a CBOR -1 - (2^64 - 1)).
 */
static u64 num_key2(bool neg, u64 mag, bool two64)
{
	u64 bits, mant;
	u32 p;

	if (!two64 && !mag)
		return f64_key(0);
	if (two64) {
		bits = (u64)(1023 + 64) << 52;
	} else {
		p = 63 - (u32)__builtin_clzll(mag);
		mant = p <= 52 ? mag << (52 - p) : mag >> (p - 52);
		bits = ((u64)(1023 + p) << 52) | (mant & ((1ULL << 52) - 1));
	}
	return f64_key(bits | ((u64)neg << 63));
}

u64 vx_pindex_num_key(bool neg, u64 mag)
{
	return num_key2(neg, mag, false);
}

static int hexval(u8 ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch |= 0x20;
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* Hyphenated (8-4-4-4-12) or 32 hex digits, either case. 0 or -EINVAL. */
int vx_pindex_parse_uuid(const u8 *s, u32 len, u8 out[16])
{
	bool hyph = len == 36;
	u32 i, j = 0;

	if (len != 36 && len != 32)
		return -EINVAL;
	for (i = 0; i < len;) {
		int hi, lo;

		if (hyph && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (s[i++] != '-')
				return -EINVAL;
			continue;
		}
		if (i + 1 >= len)
			return -EINVAL;
		hi = hexval(s[i]);
		lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0 || j >= 16)
			return -EINVAL;
		out[j++] = (u8)(hi << 4 | lo);
		i += 2;
	}
	return j == 16 ? 0 : -EINVAL;
}

/* floor(x * 2^20) of a binary64 with |x| <= 360; false otherwise. */
bool vx_pindex_f64_fixed(u64 bits, s64 *out)
{
	u32 e = (bits >> 52) & 0x7ff;
	u64 m = bits & ((1ULL << 52) - 1), q;
	bool neg = bits >> 63, exact = true;
	int sh;

	if (e == 0x7ff)
		return false;
	if (!e) { /* zero or subnormal */
		*out = neg && m ? -1 : 0;
		return true;
	}
	m |= 1ULL << 52;
	sh = (int)e - 1075 + 20;
	if (sh > 10)
		return false;
	if (sh >= 0) {
		q = m << sh;
	} else if (sh <= -64) {
		q = 0;
		exact = false;
	} else {
		q = m >> -sh;
		exact = !(m & ((1ULL << -sh) - 1));
	}
	if (q > (360ULL << 20))
		return false;
	*out = neg ? -(s64)q - (exact ? 0 : 1) : (s64)q;
	return true;
}

static bool item_fixed(const struct vx_cbor_item *it, s64 *out)
{
	switch (it->type) {
	case VX_CBOR_FLOAT:
		return vx_pindex_f64_fixed(it->val, out);
	case VX_CBOR_UINT:
		if (it->val > 360)
			return false;
		*out = (s64)(it->val << 20);
		return true;
	case VX_CBOR_NINT:
		if (it->val > 359)
			return false;
		*out = -(s64)((it->val + 1) << 20);
		return true;
	default:
		return false;
	}
}

#define PI_S64_MAX 0x7fffffffffffffffULL

/* Geo cells: three grid sizes, as shifts of the 2^-20 degree fixed point. */
const u32 vx_pindex_geo_shift[VX_PI_GEO_LEVELS] = { 16, 20, 24 };

u64 vx_pindex_geo_cell(u32 level, u64 ulat, u64 ulon)
{
	return ((u64)(level + 1) << 56) |
	       (ulat >> vx_pindex_geo_shift[level]) << 28 |
	       (ulon >> vx_pindex_geo_shift[level]);
}

struct extract {
	const struct vx_pindex *ix;
	u64 *vals;
	u32 cap, nr;
	bool other;
};

static void push(struct extract *e, u64 v)
{
	if (e->nr < e->cap)
		e->vals[e->nr] = v;
	if (e->nr != ~0u)
		e->nr++;
}

bool vx_pindex_is_tok(u8 ch)
{
	return (ch >= '0' && ch <= '9') ||
	       ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') || ch >= 0x80;
}

u64 vx_pindex_token_hash(const u8 *s, u64 len)
{
	u64 h = 0xcbf29ce484222325ULL;

	for (u64 i = 0; i < len; i++)
		h = (h ^ (s[i] >= 'A' && s[i] <= 'Z' ? s[i] | 0x20 : s[i])) *
		    0x100000001b3ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static void push_tokens(struct extract *e, const u8 *s, u64 len)
{
	u64 i = 0;

	while (i < len) {
		u64 start;

		while (i < len && !vx_pindex_is_tok(s[i]))
			i++;
		start = i;
		while (i < len && vx_pindex_is_tok(s[i]))
			i++;
		if (i > start)
			push(e, vx_pindex_token_hash(s + start, i - start));
	}
}

/* A {lon, lat} map whose head was just read; @c is on its first pair. */
static void take_geo(struct extract *e, const struct vx_cbor_item *it,
		     const struct vx_cbor_cur *c)
{
	struct vx_cbor_cur a = *c, b = *c;
	struct vx_cbor_item lon, lat;
	s64 flon, flat;

	if (vx_cbor_map_find(&a, it->val, "lon", 3) != 1 ||
	    vx_cbor_map_find(&b, it->val, "lat", 3) != 1 ||
	    vx_cbor_next(&a, &lon) || vx_cbor_next(&b, &lat) ||
	    !item_fixed(&lon, &flon) || !item_fixed(&lat, &flat) ||
	    flat < -(90LL << 20) || flat > (90LL << 20) ||
	    flon < -(180LL << 20) || flon > (180LL << 20)) {
		e->other = true;
		return;
	}
	for (u32 l = 0; l < 3; l++)
		push(e, vx_pindex_geo_cell(l, (u64)(flat + (90LL << 20)),
					   (u64)(flon + (180LL << 20))));
}

/* One value (not an array); @c is just past its head. */
static void take(struct extract *e, const struct vx_cbor_item *it,
		 const struct vx_cbor_cur *c)
{
	u8 uuid[16];
	s64 us;

	if (it->type == VX_CBOR_NULL)
		return;
	switch (e->ix->type) {
	case VEXFS_INDEX_KEYWORD:
		if (it->type != VX_CBOR_TEXT)
			break;
		push(e, vx_pindex_hash(it->str, it->val));
		return;
	case VEXFS_INDEX_TEXT:
		if (it->type != VX_CBOR_TEXT)
			break;
		push_tokens(e, it->str, it->val);
		return;
	case VEXFS_INDEX_UUID:
		if (it->type != VX_CBOR_TEXT || it->val > 64 ||
		    vx_pindex_parse_uuid(it->str, (u32)it->val, uuid))
			break;
		push(e, vx_pindex_hash(uuid, 16));
		return;
	case VEXFS_INDEX_BOOL:
		if (it->type != VX_CBOR_TRUE && it->type != VX_CBOR_FALSE)
			break;
		push(e, it->type == VX_CBOR_TRUE);
		return;
	case VEXFS_INDEX_INTEGER:
		if (it->type == VX_CBOR_UINT && it->val <= PI_S64_MAX) {
			push(e, vx_pindex_num_key(false, it->val));
			return;
		}
		if (it->type == VX_CBOR_NINT && it->val <= PI_S64_MAX) {
			push(e, vx_pindex_num_key(true, it->val + 1));
			return;
		}
		break;
	case VEXFS_INDEX_FLOAT:
		if (it->type == VX_CBOR_UINT) {
			push(e, vx_pindex_num_key(false, it->val));
			return;
		}
		if (it->type == VX_CBOR_NINT) {
			push(e, num_key2(true, it->val + 1, it->val == ~0ULL));
			return;
		}
		if (it->type == VX_CBOR_FLOAT &&
		    !vx_filter_f64_is_nan(it->val)) {
			push(e, f64_key(it->val));
			return;
		}
		break;
	case VEXFS_INDEX_DATETIME:
		if (it->type != VX_CBOR_TEXT ||
		    vx_filter_parse_datetime((const char *)it->str, it->val,
					     &us))
			break;
		push(e, (u64)us ^ (1ULL << 63));
		return;
	case VEXFS_INDEX_GEO:
		if (it->type != VX_CBOR_MAP)
			break;
		take_geo(e, it, c);
		return;
	}
	e->other = true;
}

static int visit(void *arg, const struct vx_cbor_item *it,
		 struct vx_cbor_cur *c)
{
	struct extract *e = arg;

	if (it->type != VX_CBOR_ARRAY) {
		take(e, it, c);
		return 0;
	}
	for (u64 i = 0; i < it->val; i++) {
		struct vx_cbor_item el;

		if (vx_cbor_next(c, &el))
			return -EINVAL;
		if (el.type == VX_CBOR_ARRAY ||
		    (el.type == VX_CBOR_MAP &&
		     e->ix->type != VEXFS_INDEX_GEO)) {
			/* nested containers: not taken, but never missed */
			e->other = true;
			if (vx_cbor_skip_contents(c, &el))
				return -EINVAL;
			continue;
		}
		take(e, &el, c);
		if (el.type == VX_CBOR_MAP && vx_cbor_skip_contents(c, &el))
			return -EINVAL;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

int vx_pindex_extract(const struct vx_pindex *ix, const u8 *payload, u32 len,
		      u64 *vals, u32 cap, u32 *nr, bool *other)
{
	struct extract e = { .ix = ix, .vals = vals, .cap = cap };
	u32 i, n;

	*nr = 0;
	*other = false;
	if (!len)
		return 0;
	if (vx_cbor_path_visit(payload, len, ix->key, ix->key_len, visit, &e) <
	    0) {
		/* corrupt payload: a full scan would not match it either */
		*other = true;
		return 0;
	}
	*other = e.other;
	if (e.nr > cap) {
		*nr = e.nr;
		return 0;
	}
	if (e.nr > 1)
		vx_sort(vals, e.nr, sizeof(*vals), cmp_u64);
	for (i = 0, n = 0; i < e.nr; i++)
		if (!n || vals[n - 1] != vals[i])
			vals[n++] = vals[i];
	*nr = n;
	return 0;
}

/* --- indexes and the set ------------------------------------------------------ */

bool vx_pindex_type_valid(u32 type)
{
	return type >= VEXFS_INDEX_KEYWORD && type <= VEXFS_INDEX_TEXT;
}

bool vx_pindex_key_valid(const char *key, u32 len)
{
	return len && len <= VEXFS_KEY_MAX && vx_cbor_path_check(key, len) > 0;
}

void vx_pindex_set_init(struct vx_pindex_set *s)
{
	memset(s, 0, sizeof(*s));
}

void vx_pindex_free(struct vx_pindex *ix)
{
	if (!ix)
		return;
	tree_destroy(&ix->vals);
	tree_destroy(&ix->others);
	vx_free(ix);
}

void vx_pindex_set_destroy(struct vx_pindex_set *s)
{
	for (u32 i = 0; i < s->n; i++)
		vx_pindex_free(s->ix[i]);
	vx_free(s->scratch);
	memset(s, 0, sizeof(*s));
}

struct vx_pindex *vx_pindex_set_find(const struct vx_pindex_set *s,
				     const char *key, u32 len)
{
	for (u32 i = 0; i < s->n; i++)
		if (s->ix[i]->key_len == len &&
		    !memcmp(s->ix[i]->key, key, len))
			return s->ix[i];
	return NULL;
}

/* Extract into the set's scratch, growing it. */
static int extract_scratch(struct vx_pindex_set *s, const struct vx_pindex *ix,
			   const u8 *payload, u32 len, u32 *nr, bool *other)
{
	for (;;) {
		u64 *ns;
		u32 cap;

		vx_pindex_extract(ix, payload, len, s->scratch, s->scratch_cap,
				  nr, other);
		if (*nr <= s->scratch_cap)
			return 0;
		cap = max(*nr, 64u);
		ns = vx_alloc_array(cap, sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		vx_free(s->scratch);
		s->scratch = ns;
		s->scratch_cap = cap;
	}
}

/* Add (@add) or remove one point's values. */
static int index_point(struct vx_pindex_set *s, struct vx_pindex *ix, u64 pkey,
		       const u8 *payload, u32 len, bool add)
{
	bool other;
	u32 nr;
	int err = extract_scratch(s, ix, payload, len, &nr, &other);

	if (err)
		return err;
	for (u32 i = 0; i < nr; i++) {
		if (!add) {
			tree_remove(&ix->vals, s->scratch[i], pkey);
			continue;
		}
		err = tree_insert(&ix->vals, s->scratch[i], pkey);
		if (err)
			return err;
	}
	if (nr)
		ix->points += add ? 1 : -1;
	if (other && !add)
		tree_remove(&ix->others, 0, pkey);
	else if (other)
		return tree_insert(&ix->others, 0, pkey);
	return 0;
}

int vx_pindex_build(struct vx_pindex_set *s, u32 type, const char *key, u32 len,
		    struct vx_point *const *by_key, u64 nkeys,
		    struct vx_pindex **out)
{
	struct vx_pindex *ix;
	int err = 0;

	if (!vx_pindex_type_valid(type) || !vx_pindex_key_valid(key, len))
		return -EINVAL;
	ix = vx_zalloc(sizeof(*ix));
	if (!ix)
		return -ENOMEM;
	ix->type = type;
	ix->key_len = len;
	memcpy(ix->key, key, len);
	for (u64 k = 0; k < nkeys && !err; k++) {
		struct vx_point *p = by_key[k];

		if (p && p->payload_len)
			err = index_point(s, ix, k, vx_point_payload(p),
					  p->payload_len, true);
		if (!(k & 4095))
			vx_cond_resched();
	}
	if (err) {
		vx_pindex_free(ix);
		return err;
	}
	*out = ix;
	return 0;
}

struct vx_pindex *vx_pindex_set_link(struct vx_pindex_set *s,
				     struct vx_pindex *ix)
{
	for (u32 i = 0; i < s->n; i++) {
		struct vx_pindex *old = s->ix[i];

		if (old->key_len == ix->key_len &&
		    !memcmp(old->key, ix->key, ix->key_len)) {
			s->ix[i] = ix;
			return old;
		}
	}
	s->ix[s->n++] = ix;
	return NULL;
}

struct vx_pindex *vx_pindex_set_unlink(struct vx_pindex_set *s, const char *key,
				       u32 len)
{
	for (u32 i = 0; i < s->n; i++) {
		struct vx_pindex *ix = s->ix[i];

		if (ix->key_len == len && !memcmp(ix->key, key, len)) {
			memmove(&s->ix[i], &s->ix[i + 1],
				(s->n - i - 1) * sizeof(s->ix[0]));
			s->n--;
			return ix;
		}
	}
	return NULL;
}

void vx_pindex_set_update(struct vx_pindex_set *s, u64 pkey, const u8 *old,
			  u32 old_len, const u8 *new, u32 new_len)
{
	if (old_len == new_len && (!old_len || !memcmp(old, new, old_len)))
		return;
	for (u32 i = 0; i < s->n; i++) {
		struct vx_pindex *ix = s->ix[i];

		if (ix->broken)
			continue;
		if ((old_len &&
		     index_point(s, ix, pkey, old, old_len, false)) ||
		    (new_len && index_point(s, ix, pkey, new, new_len, true)))
			ix->broken = true;
	}
}

/* --- schema in the checkpoint ------------------------------------------------- */

u64 vx_pindex_set_save_bytes(const struct vx_pindex_set *s)
{
	u64 n = 4;

	for (u32 i = 0; i < s->n; i++)
		n += 8 + s->ix[i]->key_len;
	return n;
}

int vx_pindex_set_save(const struct vx_pindex_set *s, struct vx_ckpt_writer *w)
{
	__le32 le = cpu_to_le32(s->n);
	int err = vx_ckpt_put(w, &le, 4);

	for (u32 i = 0; i < s->n && !err; i++) {
		__le32 h[2] = { cpu_to_le32(s->ix[i]->type),
				cpu_to_le32(s->ix[i]->key_len) };

		err = vx_ckpt_put(w, h, sizeof(h));
		if (!err)
			err = vx_ckpt_put(w, s->ix[i]->key, s->ix[i]->key_len);
	}
	return err;
}

int vx_pindex_set_load(struct vx_pindex_set *s, struct vx_ckpt_reader *r,
		       struct vx_point *const *by_key, u64 nkeys)
{
	char key[VEXFS_KEY_MAX];
	__le32 le, h[2];
	u64 t0 = vx_time_ns();
	u32 n;
	int err = vx_ckpt_get(r, &le, 4);

	if (err)
		return err;
	n = le32_to_cpu(le);
	if (n > VEXFS_INDEXES_MAX)
		return -EUCLEAN;
	for (u32 i = 0; i < n; i++) {
		struct vx_pindex *ix;
		u32 type, len;

		err = vx_ckpt_get(r, h, sizeof(h));
		if (err)
			return err;
		type = le32_to_cpu(h[0]);
		len = le32_to_cpu(h[1]);
		if (!vx_pindex_type_valid(type) || !len || len > VEXFS_KEY_MAX)
			return -EUCLEAN;
		err = vx_ckpt_get(r, key, len);
		if (err)
			return err;
		if (!vx_pindex_key_valid(key, len) ||
		    vx_pindex_set_find(s, key, len))
			return -EUCLEAN;
		err = vx_pindex_build(s, type, key, len, by_key, nkeys, &ix);
		if (err)
			return err;
		vx_pindex_set_link(s, ix);
		s->build_values += ix->vals.n;
	}
	s->build_ns = vx_time_ns() - t0;
	if (n)
		vx_log_info(
			"%u payload indexes (%llu values) rebuilt in %llu ms\n",
			n, (unsigned long long)s->build_values,
			(unsigned long long)(s->build_ns / 1000000));
	return 0;
}
