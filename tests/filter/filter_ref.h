/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A straightforward reference evaluator of Qdrant filters over jansson
 * JSON payloads, written independently of the bytecode (doubles, libm,
 * recursion over the JSON), for differential tests of gateway/filter.c +
 * vexfs_kmod/core/filter*.c. Semantics: Documentation/vexfs/filters.rst.
 */
#ifndef VEXFS_TESTS_FILTER_REF_H
#define VEXFS_TESTS_FILTER_REF_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

struct ref_point {
	bool uuid;
	uint64_t num;
	uint8_t u[16];
	const json_t *payload; /* object or NULL */
	bool has_vector;
};

/* 1 match, 0 no match (the filter must be one the compiler accepts). */
int ref_filter_match(const json_t *filter, const struct ref_point *p);

#endif
