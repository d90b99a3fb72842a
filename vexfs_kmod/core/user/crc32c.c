// SPDX-License-Identifier: GPL-2.0
/*
 * CRC32C (Castagnoli) for the userspace host, bit-compatible with the
 * kernel's crc32c(seed, buf, len): reflected polynomial 0x82F63B78, no
 * implicit pre- or post-inversion (callers pass ~0 and invert if they want).
 */
#include "shim.h"

static u32 crc_table[8][256];

static void __attribute__((constructor)) crc32c_init_tables(void)
{
	for (u32 i = 0; i < 256; i++) {
		u32 c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
		crc_table[0][i] = c;
	}
	for (u32 i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc_table[t][i] =
				(crc_table[t - 1][i] >> 8) ^
				crc_table[0][crc_table[t - 1][i] & 0xff];
}

#if defined(__x86_64__)
/* SSE4.2 has a CRC32C instruction: 8 bytes per step, ~10x the table. */
__attribute__((target("sse4.2"))) static u32 crc32c_hw(u32 crc, const u8 *p,
						       size_t len)
{
	u64 c = crc;

	while (len >= 8) {
		u64 v;

		memcpy(&v, p, 8);
		c = __builtin_ia32_crc32di(c, v);
		p += 8;
		len -= 8;
	}
	crc = (u32)c;
	while (len--)
		crc = __builtin_ia32_crc32qi(crc, *p++);
	return crc;
}

static int have_hw = -1;
#endif

u32 vx_crc32c(u32 crc, const void *buf, size_t len)
{
#if defined(__x86_64__)
	if (have_hw < 0)
		have_hw = __builtin_cpu_supports("sse4.2");
	if (have_hw)
		return crc32c_hw(crc, buf, len);
#endif
	return vx_crc32c_generic(crc, buf, len);
}

u32 vx_crc32c_generic(u32 crc, const void *buf, size_t len)
{
	const u8 *p = buf;

	/* Slicing-by-8: eight bytes per step. */
	while (len >= 8) {
		u32 lo, hi;

		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
		lo = le32toh(lo) ^ crc;
		hi = le32toh(hi);
		crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
		      crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
		      crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
		      crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xff];
	return crc;
}
