// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the evaluator on a fuzzed program and a fuzzed payload.
 * Input: le16 program length, the program (its header's length and node
 * count are patched so most inputs get past the header), then the payload.
 * Programs the verifier refuses and payloads the CBOR validator refuses
 * are dropped (the kernel never evaluates either); everything else is
 * evaluated, also on every element-sized prefix of the payload (a corrupt
 * stored payload must not be an out-of-bounds read), under ASan/UBSan.
 * Invariant checked: NOT(x) and x never agree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filter_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vexfs_point_id id = { .kind = VEXFS_ID_NUM, .num = 1 };
	struct vx_filter_subject s = { .id = &id };
	struct vx_filter *f, *nf;
	uint8_t *code, *neg;
	const uint8_t *payload;
	size_t plen, len, nodes = 0;
	uint32_t n32;
	const char *why;

	if (size < 2)
		return 0;
	len = data[0] | (size_t)data[1] << 8;
	if (len < 22 || len > size - 2)
		return 0;
	payload = data + 2 + len;
	plen = size - 2 - len;
	if (vx_cbor_validate(payload, plen, NULL))
		return 0;
	code = malloc(len);
	neg = malloc(len + 6);
	if (!code || !neg)
		abort();
	memcpy(code, data + 2, len);
	le32(code, VEXFS_FILTER_MAGIC);
	code[4] = VEXFS_FILTER_VERSION;
	code[5] = code[6] = code[7] = 0;
	le32(code + 8, (uint32_t)len);
	/* the node count is checked last: take the verifier's */
	if (vxf_verify(code, (uint32_t)len, &n32, &why) &&
	    (!why || strcmp(why, "filter: node count differs from the header")))
		goto out;
	le32(code + 12, n32);
	nodes = n32;
	if (vx_filter_load(code, (uint32_t)len, &f, &why))
		abort(); /* verified once, must verify again */
	/* the same program under a NOT */
	memcpy(neg, code, 16);
	le32(neg + 8, (uint32_t)len + 6);
	le32(neg + 12, (uint32_t)nodes + 1);
	neg[16] = VEXFS_FOP_NOT;
	neg[17] = 0;
	le32(neg + 18, (uint32_t)len - 16 + 6);
	memcpy(neg + 22, code + 16, len - 16);
	if (vx_filter_load(neg, (uint32_t)len + 6, &nf, &why)) {
		/* only the depth limit may refuse it */
		if (!why || strcmp(why, "filter: nodes nest too deep"))
			abort();
		nf = NULL;
	}
	for (size_t cut = plen;; cut = cut * 3 / 4) {
		bool a;

		s.payload = payload;
		s.payload_len = (uint32_t)cut;
		s.has_vector = cut & 1;
		a = vx_filter_match(f, &s);
		if (cut == plen && nf && vx_filter_match(nf, &s) == a)
			abort();
		if (!cut)
			break;
	}
	vx_filter_free(nf);
	vx_filter_free(f);
out:
	free(code);
	free(neg);
	return 0;
}
