// SPDX-License-Identifier: GPL-2.0
/*
 * json_alloc.c: blocks of every size class come back aligned and
 * intact, are reused on their thread, survive being freed on another
 * thread, and nothing leaks when threads exit (ASan's leak check).
 *
 *	make -C gateway test
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json_alloc.h"
#include "vxtest.h"

VX_TEST(sizes_alignment_and_contents)
{
	static unsigned char *p[600];
	size_t i, j;

	for (i = 0; i < 600; i++) {
		p[i] = gw_json_malloc(i);
		VX_ASSERT(p[i]);
		VX_ASSERT(((uintptr_t)p[i] & 15) == 0);
		memset(p[i], (int)(i & 0xff), i);
	}
	for (i = 0; i < 600; i++)
		for (j = 0; j < i; j++)
			VX_ASSERT_EQ(p[i][j], i & 0xff);
	for (i = 0; i < 600; i++)
		gw_json_free(p[i]);
	gw_json_free(NULL);
}

VX_TEST(a_freed_block_is_reused_on_its_thread)
{
	void *a = gw_json_malloc(24), *b;

	gw_json_free(a);
	b = gw_json_malloc(20); /* the same 32-byte class */
	VX_ASSERT(a == b);
	gw_json_free(b);
	gw_json_alloc_drain();
}

struct pass {
	void *blocks[4096];
	size_t n;
};

/* Frees on this thread what the main thread allocated, then exits. */
static void *free_elsewhere(void *arg)
{
	struct pass *ps = arg;
	size_t i;

	for (i = 0; i < ps->n; i++)
		gw_json_free(ps->blocks[i]);
	/* And leaves cached blocks of its own behind for its destructor. */
	for (i = 0; i < 100; i++)
		gw_json_free(gw_json_malloc(i));
	return NULL;
}

VX_TEST(cross_thread_frees_and_thread_exit)
{
	static struct pass ps;
	pthread_t t;
	size_t i;

	for (i = 0; i < 4096; i++) {
		ps.blocks[i] = gw_json_malloc(i % 300);
		VX_ASSERT(ps.blocks[i]);
	}
	ps.n = 4096;
	VX_ASSERT(!pthread_create(&t, NULL, free_elsewhere, &ps));
	VX_ASSERT(!pthread_join(t, NULL));
}

VX_TEST(jansson_values_through_it)
{
	json_t *doc, *arr = json_array();
	char buf[64];
	int i;

	VX_ASSERT(arr);
	for (i = 0; i < 1000; i++)
		VX_ASSERT(!json_array_append_new(arr, json_real(i / 8.0)));
	doc = json_pack("{s:o, s:s}", "vector", arr, "name", "x");
	VX_ASSERT(doc);
	VX_ASSERT(json_dumpb(json_array_get(arr, 3), buf, sizeof(buf),
			     JSON_ENCODE_ANY) > 0);
	VX_ASSERT(!strncmp(buf, "0.375", 5));
	json_decref(doc);
}

int main(void)
{
	/* Before the first jansson value, as the gateway's main() does. */
	gw_json_alloc_init();
	return vx_run_tests() | (gw_json_alloc_drain(), 0);
}
