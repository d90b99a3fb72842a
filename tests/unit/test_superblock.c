// SPDX-License-Identifier: GPL-2.0
/* Superblock codec: round trip, refusals, slot choice, bit flips. */
#include "format.h"
#include "vxtest.h"

static struct vx_disk_super sb_a, sb_b;

static void fresh(struct vx_disk_super *ds, u64 blocks, u64 gen)
{
	struct vx_mkfs_params p = {
		.total_blocks = blocks,
		.uuid = { 0x1122, 0x3344 },
		.created_sec = 1700000000,
		.label = "unit",
	};
	const char *why = NULL;

	VX_ASSERT_EQ(vx_super_format(ds, &p, &why), 0);
	ds->generation = cpu_to_le64(gen);
	ds->crc = cpu_to_le32(vx_super_crc(ds));
}

VX_TEST(format_decode_round_trip)
{
	struct vx_super_info info;
	const char *why = NULL;

	fresh(&sb_a, 16384, 1);
	VX_ASSERT_EQ(vx_super_decode(&sb_a, 16384, &info, &why), 0);
	VX_ASSERT_EQ(info.total_blocks, 16384);
	VX_ASSERT_EQ(info.wal_start, VX_WAL_START);
	VX_ASSERT_EQ(info.wal_blocks, 1024); /* 1/16 of the device */
	VX_ASSERT_EQ(info.data_start, VX_WAL_START + 1024);
	VX_ASSERT_EQ(info.uuid[0], 0x1122);
	VX_ASSERT_EQ(info.created_sec, 1700000000);
	VX_ASSERT(!strcmp(info.label, "unit"));
	VX_ASSERT(!info.read_only);
}

VX_TEST(format_refuses_small_device_and_long_label)
{
	struct vx_mkfs_params p = { .total_blocks = VX_MIN_BLOCKS - 1 };
	const char *why = NULL;

	VX_ASSERT_EQ(vx_super_format(&sb_a, &p, &why), -ENOSPC);
	VX_ASSERT(why != NULL);
	p.total_blocks = VX_MIN_BLOCKS;
	p.label =
		"0123456789012345678901234567890123456789012345678901234567890123456789";
	VX_ASSERT_EQ(vx_super_format(&sb_a, &p, &why), -EINVAL);
	p.label = NULL;
	VX_ASSERT_EQ(vx_super_format(&sb_a, &p, &why), 0);
}

VX_TEST(label_of_exactly_64_bytes_is_kept_whole)
{
	struct vx_mkfs_params p = { .total_blocks = 4096 };
	char label[VX_LABEL_MAX + 1];
	struct vx_super_info info;
	const char *why = NULL;

	memset(label, 'x', VX_LABEL_MAX);
	label[VX_LABEL_MAX] = '\0';
	p.label = label;
	VX_ASSERT_EQ(vx_super_format(&sb_a, &p, &why), 0);
	VX_ASSERT_EQ(vx_super_decode(&sb_a, 4096, &info, &why), 0);
	VX_ASSERT_EQ(strlen(info.label), VX_LABEL_MAX);
}

VX_TEST(decode_refusals)
{
	struct vx_super_info info;
	const char *why = NULL;

	fresh(&sb_a, 16384, 1);
	VX_ASSERT_EQ(vx_super_decode(&sb_a, 16383, &info, &why), -EINVAL);

	fresh(&sb_a, 16384, 1);
	sb_a.magic ^= 1;
	VX_ASSERT_EQ(vx_super_decode(&sb_a, 16384, &info, &why), -EINVAL);

	fresh(&sb_a, 16384, 1);
	sb_a.reserved[100] ^= 0x40;
	VX_ASSERT_EQ(vx_super_decode(&sb_a, 16384, &info, &why), -EUCLEAN);

	fresh(&sb_a, 16384, 1);
	sb_a.feature_incompat = cpu_to_le64(1);
	sb_a.crc = cpu_to_le32(vx_super_crc(&sb_a));
	VX_ASSERT_EQ(vx_super_decode(&sb_a, 16384, &info, &why), -EOPNOTSUPP);

	fresh(&sb_a, 16384, 1);
	sb_a.checkpoint_block = cpu_to_le64(16384);
	sb_a.crc = cpu_to_le32(vx_super_crc(&sb_a));
	VX_ASSERT_EQ(vx_super_decode(&sb_a, 16384, &info, &why), -EUCLEAN);

	fresh(&sb_a, 16384, 1);
	sb_a.feature_ro_compat = cpu_to_le64(2);
	sb_a.crc = cpu_to_le32(vx_super_crc(&sb_a));
	VX_ASSERT_EQ(vx_super_decode(&sb_a, 16384, &info, &why), 0);
	VX_ASSERT(info.read_only);
}

VX_TEST(pick_prefers_newest_valid_slot)
{
	struct vx_super_info info;
	const char *why = NULL;

	fresh(&sb_a, 16384, 5);
	fresh(&sb_b, 16384, 6);
	VX_ASSERT_EQ(vx_super_pick(&sb_a, &sb_b, 16384, &info, &why), 0);
	VX_ASSERT_EQ(info.slot, 1);
	VX_ASSERT_EQ(info.generation, 6);

	sb_b.label[3] ^= 1; /* torn write of the newer slot */
	VX_ASSERT_EQ(vx_super_pick(&sb_a, &sb_b, 16384, &info, &why), 0);
	VX_ASSERT_EQ(info.slot, 0);
	VX_ASSERT_EQ(info.generation, 5);

	sb_a.magic = 0;
	VX_ASSERT(vx_super_pick(&sb_a, &sb_b, 16384, &info, &why) != 0);
	VX_ASSERT(why != NULL);
}

/* Any single bit flip is caught by the checksum or the magic. */
VX_TEST(every_single_bit_flip_is_refused)
{
	struct vx_super_info info;
	const char *why = NULL;
	u8 *bytes = (u8 *)&sb_a;

	for (size_t bit = 0; bit < sizeof(sb_a) * 8; bit += 7) {
		fresh(&sb_a, 16384, 1);
		bytes[bit / 8] ^= (u8)(1u << (bit % 8));
		VX_ASSERT(vx_super_decode(&sb_a, 16384, &info, &why) != 0);
	}
}

int main(void)
{
	return vx_run_tests();
}
