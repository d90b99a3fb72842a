// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the seed corpora of fuzz_filter_verify and fuzz_filter_eval
 * (tests/fuzz/corpus/) from Qdrant filter JSON compiled by the gateway:
 *   cc -Ivexfs_kmod/core -Iuapi -I. tests/fuzz/filter_seedgen.c \
 *      gateway/filter.c gateway/json_cbor.c vexfs_kmod/core/filter*.c \
 *      vexfs_kmod/core/cbor.c -ljansson -lm -o filter_seedgen
 *   ./filter_seedgen tests/fuzz/corpus
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/filter.h"
#include "gateway/json_cbor.h"

static const char *const filters[] = {
	"{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"London\"}},{\"key\":\"n\",\"match\":{\"value\":3}}]}",
	"{\"should\":[{\"key\":\"a\",\"match\":{\"any\":[1,2,3]}},{\"key\":\"t\",\"match\":{\"except\":[\"x\",\"y\"]}}]}",
	"{\"must_not\":[{\"key\":\"a[].b\",\"match\":{\"value\":true}}],\"must\":{\"key\":\"d\",\"match\":{\"text\":\"ood\"}}}",
	"{\"min_should\":{\"conditions\":[{\"key\":\"a\",\"range\":{\"gt\":1.5,\"lte\":9}},{\"is_empty\":{\"key\":\"z\"}},{\"is_null\":{\"key\":\"y\"}}],\"min_count\":2}}",
	"{\"must\":[{\"key\":\"d\",\"range\":{\"gte\":\"2023-02-08T10:49:00Z\",\"lt\":\"2024-01-01T00:00:00+02:00\"}}]}",
	"{\"must\":[{\"key\":\"a\",\"values_count\":{\"gt\":1,\"lt\":5}},{\"has_id\":[1,2,\"936DA01F-9ABD-4D9D-80C7-02AF85C822A8\"]},{\"has_vector\":\"\"}]}",
	"{\"must\":[{\"key\":\"g\",\"geo_bounding_box\":{\"top_left\":{\"lon\":170,\"lat\":60},\"bottom_right\":{\"lon\":-170,\"lat\":-10}}}]}",
	"{\"must\":[{\"key\":\"g\",\"geo_radius\":{\"center\":{\"lon\":13.4,\"lat\":52.5},\"radius\":1000}}]}",
	"{\"must\":[{\"key\":\"g\",\"geo_polygon\":{\"exterior\":{\"points\":[{\"lon\":0,\"lat\":0},{\"lon\":20,\"lat\":0},{\"lon\":20,\"lat\":60},{\"lon\":0,\"lat\":0}]},\"interiors\":[{\"points\":[{\"lon\":5,\"lat\":5},{\"lon\":10,\"lat\":5},{\"lon\":10,\"lat\":10},{\"lon\":5,\"lat\":5}]}]}}]}",
	"{\"must\":[{\"nested\":{\"key\":\"n\",\"filter\":{\"must\":[{\"key\":\"a\",\"match\":{\"value\":1}},{\"nested\":{\"key\":\"m\",\"filter\":{\"must_not\":[{\"key\":\"b\",\"range\":{\"lt\":0}}]}}}]}}}]}",
	"{\"must\":[{\"must\":[{\"should\":[{\"key\":\"\\\"x.y\\\"[0]\",\"match\":{\"value\":\"v\"}}]}]}]}",
};

static const char *const payloads[] = {
	"{\"city\":\"London\",\"n\":3,\"a\":[1,-2,2.5,\"x\",null,true,[],{\"b\":true}],\"d\":\"good\"}",
	"{\"g\":{\"lon\":13.401,\"lat\":52.5001},\"d\":\"2023-06-01T00:00:00.5-04:00\",\"t\":[\"x\",\"w\"]}",
	"{\"n\":[{\"a\":1,\"m\":[{\"b\":-1},{\"b\":2}]},{\"a\":2}],\"z\":[],\"y\":null}",
	"{\"x.y\":[\"v\"],\"g\":[{\"lon\":-179.9,\"lat\":1},{\"lon\":15,\"lat\":30}]}",
};

static void write_file(const char *dir, const char *name, int i, const void *a,
		       size_t an, const void *b, size_t bn)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/seed-%02d", dir, name, i);
	f = fopen(path, "wb");
	if (!f || fwrite(a, 1, an, f) != an ||
	    (bn && fwrite(b, 1, bn, f) != bn)) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	int k = 0;

	if (argc != 2)
		return 2;
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		json_error_t je;
		json_t *j = json_loads(filters[i], 0, &je);
		char err[256];
		void *code;
		uint32_t len;

		if (!j || gw_filter_compile(j, &code, &len, err, sizeof(err))) {
			fprintf(stderr, "filter %zu: %s\n", i,
				j ? err : je.text);
			return 1;
		}
		write_file(argv[1], "fuzz_filter_verify", (int)i, code, len,
			   NULL, 0);
		for (size_t p = 0; p < sizeof(payloads) / sizeof(payloads[0]);
		     p++) {
			json_t *pj = json_loads(payloads[p], 0, &je);
			uint8_t *cbor,
				hdr[2] = { (uint8_t)len, (uint8_t)(len >> 8) };
			uint8_t *buf;
			size_t clen;

			if (!pj ||
			    gw_json_to_cbor(pj, &cbor, &clen, err, sizeof(err)))
				return 1;
			buf = malloc(2 + len);
			memcpy(buf, hdr, 2);
			memcpy(buf + 2, code, len);
			write_file(argv[1], "fuzz_filter_eval", k++, buf,
				   2 + len, cbor, clen);
			free(buf);
			free(cbor);
			json_decref(pj);
		}
		free(code);
		json_decref(j);
	}
	return 0;
}
