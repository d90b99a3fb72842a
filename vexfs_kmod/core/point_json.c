// SPDX-License-Identifier: GPL-2.0
/*
 * A point as JSON, for the directory view (points/<id>):
 *   {"id": 7, "vector": [0.5, ...], "payload": {...}}
 * Integer-only: floats are printed from their bits (dtoa.c), payloads by
 * the CBOR renderer. snprintf semantics: returns the length needed.
 */
#include "point_json.h"
#include "cbor.h"
#include "dtoa.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len < o->size)
		memcpy(o->buf + o->len, s, min(n, o->size - o->len));
	o->len += n;
}

static void put_u64(struct out *o, u64 v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(o, tmp + sizeof(tmp) - n, n);
}

int vx_point_id_format(const struct vexfs_point_id *id, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	struct out o = { buf, size, 0 };
	char uuid[36];
	int n = 0;

	if (id->kind == VEXFS_ID_NUM) {
		put_u64(&o, id->num);
	} else {
		for (int i = 0; i < 16; i++) {
			if (i == 4 || i == 6 || i == 8 || i == 10)
				uuid[n++] = '-';
			uuid[n++] = hex[id->uuid[i] >> 4];
			uuid[n++] = hex[id->uuid[i] & 15];
		}
		put(&o, uuid, sizeof(uuid));
	}
	if (o.len < size)
		buf[o.len] = '\0';
	return (int)o.len;
}

ssize_t vx_point_to_json(const struct vexfs_point_id *id, const float *vec,
			 u32 dim, const u8 *payload, u32 payload_len, char *buf,
			 size_t size)
{
	struct out o = { buf, size, 0 };
	char num[VX_DTOA_BUFSZ], idtxt[40];
	int n;

	put(&o, "{\"id\": ", 7);
	n = vx_point_id_format(id, idtxt, sizeof(idtxt));
	if (id->kind == VEXFS_ID_UUID)
		put(&o, "\"", 1);
	put(&o, idtxt, (size_t)n);
	if (id->kind == VEXFS_ID_UUID)
		put(&o, "\"", 1);
	/* a point without a vector (dim 0) has no "vector" member */
	if (dim)
		put(&o, ", \"vector\": [", 13);
	for (u32 i = 0; i < dim; i++) {
		u32 bits;

		memcpy(&bits, vec + i, sizeof(bits));
		if (i)
			put(&o, ", ", 2);
		n = vx_dtoa_json(vx_f32_bits_to_f64_bits(bits), num);
		put(&o, num, (size_t)n);
	}
	if (dim)
		put(&o, "]", 1);
	put(&o, ", \"payload\": ", 13);
	if (payload_len) {
		ssize_t pj = vx_cbor_to_json(payload, payload_len,
					     o.len < size ? buf + o.len : NULL,
					     o.len < size ? size - o.len : 0);

		if (pj < 0)
			return pj;
		o.len += (size_t)pj;
	} else {
		put(&o, "{}", 2);
	}
	put(&o, "}\n", 2);
	if (o.len < size)
		buf[o.len] = '\0';
	return (ssize_t)o.len;
}

int vx_point_id_parse(const char *s, size_t len, struct vexfs_point_id *id)
{
	memset(id, 0, sizeof(*id));
	if (len == 36) { /* a UUID, hyphens at 8, 13, 18, 23 */
		int n = 0;

		for (size_t i = 0; i < 36; i++) {
			char c = s[i];
			int v;

			if (i == 8 || i == 13 || i == 18 || i == 23) {
				if (c != '-')
					return -EINVAL;
				continue;
			}
			if (c >= '0' && c <= '9')
				v = c - '0';
			else if (c >= 'a' && c <= 'f')
				v = c - 'a' + 10;
			else if (c >= 'A' && c <= 'F')
				v = c - 'A' + 10;
			else
				return -EINVAL;
			id->uuid[n / 2] = (u8)(id->uuid[n / 2] << 4 | v);
			n++;
		}
		id->kind = VEXFS_ID_UUID;
		return 0;
	}
	/* a decimal u64: no sign, no leading zeros (so names are canonical) */
	if (!len || len > 20 || (s[0] == '0' && len > 1))
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		u64 d;

		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		d = (u64)(s[i] - '0');
		if (id->num > (~0ULL - d) / 10)
			return -EINVAL; /* above 2^64 - 1 */
		id->num = id->num * 10 + d;
	}
	id->kind = VEXFS_ID_NUM;
	return 0;
}
