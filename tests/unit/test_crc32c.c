// SPDX-License-Identifier: GPL-2.0
/* The userspace CRC32C must match the kernel's crc32c() bit for bit. */
#include "shim.h"
#include "vxtest.h"

VX_TEST(crc32c_check_value)
{
	/* RFC 3720 / iSCSI check value of "123456789" with ~0 in, ~ out. */
	VX_ASSERT_EQ(~vx_crc32c(~0u, "123456789", 9), 0xE3069283u);
}

VX_TEST(crc32c_rfc3720_zeros)
{
	unsigned char buf[32] = { 0 };

	VX_ASSERT_EQ(~vx_crc32c(~0u, buf, sizeof(buf)), 0x8A9136AAu);
	memset(buf, 0xff, sizeof(buf));
	VX_ASSERT_EQ(~vx_crc32c(~0u, buf, sizeof(buf)), 0x62A8AB43u);
}

VX_TEST(crc32c_chaining_equals_one_shot)
{
	unsigned char buf[1031];
	u32 one, two;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	one = vx_crc32c(~0u, buf, sizeof(buf));
	for (size_t cut = 0; cut <= sizeof(buf); cut += 97) {
		two = vx_crc32c(vx_crc32c(~0u, buf, cut), buf + cut,
				sizeof(buf) - cut);
		VX_ASSERT_EQ(one, two);
	}
}

/* The hardware path (SSE4.2 where present) and the table agree. */
VX_TEST(crc32c_hardware_matches_table)
{
	static unsigned char buf[4099];
	u64 x = 88172645463325252ULL;

	for (size_t i = 0; i < sizeof(buf); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (unsigned char)x;
	}
	for (size_t off = 0; off < 9; off++)
		for (size_t len = 0; len + off <= sizeof(buf); len += 61)
			VX_ASSERT_EQ(vx_crc32c(0x1234u, buf + off, len),
				     vx_crc32c_generic(0x1234u, buf + off,
						       len));
}

int main(void)
{
	return vx_run_tests();
}
