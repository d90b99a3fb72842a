// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: filter bytecode as a hostile program could pass it in
 * struct vexfs_filter. On arbitrary bytes the verifier does not crash or
 * read out of bounds, and whatever it accepts the evaluator runs on a set
 * of fixed payloads (arrays, nested maps, geo points, datetimes) without
 * tripping ASan/UBSan: the evaluator trusts exactly what the verifier
 * checked. The input is the whole program, header included; its length
 * field is patched to the input size half of the time so the fuzzer gets
 * past the header check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "cbor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * {"a": [1, -2, 2.5, "x", null, true, [], {"b": 3}],
 *  "g": {"lon": 13.4, "lat": 52.5}, "d": "2023-02-08T10:49:00Z",
 *  "n": [{"a": 1, "g": {"lon": -179.5, "lat": 89.9}}]}
 */
static const uint8_t payload[] = {
	0xa4, 0x61, 'a',  0x88, 0x01, 0x21, 0xf9, 0x41, 0x00, 0x61, 'x',  0xf6,
	0xf5, 0x80, 0xa1, 0x61, 'b',  0x03, 0x61, 'g',	0xa2, 0x63, 'l',  'o',
	'n',  0xfb, 0x40, 0x2a, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcd, 0x63, 'l',
	'a',  't',  0xf9, 0x52, 0x90, 0x61, 'd',  0x74, '2',  '0',  '2',  '3',
	'-',  '0',  '2',  '-',	'0',  '8',  'T',  '1',	'0',  ':',  '4',  '9',
	':',  '0',  '0',  'Z',	0x61, 'n',  0x81, 0xa2, 0x61, 'a',  0x01, 0x61,
	'g',  0xa2, 0x63, 'l',	'o',  'n',  0xfb, 0xc0, 0x66, 0x70, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x63, 'l',  'a',  't',  0xfb, 0x40, 0x56, 0x79, 0x99,
	0x99, 0x99, 0x99, 0x9a,
};

/* Read everything a planner could read from a required condition. */
static int touch(void *arg, const struct vx_filter_cond *c)
{
	volatile uint64_t sum = 0;
	uint32_t len;

	for (uint32_t i = 0; i < c->key_len; i++)
		sum += (uint8_t)c->key[i];
	for (uint32_t i = 0; i < c->str_len; i++)
		sum += c->str[i];
	if (c->kind == VX_FC_MATCH_ANY_INT)
		for (uint32_t i = 0; i < c->n; i++)
			sum += (uint64_t)vx_filter_cond_int(c, i);
	if (c->kind == VX_FC_MATCH_ANY_STR)
		for (uint32_t i = 0; i < c->n; i++)
			sum += vx_filter_cond_str(c, i,
						  &len)[len ? len - 1 : 0];
	if (c->kind == VX_FC_HAS_ID) {
		for (uint32_t i = 0; i < c->n; i++)
			sum += vx_filter_cond_id(c, i);
		for (uint32_t i = 0; i < c->n_uuid; i++)
			sum += vx_filter_cond_uuid(c, i)[15];
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vexfs_point_id id = { .kind = VEXFS_ID_NUM, .num = 3 };
	struct vx_filter_subject s = { .id = &id };
	static int checked;
	struct vx_filter *f;
	const char *why;
	uint8_t *code;
	int err;

	if (!checked) {
		if (vx_cbor_validate(payload, sizeof(payload), NULL))
			abort(); /* the fixed payload must be valid */
		checked = 1;
	}
	if (size > VEXFS_FILTER_MAX + 16)
		return 0;
	code = malloc(size ? size : 1);
	if (!code)
		return 0;
	if (size)
		memcpy(code, data, size);
	if (size >= 12 && (size & 1)) {
		code[8] = (uint8_t)size;
		code[9] = (uint8_t)(size >> 8);
		code[10] = (uint8_t)(size >> 16);
		code[11] = 0;
	}
	err = vx_filter_load(code, (uint32_t)size, &f, &why);
	if (!err) {
		free(code); /* the filter keeps its own copy */
		code = NULL;
		s.payload = payload;
		s.payload_len = sizeof(payload);
		s.has_vector = true;
		vx_filter_match(f, &s);
		s.payload_len = 0;
		id.kind = VEXFS_ID_UUID;
		vx_filter_match(f, &s);
		if (vx_filter_required(f, touch, NULL))
			abort();
		vx_filter_free(f);
	} else if (err != -EINVAL && err != -E2BIG) {
		abort();
	} else if (!why) {
		abort(); /* every refusal says why */
	}
	free(code);
	return 0;
}
