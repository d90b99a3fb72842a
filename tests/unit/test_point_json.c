// SPDX-License-Identifier: GPL-2.0
/* Point names and JSON rendering for the directory view. */
#include "point_json.h"
#include "vxtest.h"

VX_TEST(ids_format_and_parse_back)
{
	struct vexfs_point_id id = { .kind = VEXFS_ID_NUM,
				     .num = 18446744073709551615ULL },
			      back;
	char buf[40];

	VX_ASSERT_EQ(vx_point_id_format(&id, buf, sizeof(buf)), 20);
	VX_ASSERT(!strcmp(buf, "18446744073709551615"));
	VX_ASSERT_EQ(vx_point_id_parse(buf, 20, &back), 0);
	VX_ASSERT(back.kind == VEXFS_ID_NUM && back.num == id.num);
	VX_ASSERT_EQ(vx_point_id_parse("18446744073709551616", 20, &back),
		     -EINVAL);
	VX_ASSERT_EQ(vx_point_id_parse("007", 3, &back), -EINVAL);
	VX_ASSERT_EQ(vx_point_id_parse("", 0, &back), -EINVAL);
	VX_ASSERT_EQ(vx_point_id_parse("12a", 3, &back), -EINVAL);

	VX_ASSERT_EQ(vx_point_id_parse("550E8400-e29b-41d4-a716-446655440000",
				       36, &back),
		     0);
	VX_ASSERT_EQ(back.kind, VEXFS_ID_UUID);
	VX_ASSERT_EQ(vx_point_id_format(&back, buf, sizeof(buf)), 36);
	VX_ASSERT(!strcmp(buf, "550e8400-e29b-41d4-a716-446655440000"));
	VX_ASSERT_EQ(vx_point_id_parse("550e8400xe29b-41d4-a716-446655440000",
				       36, &back),
		     -EINVAL);
}

VX_TEST(point_renders_as_json)
{
	struct vexfs_point_id id = { .kind = VEXFS_ID_NUM, .num = 7 };
	const float vec[3] = { 0.5f, -2.0f, 1e-3f };
	const u8 payload[] = { 0xa2, 0x61, 'a', 0x01, 0x61,
			       'b',  0x63, 'x', 'y',  'z' };
	char buf[256];
	ssize_t n;

	n = vx_point_to_json(&id, vec, 3, payload, sizeof(payload), buf,
			     sizeof(buf));
	VX_ASSERT(n > 0 && (size_t)n < sizeof(buf));
	VX_ASSERT(!strcmp(
		buf,
		"{\"id\": 7, \"vector\": [0.5, -2.0, 0.0010000000474974513], "
		"\"payload\": {\"a\":1,\"b\":\"xyz\"}}\n"));
	/* Truncation reports the full length, as snprintf does. */
	VX_ASSERT_EQ(vx_point_to_json(&id, vec, 3, payload, sizeof(payload),
				      buf, 10),
		     n);
	n = vx_point_to_json(&id, vec, 1, NULL, 0, buf, sizeof(buf));
	VX_ASSERT(!strcmp(buf,
			  "{\"id\": 7, \"vector\": [0.5], \"payload\": {}}\n"));
}

VX_TEST(point_without_vector_has_no_vector_member)
{
	struct vexfs_point_id id = { .kind = VEXFS_ID_NUM, .num = 9 };
	static const u8 payload[] = { 0xa1, 0x61, 'a', 0x01 };
	char buf[64];
	ssize_t n = vx_point_to_json(&id, NULL, 0, payload, sizeof(payload),
				     buf, sizeof(buf));

	VX_ASSERT(n > 0 && (size_t)n < sizeof(buf));
	VX_ASSERT(!strcmp(buf, "{\"id\": 9, \"payload\": {\"a\":1}}\n"));
}

int main(void)
{
	return vx_run_tests();
}
