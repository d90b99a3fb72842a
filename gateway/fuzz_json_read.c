// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the fast body reader (json_read.c): whatever text
 * it accepts, the slow path (jansson) must accept too and build the same
 * tree, down to every double's bits.
 *
 *   make -C gateway fuzz && gateway/build/fuzz_json_read -max_total_time=30
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DUMP_FLAGS (JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	json_t *fast = gw_json_read(text, size), *slow;
	char err[160], *a, *b;

	if (!fast)
		return 0;
	slow = gw_json_parse_slow(text, size, err, sizeof(err));
	if (!slow)
		abort(); /* the fast reader took what jansson refuses */
	a = json_dumps(fast, DUMP_FLAGS);
	b = json_dumps(slow, DUMP_FLAGS);
	if (!a || !b || strcmp(a, b))
		abort(); /* different trees */
	free(a);
	free(b);
	json_decref(fast);
	json_decref(slow);
	return 0;
}
