/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny TAP-producing unit-test harness for the userspace core.
 *
 *	VX_TEST(name) { VX_ASSERT(cond); VX_ASSERT_EQ(a, b); ... }
 *	int main(void) { return vx_run_tests(); }
 *
 * Each test runs in order; a failed assertion ends that test and is reported
 * as "not ok". The process exits non-zero if anything failed, and prints a
 * "# vxtest: N passed, N failed" summary the top-level tally reads as TAP.
 */
#ifndef VXTEST_H
#define VXTEST_H

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vx_test {
	const char *name;
	void (*fn)(void);
	struct vx_test *next;
};

static struct vx_test *vx_tests_head, **vx_tests_tail = &vx_tests_head;
static jmp_buf vx_test_jmp;
static int vx_test_failed;

#define VX_TEST(name)                                                       \
	static void vx_test_##name(void);                                   \
	static struct vx_test vx_test_rec_##name = { #name, vx_test_##name, \
						     NULL };                \
	static void __attribute__((constructor)) vx_test_reg_##name(void)   \
	{                                                                   \
		*vx_tests_tail = &vx_test_rec_##name;                       \
		vx_tests_tail = &vx_test_rec_##name.next;                   \
	}                                                                   \
	static void vx_test_##name(void)

#define VX_FAIL(...)                                       \
	do {                                               \
		printf("#   %s:%d: ", __FILE__, __LINE__); \
		printf(__VA_ARGS__);                       \
		printf("\n");                              \
		vx_test_failed = 1;                        \
		longjmp(vx_test_jmp, 1);                   \
	} while (0)

#define VX_ASSERT(cond)                                         \
	do {                                                    \
		if (!(cond))                                    \
			VX_FAIL("assertion failed: %s", #cond); \
	} while (0)

#define VX_ASSERT_EQ(a, b)                                                   \
	do {                                                                 \
		long long _va = (long long)(a), _vb = (long long)(b);        \
		if (_va != _vb)                                              \
			VX_FAIL("%s == %s: %lld != %lld", #a, #b, _va, _vb); \
	} while (0)

static inline int vx_run_tests(void)
{
	/* volatile: these live across the longjmp out of a failed test */
	volatile int n = 0, passed = 0, failed = 0;
	struct vx_test *volatile t;

	for (t = vx_tests_head; t; t = t->next)
		n++;
	printf("TAP version 13\n1..%d\n", n);
	n = 0;
	for (t = vx_tests_head; t; t = t->next) {
		vx_test_failed = 0;
		if (!setjmp(vx_test_jmp))
			t->fn();
		n++;
		if (vx_test_failed) {
			failed++;
			printf("not ok %d - %s\n", n, t->name);
		} else {
			passed++;
			printf("ok %d - %s\n", n, t->name);
		}
		fflush(stdout);
	}
	printf("# vxtest: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

#endif /* VXTEST_H */
