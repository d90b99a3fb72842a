// SPDX-License-Identifier: GPL-2.0
/*
 * Payload edits: the payload is opened into a tree lazily, only along the
 * paths an edit walks (every other value stays a slice of its source
 * buffer), edited, and encoded again. Memory is linear in the children of
 * the containers opened, never in the payload's whole depth.
 */
#include "cbor_edit.h"
#include "cbor.h"
#include "uapi/vexfs.h"

enum ed_kind { ED_RAW, ED_MAP, ED_ARRAY };

struct ed_ent;

struct ed_val {
	enum ed_kind kind;
	const u8 *raw; /* ED_RAW: one whole encoded item */
	size_t raw_len;
	struct ed_ent *ents; /* ED_MAP, ED_ARRAY: children */
	u32 n, cap;
};

struct ed_ent {
	const u8 *key; /* ED_MAP: the key's text bytes */
	u32 key_len;
	struct ed_val v;
};

static const u8 cbor_null[] = { 0xf6 };

enum step_kind { ST_KEY, ST_INDEX, ST_ALL };

struct ed_step {
	enum step_kind kind;
	const char *key;
	u32 key_len;
	u64 index;
};

static void val_free(struct ed_val *v)
{
	for (u32 i = 0; i < v->n; i++)
		val_free(&v->ents[i].v);
	vx_free(v->ents);
	v->ents = NULL;
	v->n = 0;
	v->cap = 0;
}

static void val_set_raw(struct ed_val *v, const u8 *raw, size_t len)
{
	val_free(v);
	v->kind = ED_RAW;
	v->raw = raw;
	v->raw_len = len;
}

static void val_set_empty(struct ed_val *v, enum ed_kind kind)
{
	val_free(v);
	v->kind = kind;
	v->raw = NULL;
	v->raw_len = 0;
}

/* The value's type without opening it: ED_MAP, ED_ARRAY or ED_RAW. */
static enum ed_kind val_type(const struct ed_val *v)
{
	if (v->kind != ED_RAW)
		return v->kind;
	if (!v->raw_len)
		return ED_RAW;
	switch (v->raw[0] >> 5) {
	case 4:
		return ED_ARRAY;
	case 5:
		return ED_MAP;
	default:
		return ED_RAW;
	}
}

static int ents_reserve(struct ed_val *v, u64 want)
{
	struct ed_ent *e;
	u64 cap;

	if (want <= v->cap)
		return 0;
	if (want > VEXFS_PAYLOAD_MAX)
		return -E2BIG; /* more children than a payload has bytes */
	cap = v->cap ? (u64)v->cap * 2 : 4;
	while (cap < want)
		cap *= 2;
	e = vx_zalloc_array((size_t)cap, sizeof(*e));
	if (!e)
		return -ENOMEM;
	if (v->n)
		memcpy(e, v->ents, (size_t)v->n * sizeof(*e));
	vx_free(v->ents);
	v->ents = e;
	v->cap = (u32)cap;
	return 0;
}

/* Open a raw map or array into children (raw slices); others: -EINVAL. */
static int val_open(struct ed_val *v)
{
	struct vx_cbor_item it;
	struct vx_cbor_cur c;
	enum ed_kind kind;
	int err;

	if (v->kind != ED_RAW)
		return 0;
	vx_cbor_cur_init(&c, v->raw, v->raw_len);
	err = vx_cbor_next(&c, &it);
	if (err)
		return err;
	if (it.type == VX_CBOR_MAP)
		kind = ED_MAP;
	else if (it.type == VX_CBOR_ARRAY)
		kind = ED_ARRAY;
	else
		return -EINVAL;
	v->kind = kind;
	v->raw = NULL;
	v->raw_len = 0;
	err = ents_reserve(v, it.val);
	if (err)
		return err;
	for (u64 i = 0; i < it.val; i++) {
		struct ed_ent *e = &v->ents[i];
		const u8 *start;

		if (kind == ED_MAP) {
			struct vx_cbor_item k;

			err = vx_cbor_next(&c, &k);
			if (err)
				return err;
			if (k.type != VX_CBOR_TEXT)
				return -EINVAL;
			e->key = k.str;
			e->key_len = (u32)k.val;
		}
		start = c.p;
		err = vx_cbor_skip(&c);
		if (err)
			return err;
		e->v.kind = ED_RAW;
		e->v.raw = start;
		e->v.raw_len = (size_t)(c.p - start);
		v->n++;
	}
	return 0;
}

static struct ed_ent *map_find(struct ed_val *m, const char *key, u32 len)
{
	for (u32 i = 0; i < m->n; i++)
		if (m->ents[i].key_len == len &&
		    !memcmp(m->ents[i].key, key, len))
			return &m->ents[i];
	return NULL;
}

/* The entry of @key in open map @m, appended (value null) if missing. */
static int map_entry(struct ed_val *m, const char *key, u32 len,
		     struct ed_ent **out)
{
	struct ed_ent *e = map_find(m, key, len);
	int err;

	if (!e) {
		err = ents_reserve(m, (u64)m->n + 1);
		if (err)
			return err;
		e = &m->ents[m->n++];
		memset(e, 0, sizeof(*e));
		e->key = (const u8 *)key;
		e->key_len = len;
		e->v.kind = ED_RAW;
		e->v.raw = cbor_null;
		e->v.raw_len = sizeof(cbor_null);
	}
	*out = e;
	return 0;
}

static void ents_remove(struct ed_val *v, u32 i)
{
	val_free(&v->ents[i].v);
	memmove(&v->ents[i], &v->ents[i + 1],
		(size_t)(v->n - i - 1) * sizeof(*v->ents));
	v->n--;
}

/* --- key paths ------------------------------------------------------------ */

static bool raw_key_byte(char ch)
{
	return ch != '.' && ch != '[' && ch != ']' && ch != '"';
}

/* Split a path (checked by vx_cbor_path_check()) into steps. */
static int path_parse(const char *path, u32 len, struct ed_step *st, u32 *nr)
{
	u32 pos = 0, n = 0;
	int steps = vx_cbor_path_check(path, len);

	if (steps < 0)
		return steps;
	while (pos < len && n < (u32)steps) {
		struct ed_step *s = &st[n];

		if (n && path[pos] == '[') {
			u32 d = 0;

			s->index = 0;
			for (pos++; path[pos] >= '0' && path[pos] <= '9';
			     pos++, d++)
				s->index =
					s->index * 10 + (u64)(path[pos] - '0');
			s->kind = d ? ST_INDEX : ST_ALL;
			pos++; /* ']' */
		} else {
			if (n)
				pos++; /* '.' */
			s->kind = ST_KEY;
			if (path[pos] == '"') {
				s->key = path + ++pos;
				while (path[pos] != '"')
					pos++;
				s->key_len = (u32)(path + pos - s->key);
				pos++;
			} else {
				s->key = path + pos;
				while (pos < len && raw_key_byte(path[pos]))
					pos++;
				s->key_len = (u32)(path + pos - s->key);
			}
		}
		n++;
	}
	if (pos != len)
		return -EINVAL;
	*nr = n;
	return 0;
}

/* --- set ------------------------------------------------------------------ */

/* Merge the keys of raw map @src into @dest (made a map if it is not one). */
static int merge_into(struct ed_val *dest, const u8 *src, size_t src_len)
{
	struct ed_val s = { .kind = ED_RAW, .raw = src, .raw_len = src_len };
	int err;

	if (val_type(dest) != ED_MAP) {
		val_set_raw(dest, src, src_len);
		return 0;
	}
	err = val_open(dest);
	if (!err)
		err = val_open(&s);
	for (u32 i = 0; !err && i < s.n; i++) {
		struct ed_ent *e;

		err = map_entry(dest, (const char *)s.ents[i].key,
				s.ents[i].key_len, &e);
		if (!err)
			val_set_raw(&e->v, s.ents[i].v.raw,
				    s.ents[i].v.raw_len);
	}
	val_free(&s);
	return err;
}

static int set_rec(struct ed_val *dest, const struct ed_step *st, u32 nr,
		   const u8 *src, size_t src_len)
{
	int err;

	if (!nr)
		return merge_into(dest, src, src_len);
	switch (st->kind) {
	case ST_KEY: {
		struct ed_ent *e;

		if (val_type(dest) != ED_MAP)
			val_set_empty(dest, ED_MAP);
		err = val_open(dest);
		if (!err)
			err = map_entry(dest, st->key, st->key_len, &e);
		return err ?: set_rec(&e->v, st + 1, nr - 1, src, src_len);
	}
	case ST_INDEX:
		if (val_type(dest) != ED_ARRAY)
			val_set_empty(dest, ED_ARRAY);
		err = val_open(dest);
		if (err || st->index >= dest->n)
			return err;
		return set_rec(&dest->ents[st->index].v, st + 1, nr - 1, src,
			       src_len);
	case ST_ALL:
	default:
		if (val_type(dest) != ED_ARRAY) {
			val_set_empty(dest, ED_ARRAY);
			return 0;
		}
		err = val_open(dest);
		for (u32 i = 0; !err && i < dest->n; i++)
			err = set_rec(&dest->ents[i].v, st + 1, nr - 1, src,
				      src_len);
		return err;
	}
}

/* --- delete --------------------------------------------------------------- */

static int del_rec(struct ed_val *v, const struct ed_step *st, u32 nr)
{
	enum ed_kind t = val_type(v);
	bool last = nr == 1;
	int err;

	if (st->kind == ST_KEY) {
		struct ed_ent *e;

		if (t != ED_MAP)
			return 0;
		err = val_open(v);
		if (err)
			return err;
		e = map_find(v, st->key, st->key_len);
		if (!e)
			return 0;
		if (last) {
			ents_remove(v, (u32)(e - v->ents));
			return 0;
		}
		return del_rec(&e->v, st + 1, nr - 1);
	}
	if (t != ED_ARRAY)
		return 0;
	err = val_open(v);
	if (err)
		return err;
	if (st->kind == ST_INDEX) {
		if (st->index >= v->n)
			return 0;
		if (last) {
			ents_remove(v, (u32)st->index);
			return 0;
		}
		return del_rec(&v->ents[st->index].v, st + 1, nr - 1);
	}
	if (last) {
		val_set_empty(v, ED_ARRAY);
		return 0;
	}
	for (u32 i = 0; !err && i < v->n; i++)
		err = del_rec(&v->ents[i].v, st + 1, nr - 1);
	return err;
}

/* --- encode --------------------------------------------------------------- */

static u32 head_len(u64 val)
{
	return val < 24		    ? 1 :
	       val <= 0xff	    ? 2 :
	       val <= 0xffff	    ? 3 :
	       val <= 0xffffffffULL ? 5 :
				      9;
}

static u8 *put_head(u8 *p, u8 major, u64 val)
{
	u32 n = head_len(val);

	if (n == 1) {
		*p++ = (u8)(major << 5 | val);
		return p;
	}
	*p++ = (u8)(major << 5 | (n == 2 ? 24 :
				  n == 3 ? 25 :
				  n == 5 ? 26 :
					   27));
	for (u32 i = n - 1; i > 0; i--)
		*p++ = (u8)(val >> (8 * (i - 1)));
	return p;
}

static u64 val_size(const struct ed_val *v)
{
	u64 n;

	if (v->kind == ED_RAW)
		return v->raw_len;
	n = head_len(v->n);
	for (u32 i = 0; i < v->n; i++) {
		if (v->kind == ED_MAP)
			n += head_len(v->ents[i].key_len) + v->ents[i].key_len;
		n += val_size(&v->ents[i].v);
	}
	return n;
}

static u8 *val_put(u8 *p, const struct ed_val *v)
{
	if (v->kind == ED_RAW) {
		memcpy(p, v->raw, v->raw_len);
		return p + v->raw_len;
	}
	p = put_head(p, v->kind == ED_MAP ? 5 : 4, v->n);
	for (u32 i = 0; i < v->n; i++) {
		if (v->kind == ED_MAP) {
			p = put_head(p, 3, v->ents[i].key_len);
			memcpy(p, v->ents[i].key, v->ents[i].key_len);
			p += v->ents[i].key_len;
		}
		p = val_put(p, &v->ents[i].v);
	}
	return p;
}

/* Encode @root, validate the result and hand it out. */
static int finish(struct ed_val *root, u8 **out, u32 *out_len)
{
	u64 size = val_size(root);
	const char *why;
	u8 *buf;
	int err;

	if (size > VEXFS_PAYLOAD_MAX)
		return -E2BIG;
	buf = vx_alloc((size_t)size);
	if (!buf)
		return -ENOMEM;
	if (val_put(buf, root) != buf + size) {
		vx_free(buf);
		return -EINVAL;
	}
	err = vx_cbor_validate(buf, (size_t)size, &why);
	if (err) {
		vx_free(buf);
		return err;
	}
	*out = buf;
	*out_len = (u32)size;
	return 0;
}

static void root_init(struct ed_val *root, const u8 *payload, u32 len)
{
	memset(root, 0, sizeof(*root));
	if (len) {
		root->kind = ED_RAW;
		root->raw = payload;
		root->raw_len = len;
	} else {
		root->kind = ED_MAP;
	}
}

/* Steps of a path: on the heap, the kernel stack is small. */
static struct ed_step *steps_alloc(void)
{
	return vx_alloc_array(VX_CBOR_MAX_DEPTH, sizeof(struct ed_step));
}

int vx_cbor_set(const u8 *payload, u32 len, const u8 *map, u32 map_len,
		const char *key, u32 key_len, u8 **out, u32 *out_len)
{
	struct ed_step *st = NULL;
	struct ed_val root;
	u32 nr = 0;
	int err;

	if (!map_len || (map[0] >> 5) != 5)
		return -EINVAL;
	if (key_len) {
		st = steps_alloc();
		if (!st)
			return -ENOMEM;
		err = path_parse(key, key_len, st, &nr);
		if (err) {
			vx_free(st);
			return err;
		}
	}
	root_init(&root, payload, len);
	if (nr) {
		/* The first step is a key of the payload itself. */
		err = val_open(&root);
		if (!err)
			err = set_rec(&root, st, nr, map, map_len);
	} else {
		err = merge_into(&root, map, map_len);
	}
	if (!err)
		err = finish(&root, out, out_len);
	val_free(&root);
	vx_free(st);
	return err;
}

int vx_cbor_paths_check(const u8 *paths, u32 paths_len)
{
	struct vx_cbor_item it, k;
	struct vx_cbor_cur c;
	int err;

	vx_cbor_cur_init(&c, paths, paths_len);
	err = vx_cbor_next(&c, &it);
	if (err || it.type != VX_CBOR_ARRAY)
		return -EINVAL;
	for (u64 i = 0; i < it.val; i++) {
		err = vx_cbor_next(&c, &k);
		if (err || k.type != VX_CBOR_TEXT ||
		    vx_cbor_path_check((const char *)k.str, (size_t)k.val) < 0)
			return -EINVAL;
	}
	return vx_cbor_cur_done(&c) ? 0 : -EINVAL;
}

int vx_cbor_delete_keys(const u8 *payload, u32 len, const u8 *paths,
			u32 paths_len, u8 **out, u32 *out_len)
{
	struct vx_cbor_item it, k;
	struct vx_cbor_cur c;
	struct ed_step *st;
	struct ed_val root;
	int err;

	err = vx_cbor_paths_check(paths, paths_len);
	if (err)
		return err;
	st = steps_alloc();
	if (!st)
		return -ENOMEM;
	root_init(&root, payload, len);
	vx_cbor_cur_init(&c, paths, paths_len);
	err = vx_cbor_next(&c, &it);
	for (u64 i = 0; !err && i < it.val; i++) {
		u32 nr;

		err = vx_cbor_next(&c, &k);
		if (!err)
			err = path_parse((const char *)k.str, (u32)k.val, st,
					 &nr);
		if (!err)
			err = del_rec(&root, st, nr);
	}
	if (!err)
		err = finish(&root, out, out_len);
	val_free(&root);
	vx_free(st);
	return err;
}
