// SPDX-License-Identifier: GPL-2.0
/*
 * Superblock encode, decode and slot selection.
 *
 * The decoder treats the block as untrusted bytes: every field that later
 * code uses to address the device is range-checked here, so a corrupt or
 * hostile image is refused at mount instead of steering I/O out of bounds.
 */
#include "format.h"

u32 vx_super_crc(const struct vx_disk_super *ds)
{
	static const __le32 zero;
	u32 crc;

	crc = vx_crc32c(~0u, ds, offsetof(struct vx_disk_super, crc));
	crc = vx_crc32c(crc, &zero, sizeof(zero));
	crc = vx_crc32c(crc, &ds->generation,
			sizeof(*ds) -
				offsetof(struct vx_disk_super, generation));
	return ~crc;
}

static u64 default_wal_blocks(u64 total_blocks)
{
	/* 1/16 of the device, between 1 MiB and 256 MiB. */
	u64 wal = total_blocks / 16;

	if (wal < VX_MIN_WAL_BLOCKS)
		wal = VX_MIN_WAL_BLOCKS;
	if (wal > 65536)
		wal = 65536;
	return wal;
}

int vx_super_format(struct vx_disk_super *ds, const struct vx_mkfs_params *p,
		    const char **why)
{
	u64 wal = p->wal_blocks ? p->wal_blocks :
				  default_wal_blocks(p->total_blocks);
	size_t label_len = 0;

	if (p->total_blocks < VX_MIN_BLOCKS) {
		*why = "device too small";
		return -ENOSPC;
	}
	if (wal < VX_MIN_WAL_BLOCKS ||
	    wal > p->total_blocks - VX_WAL_START - VX_MIN_DATA_BLOCKS) {
		*why = "WAL size out of range for this device";
		return -EINVAL;
	}
	if (p->label) {
		label_len = strlen(p->label);
		if (label_len > VX_LABEL_MAX) {
			*why = "label longer than 64 bytes";
			return -EINVAL;
		}
	}

	memset(ds, 0, sizeof(*ds));
	ds->magic = cpu_to_le64(VX_SB_MAGIC);
	ds->version = cpu_to_le32(VX_FORMAT_VERSION);
	ds->generation = cpu_to_le64(1);
	ds->block_size = cpu_to_le32(VX_BLOCK_SIZE);
	ds->total_blocks = cpu_to_le64(p->total_blocks);
	ds->wal_start = cpu_to_le64(VX_WAL_START);
	ds->wal_blocks = cpu_to_le64(wal);
	ds->data_start = cpu_to_le64(VX_WAL_START + wal);
	ds->wal_replay_seq = cpu_to_le64(1);
	ds->wal_replay_off = cpu_to_le64(0);
	ds->wal_replay_prev = cpu_to_le32(0);
	ds->created_sec = cpu_to_le64(p->created_sec);
	ds->uuid[0] = cpu_to_le64(p->uuid[0]);
	ds->uuid[1] = cpu_to_le64(p->uuid[1]);
	if (label_len)
		memcpy(ds->label, p->label, label_len);
	ds->crc = cpu_to_le32(vx_super_crc(ds));
	return 0;
}

/* Re-encode a superblock from its decoded form (with a new generation etc.). */
void vx_super_encode(struct vx_disk_super *ds, const struct vx_super_info *info)
{
	memset(ds, 0, sizeof(*ds));
	ds->magic = cpu_to_le64(VX_SB_MAGIC);
	ds->version = cpu_to_le32(VX_FORMAT_VERSION);
	ds->generation = cpu_to_le64(info->generation);
	ds->feature_compat = cpu_to_le64(info->feature_compat);
	ds->feature_ro_compat = cpu_to_le64(info->feature_ro_compat);
	ds->feature_incompat = cpu_to_le64(info->feature_incompat);
	ds->block_size = cpu_to_le32(VX_BLOCK_SIZE);
	ds->total_blocks = cpu_to_le64(info->total_blocks);
	ds->wal_start = cpu_to_le64(info->wal_start);
	ds->wal_blocks = cpu_to_le64(info->wal_blocks);
	ds->data_start = cpu_to_le64(info->data_start);
	ds->checkpoint_block = cpu_to_le64(info->checkpoint_block);
	ds->wal_replay_seq = cpu_to_le64(info->wal_replay_seq);
	ds->wal_replay_off = cpu_to_le64(info->wal_replay_off);
	ds->wal_replay_prev = cpu_to_le32(info->wal_replay_prev);
	ds->created_sec = cpu_to_le64(info->created_sec);
	ds->uuid[0] = cpu_to_le64(info->uuid[0]);
	ds->uuid[1] = cpu_to_le64(info->uuid[1]);
	memcpy(ds->label, info->label, VX_LABEL_MAX);
	ds->crc = cpu_to_le32(vx_super_crc(ds));
}

int vx_super_decode(const void *block, u64 dev_blocks,
		    struct vx_super_info *info, const char **why)
{
	const struct vx_disk_super *ds = block;
	u64 total, wal_start, wal_blocks, data_start, ckpt, unknown;

	if (le64_to_cpu(ds->magic) != VX_SB_MAGIC) {
		*why = "bad magic";
		return -EINVAL;
	}
	if (le32_to_cpu(ds->crc) != vx_super_crc(ds)) {
		*why = "checksum mismatch";
		return -EUCLEAN;
	}
	if (le32_to_cpu(ds->version) != VX_FORMAT_VERSION) {
		*why = "unsupported format version";
		return -EINVAL;
	}
	if (le32_to_cpu(ds->block_size) != VX_BLOCK_SIZE) {
		*why = "unsupported block size";
		return -EINVAL;
	}
	unknown = le64_to_cpu(ds->feature_incompat) & ~VX_FEATURE_INCOMPAT_SUPP;
	if (unknown) {
		*why = "unknown incompatible features";
		return -EOPNOTSUPP;
	}

	total = le64_to_cpu(ds->total_blocks);
	wal_start = le64_to_cpu(ds->wal_start);
	wal_blocks = le64_to_cpu(ds->wal_blocks);
	data_start = le64_to_cpu(ds->data_start);
	ckpt = le64_to_cpu(ds->checkpoint_block);
	if (total < VX_MIN_BLOCKS || total > dev_blocks) {
		*why = "filesystem larger than the device";
		return -EINVAL;
	}
	if (wal_start != VX_WAL_START || wal_blocks < VX_MIN_WAL_BLOCKS ||
	    wal_blocks > total - wal_start ||
	    data_start != wal_start + wal_blocks || data_start >= total) {
		*why = "inconsistent layout";
		return -EUCLEAN;
	}
	if (ckpt && (ckpt < data_start || ckpt >= total)) {
		*why = "checkpoint outside the data area";
		return -EUCLEAN;
	}
	if (le64_to_cpu(ds->wal_replay_off) >= wal_blocks * VX_BLOCK_SIZE ||
	    le64_to_cpu(ds->wal_replay_off) % VX_WAL_ALIGN ||
	    !le64_to_cpu(ds->wal_replay_seq)) {
		*why = "WAL replay position out of range";
		return -EUCLEAN;
	}

	memset(info, 0, sizeof(*info));
	info->generation = le64_to_cpu(ds->generation);
	info->feature_compat = le64_to_cpu(ds->feature_compat);
	info->feature_ro_compat = le64_to_cpu(ds->feature_ro_compat);
	info->feature_incompat = le64_to_cpu(ds->feature_incompat);
	info->total_blocks = total;
	info->wal_start = wal_start;
	info->wal_blocks = wal_blocks;
	info->data_start = data_start;
	info->checkpoint_block = ckpt;
	info->wal_replay_seq = le64_to_cpu(ds->wal_replay_seq);
	info->wal_replay_off = le64_to_cpu(ds->wal_replay_off);
	info->wal_replay_prev = le32_to_cpu(ds->wal_replay_prev);
	info->created_sec = le64_to_cpu(ds->created_sec);
	info->uuid[0] = le64_to_cpu(ds->uuid[0]);
	info->uuid[1] = le64_to_cpu(ds->uuid[1]);
	memcpy(info->label, ds->label, VX_LABEL_MAX);
	info->label[VX_LABEL_MAX] = '\0';
	info->read_only =
		(info->feature_ro_compat & ~VX_FEATURE_RO_COMPAT_SUPP) != 0;
	return 0;
}

int vx_super_pick(const void *slot_a, const void *slot_b, u64 dev_blocks,
		  struct vx_super_info *info, const char **why)
{
	struct vx_super_info a, b;
	const char *why_a = NULL, *why_b = NULL;
	int err_a = vx_super_decode(slot_a, dev_blocks, &a, &why_a);
	int err_b = vx_super_decode(slot_b, dev_blocks, &b, &why_b);

	if (err_a && err_b) {
		/* Report slot A: it is the one mkfs and a fresh fs write first. */
		*why = why_a;
		return err_a;
	}
	if (!err_a && (err_b || a.generation >= b.generation)) {
		*info = a;
		info->slot = 0;
	} else {
		*info = b;
		info->slot = 1;
	}
	return 0;
}
