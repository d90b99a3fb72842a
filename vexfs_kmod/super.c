// SPDX-License-Identifier: GPL-2.0
/*
 * Mount, unmount, sync, statfs and remount: the VFS side of the storage
 * engine (core/store.c). Mount is the engine's recovery: superblock slots,
 * checkpoint, WAL replay. Unmount and remount read-only checkpoint.
 */
#include <linux/blkdev.h>
#include <linux/fs_context.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include "vexfs.h"

#define VEXFS_SUPER_MAGIC 0x56455846 /* "VEXF", reported by statfs */
#define VEXFS_CKPT_PERIOD (5 * HZ) /* look at the WAL this often */
#define VEXFS_CKPT_WAL_PCT 50 /* checkpoint when the WAL is this full */
#define VEXFS_CKPT_IDLE (60 * HZ) /* and at least this often with a WAL */

static int vexfs_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(dentry->d_sb);
	struct vx_store *s = sbi->db->store;
	u64 cap = vx_store_capacity(s) / VX_CKPT_PAYLOAD;
	u64 used = VX_DIV_ROUND_UP(vx_db_state_bytes(sbi->db),
				   (u64)VX_CKPT_PAYLOAD);

	buf->f_type = VEXFS_SUPER_MAGIC;
	buf->f_bsize = VX_BLOCK_SIZE;
	buf->f_blocks = cap;
	buf->f_bfree = used < cap ? cap - used : 0;
	buf->f_bavail = buf->f_bfree;
	buf->f_files = VEXFS_MAX_COLLECTIONS;
	buf->f_ffree = VEXFS_MAX_COLLECTIONS - sbi->db->nr_colls;
	buf->f_namelen = VEXFS_COLLECTION_NAME_MAX;
	buf->f_fsid.val[0] = (u32)s->sb.uuid[0] ^ (u32)(s->sb.uuid[0] >> 32);
	buf->f_fsid.val[1] = (u32)s->sb.uuid[1] ^ (u32)(s->sb.uuid[1] >> 32);
	return 0;
}

static void vexfs_ckpt_worker(struct work_struct *work)
{
	struct vexfs_sb_info *sbi = container_of(
		to_delayed_work(work), struct vexfs_sb_info, ckpt_work);
	struct vx_store *s = sbi->db->store;
	struct vx_store_stats st;
	int err = 0;

	vx_store_stats(s, &st);
	if (st.wal_bytes_used * 100 >= st.wal_bytes * VEXFS_CKPT_WAL_PCT ||
	    (st.wal_bytes_used &&
	     time_after(jiffies, sbi->last_ckpt + VEXFS_CKPT_IDLE))) {
		err = vx_store_checkpoint(s);
		sbi->last_ckpt = jiffies;
	}
	if (err && err != -EROFS)
		pr_warn_ratelimited("vexfs: background checkpoint failed: %d\n",
				    err);
	queue_delayed_work(system_unbound_wq, &sbi->ckpt_work,
			   VEXFS_CKPT_PERIOD);
}

/*
 * Background indexing: new points are searchable at once (an exact scan of
 * the queued tail) and this worker links them into the HNSW graphs in
 * bounded slices, so no write waits for graph insertion.
 */
#define VEXFS_INDEX_BUDGET 256
/* INDEXED events per pass: more queues draining in one pass go unannounced */
#define VEXFS_DRAINED_MAX 64

/* VEXFS_EVENT_INDEXED for a collection whose queue just drained. */
static void vexfs_indexed_event(struct vx_db *db, u32 coll_id)
{
	char name[VEXFS_COLLECTION_NAME_MAX + 1];
	struct vx_collection *c = vx_db_get_collection_id(db, coll_id);
	u64 points, pending;
	u32 len;

	if (!c)
		return; /* deleted meanwhile */
	len = c->name_len;
	memcpy(name, c->name, len);
	points = vx_collection_indexed(c);
	pending = vx_vindex_nr_pending(c->vi);
	vx_db_put_collection(db, c);
	if (!pending) /* not refilled since: the graph holds every point */
		vexfs_genl_event_ex(VEXFS_EVENT_INDEXED, name, len, NULL, 0,
				    points);
}

static void vexfs_index_worker(struct work_struct *work)
{
	struct vexfs_sb_info *sbi =
		container_of(work, struct vexfs_sb_info, index_work);
	u32 drained[VEXFS_DRAINED_MAX], nr_drained = 0;
	u64 pending = 0;
	int err;

	err = vx_db_index_pending_ex(sbi->db, VEXFS_INDEX_BUDGET, &pending,
				     drained, VEXFS_DRAINED_MAX, &nr_drained);
	for (u32 i = 0; i < nr_drained; i++)
		vexfs_indexed_event(sbi->db, drained[i]);
	if (err)
		pr_warn_ratelimited("vexfs: background indexing failed: %d\n",
				    err);
	else if (pending)
		queue_work(system_unbound_wq, &sbi->index_work);
}

void vexfs_kick_indexer(struct super_block *sb)
{
	queue_work(system_unbound_wq, &VEXFS_SB(sb)->index_work);
}

static void vexfs_put_super(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	int err;

	cancel_delayed_work_sync(&sbi->ckpt_work);
	cancel_work_sync(&sbi->index_work);
	err = vx_db_close(sbi->db, !sb_rdonly(sb));
	if (err)
		pr_err("vexfs: %s: checkpoint at unmount failed: %d\n",
		       sb->s_id, err);
	vx_db_free(sbi->db);
	sbi->db = NULL;
}

static int vexfs_sync_fs(struct super_block *sb, int wait)
{
	/* Acknowledged writes are durable already; this covers the rest. */
	return vx_store_sync(VEXFS_SB(sb)->db->store);
}

static const struct super_operations vexfs_super_ops = {
	.statfs = vexfs_statfs,
	.put_super = vexfs_put_super,
	.sync_fs = vexfs_sync_fs,
	.drop_inode = generic_delete_inode,
};

static int vexfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct vexfs_sb_info *sbi;
	const char *why = "unknown";
	struct inode *root;
	int err;

	sbi = kzalloc(sizeof(*sbi), GFP_KERNEL);
	if (!sbi)
		return -ENOMEM;
	sb->s_fs_info = sbi; /* freed by vexfs_kill_sb, also on failure */
	INIT_DELAYED_WORK(&sbi->ckpt_work, vexfs_ckpt_worker);
	INIT_WORK(&sbi->index_work, vexfs_index_worker);

	if (!sb_set_blocksize(sb, VX_BLOCK_SIZE))
		return invalfc(fc, "device block size above %u", VX_BLOCK_SIZE);
	vexfs_bdev_init(&sbi->vbd, sb->s_bdev);
	if (sbi->vbd.bd.nr_blocks < VX_MIN_BLOCKS)
		return invalfc(fc, "device too small for vexfs");
	sbi->db = vx_db_new();
	if (!sbi->db)
		return -ENOMEM;
	err = vx_db_open(sbi->db, &sbi->vbd.bd,
			 sb_rdonly(sb) ? VX_STORE_RDONLY : 0, &why);
	if (err) {
		vx_db_free(sbi->db);
		sbi->db = NULL;
		if (err == -EROFS)
			return invalfc(fc, "%s", why);
		errorfc(fc, "cannot mount %s: %s", sb->s_id, why);
		return err;
	}

	sb->s_magic = VEXFS_SUPER_MAGIC;
	sb->s_op = &vexfs_super_ops;
	sb->s_d_op = &vexfs_dentry_ops;
	sb->s_time_gran = 1;
	sb->s_maxbytes = MAX_LFS_FILESIZE;

	root = vexfs_root_inode(sb);
	if (IS_ERR(root))
		return PTR_ERR(root);
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		return -ENOMEM;
	sbi->last_ckpt = jiffies;
	queue_delayed_work(system_unbound_wq, &sbi->ckpt_work,
			   VEXFS_CKPT_PERIOD);
	vexfs_kick_indexer(sb); /* points recovered at mount */
	pr_info("vexfs: mounted %s (generation %llu, %llu WAL records replayed)\n",
		sb->s_id, sbi->db->store->sb.generation,
		sbi->db->store->replayed);
	return 0;
}

static int vexfs_get_tree(struct fs_context *fc)
{
	return get_tree_bdev(fc, vexfs_fill_super);
}

static int vexfs_reconfigure(struct fs_context *fc)
{
	struct super_block *sb = fc->root->d_sb;
	struct vx_store *s = VEXFS_SB(sb)->db->store;
	int err;

	sync_filesystem(sb);
	if ((fc->sb_flags & SB_RDONLY) && !sb_rdonly(sb)) {
		/* Going read-only: leave a checkpoint and an empty WAL. */
		err = vx_store_checkpoint(s);
		if (err)
			return err;
		s->read_only = true;
	} else if (!(fc->sb_flags & SB_RDONLY) && sb_rdonly(sb)) {
		if (s->sb.read_only)
			return invalfc(
				fc,
				"unknown ro_compat features: read-only only");
		s->read_only = false;
	}
	return 0;
}

static const struct fs_context_operations vexfs_context_ops = {
	.get_tree = vexfs_get_tree,
	.reconfigure = vexfs_reconfigure,
};

static int vexfs_init_fs_context(struct fs_context *fc)
{
	fc->ops = &vexfs_context_ops;
	return 0;
}

static void vexfs_kill_sb(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);

	/* fill_super failed after opening the store: close it while the
	 * device is still ours (a mounted fs closes it in put_super).
	 */
	if (sbi && sbi->db && !sb->s_root) {
		vx_db_close(sbi->db, false);
		vx_db_free(sbi->db);
		sbi->db = NULL;
	}
	kill_block_super(sb);
	kfree(sbi);
}

struct file_system_type vexfs_fs_type = {
	.owner = THIS_MODULE,
	.name = VEXFS_FS_NAME,
	.init_fs_context = vexfs_init_fs_context,
	.kill_sb = vexfs_kill_sb,
	.fs_flags = FS_REQUIRES_DEV,
};
