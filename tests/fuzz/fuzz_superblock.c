// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the superblock decoder and slot picker on arbitrary
 * bytes, as mount sees them from a hostile image. The first 8 input bytes
 * choose the device size; then come slot A and slot B.
 */
#include <stdint.h>
#include <string.h>
#include "format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t slots[2][VX_BLOCK_SIZE] __attribute__((aligned(8)));
	struct vx_super_info info;
	const char *why = NULL;
	uint64_t dev_blocks = 0;
	size_t n;

	if (size >= 8) {
		memcpy(&dev_blocks, data, 8);
		data += 8;
		size -= 8;
	}
	memset(slots, 0, sizeof(slots));
	n = size < sizeof(slots) ? size : sizeof(slots);
	memcpy(slots, data, n);

	if (vx_super_pick(slots[0], slots[1], dev_blocks, &info, &why) == 0) {
		/* Whatever mount accepts must describe an in-bounds layout. */
		if (info.total_blocks > dev_blocks ||
		    info.data_start >= info.total_blocks ||
		    info.wal_start + info.wal_blocks != info.data_start ||
		    (info.checkpoint_block &&
		     info.checkpoint_block >= info.total_blocks) ||
		    info.label[VX_LABEL_MAX] != '\0')
			__builtin_trap();
	} else if (!why) {
		__builtin_trap(); /* every refusal says why */
	}
	return 0;
}
