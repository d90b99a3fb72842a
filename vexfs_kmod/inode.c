// SPDX-License-Identifier: GPL-2.0
/*
 * The directory view. The mount root lists one directory per collection;
 * a collection directory holds read-only config.json and info.json, and is
 * the file the data-plane ioctls are issued on.
 *
 *   /            ino 1
 *   <collection> ino (id << 8) | 1
 *   <alias>      ino (alias id << 8) | 5, a symlink to its collection
 *   config.json  ino (id << 8) | 2
 *   info.json    ino (id << 8) | 3
 *   points/      ino (id << 8) | 4
 *   points/<id>  ino 2^63 | id << 40 | point key
 *
 * Collections come and go through netlink, not through the VFS, so dentries
 * are revalidated against the database on every lookup.
 */
#include <linux/namei.h>
#include <linux/slab.h>
#include "vexfs.h"
#include "core/point_json.h"

enum {
	INO_COLL = 1,
	INO_CONFIG = 2,
	INO_INFO = 3,
	INO_POINTS = 4,
	INO_ALIAS = 5,
};

/* Root listing positions: 2 + collection index, then the aliases. */
#define POS_ALIASES (2 + (loff_t)VEXFS_MAX_COLLECTIONS)

#define INO_POINT_BIT (1ULL << 63)
#define INO_KEY_BITS 40

static bool is_point_ino(u64 ino)
{
	return ino & INO_POINT_BIT;
}

static u64 point_ino(u32 coll, u64 key)
{
	return INO_POINT_BIT | ((u64)coll << INO_KEY_BITS) | key;
}

static u64 coll_ino(u32 id, u32 kind)
{
	return ((u64)id << 8) | kind;
}

static u32 inode_coll_id_of(u64 ino)
{
	if (is_point_ino(ino))
		return (u32)((ino & ~INO_POINT_BIT) >> INO_KEY_BITS);
	return (u32)(ino >> 8);
}

static u32 inode_coll_id(const struct inode *inode)
{
	return inode_coll_id_of(inode->i_ino);
}

static struct vx_db *inode_db(const struct inode *inode)
{
	return VEXFS_SB(inode->i_sb)->db;
}

/* --- JSON files ----------------------------------------------------------- */

static const char *distance_name(u32 d)
{
	switch (d) {
	case VEXFS_DISTANCE_COSINE:
		return "Cosine";
	case VEXFS_DISTANCE_EUCLID:
		return "Euclid";
	case VEXFS_DISTANCE_DOT:
		return "Dot";
	case VEXFS_DISTANCE_MANHATTAN:
		return "Manhattan";
	}
	return "unknown";
}

/* Append @s as a JSON string; returns bytes written (or needed). */
static size_t json_str(char *out, size_t room, const char *s, u32 len)
{
	size_t n = 0;

#define PUT(c)                        \
	do {                          \
		if (n < room)         \
			out[n] = (c); \
		n++;                  \
	} while (0)
	PUT('"');
	for (u32 i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\') {
			PUT('\\');
			PUT(ch);
		} else if (ch < 0x20) {
			n += snprintf(n < room ? out + n : NULL,
				      n < room ? room - n : 0, "\\u%04x", ch);
		} else {
			PUT(ch);
		}
	}
	PUT('"');
#undef PUT
	return n;
}

/* Render @kind of collection @id into a new buffer. */
static char *render_json(struct vx_db *db, u32 id, u32 kind, size_t *len)
{
	size_t room = 1024 + 2 * VEXFS_COLLECTION_NAME_MAX * 6, n = 0;
	struct vx_collection *c;
	char *buf;

	buf = kmalloc(room, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	c = vx_db_get_collection_id(db, id);
	if (!c) {
		kfree(buf);
		return ERR_PTR(-ENOENT);
	}
	if (kind == INO_CONFIG) {
		n += scnprintf(buf + n, room - n, "{\"name\": ");
		n += json_str(buf + n, room - n, c->name, c->name_len);
		n += scnprintf(
			buf + n, room - n,
			", \"params\": {\"vectors\": {\"size\": %u, \"distance\": \"%s\"}}, "
			"\"hnsw_config\": {\"m\": %u, \"ef_construct\": %u, "
			"\"full_scan_threshold\": %llu}}\n",
			c->cfg.dim, distance_name(c->cfg.distance),
			c->cfg.hnsw_m, c->cfg.hnsw_ef_construct,
			c->cfg.full_scan_threshold);
	} else {
		u64 points = vx_collection_count(c);
		u64 pending = vx_vindex_nr_pending(c->vi);

		n += scnprintf(
			buf + n, room - n,
			"{\"status\": \"%s\", \"points_count\": %llu, "
			"\"indexed_vectors_count\": %llu, \"segments_count\": 1}\n",
			pending ? "yellow" : "green", points,
			vx_collection_indexed(c));
	}
	vx_db_put_collection(db, c);
	*len = n;
	return buf;
}

struct json_file {
	size_t len;
	char *buf;
};

static int vexfs_json_open(struct inode *inode, struct file *file)
{
	struct json_file *jf = kzalloc(sizeof(*jf), GFP_KERNEL_ACCOUNT);
	u32 kind = inode->i_ino & 0xff;

	if (!jf)
		return -ENOMEM;
	jf->buf = render_json(inode_db(inode), inode_coll_id(inode), kind,
			      &jf->len);
	if (IS_ERR(jf->buf)) {
		int err = PTR_ERR(jf->buf);

		kfree(jf);
		return err;
	}
	file->private_data = jf;
	return 0;
}

static ssize_t vexfs_json_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *pos)
{
	struct json_file *jf = file->private_data;

	return simple_read_from_buffer(ubuf, count, pos, jf->buf, jf->len);
}

static int vexfs_json_release(struct inode *inode, struct file *file)
{
	struct json_file *jf = file->private_data;

	kfree(jf->buf);
	kfree(jf);
	return 0;
}

static const struct file_operations vexfs_json_fops = {
	.open = vexfs_json_open,
	.read = vexfs_json_read,
	.llseek = default_llseek,
	.release = vexfs_json_release,
};

/* points/<id>: the point as JSON, rendered at open. */
static int vexfs_point_open(struct inode *inode, struct file *file)
{
	struct vx_db *db = inode_db(inode);
	u64 key = inode->i_ino & ((1ULL << INO_KEY_BITS) - 1);
	struct json_file *jf;
	struct vx_collection *c;
	struct vx_point *p;
	ssize_t n;
	int err = 0;

	jf = kzalloc(sizeof(*jf), GFP_KERNEL_ACCOUNT);
	if (!jf)
		return -ENOMEM;
	c = vx_db_get_collection_id(db, inode_coll_id(inode));
	if (!c) {
		kfree(jf);
		return -ENOENT;
	}
	p = key < c->next_key ? c->by_key[key] : NULL;
	if (!p) {
		err = -ENOENT;
		goto out;
	}
	n = vx_point_to_json(&p->id, vx_point_vec(p), p->dim,
			     vx_point_payload(p), p->payload_len, NULL, 0);
	if (n < 0) {
		err = (int)n;
		goto out;
	}
	jf->buf = kvmalloc(n + 1, GFP_KERNEL_ACCOUNT);
	if (!jf->buf) {
		err = -ENOMEM;
		goto out;
	}
	jf->len = vx_point_to_json(&p->id, vx_point_vec(p), p->dim,
				   vx_point_payload(p), p->payload_len, jf->buf,
				   n + 1);
out:
	vx_db_put_collection(db, c);
	if (err) {
		kfree(jf);
		return err;
	}
	file->private_data = jf;
	return 0;
}

static int vexfs_point_release(struct inode *inode, struct file *file)
{
	struct json_file *jf = file->private_data;

	kvfree(jf->buf);
	kfree(jf);
	return 0;
}

static const struct file_operations vexfs_point_fops = {
	.open = vexfs_point_open,
	.read = vexfs_json_read,
	.llseek = default_llseek,
	.release = vexfs_point_release,
};

/* --- inodes --------------------------------------------------------------- */

/*
 * Sizes of the files as rendered now, so stat, ls -l and du tell the truth
 * (the content is rendered again at open; it may have changed since).
 */
static loff_t point_json_size(struct vx_db *db, u64 ino)
{
	u64 key = ino & ((1ULL << INO_KEY_BITS) - 1);
	struct vx_collection *c;
	struct vx_point *p;
	ssize_t n = 0;

	c = vx_db_get_collection_id(db, inode_coll_id_of(ino));
	if (!c)
		return 0;
	p = key < c->next_key ? c->by_key[key] : NULL;
	if (p)
		n = vx_point_to_json(&p->id, vx_point_vec(p), p->dim,
				     vx_point_payload(p), p->payload_len, NULL,
				     0);
	vx_db_put_collection(db, c);
	return n > 0 ? n : 0;
}

static loff_t json_file_size(struct vx_db *db, u64 ino)
{
	size_t len = 0;
	char *buf = render_json(db, inode_coll_id_of(ino), ino & 0xff, &len);

	if (IS_ERR(buf))
		return 0;
	kfree(buf);
	return len;
}

static void set_size(struct inode *inode, loff_t size)
{
	inode->i_size = size;
	inode->i_blocks = (size + 511) >> 9;
}

static const struct inode_operations vexfs_root_iops;
static const struct inode_operations vexfs_alias_iops;
static const struct inode_operations vexfs_coll_iops;
static const struct inode_operations vexfs_points_iops;
static const struct file_operations vexfs_root_fops;
static const struct file_operations vexfs_coll_fops;
static const struct file_operations vexfs_points_fops;

static struct inode *vexfs_iget(struct super_block *sb, u64 ino)
{
	struct inode *inode = iget_locked(sb, ino);
	u32 kind = ino & 0xff;

	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (!(inode->i_state & I_NEW))
		return inode;
	if (is_point_ino(ino)) {
		vexfs_inode_init_owner(inode, NULL, S_IFREG | 0444);
		inode->i_fop = &vexfs_point_fops;
		set_size(inode, point_json_size(VEXFS_SB(sb)->db, ino));
		set_nlink(inode, 1);
	} else if (kind == INO_ALIAS) {
		char target[VEXFS_COLLECTION_NAME_MAX + 1];
		u32 len;

		if (vx_db_alias_target(VEXFS_SB(sb)->db, (u32)(ino >> 8),
				       target, &len)) {
			iget_failed(inode);
			return ERR_PTR(-ENOENT);
		}
		/* owned by the root's owner; the target is read at each use */
		vexfs_inode_init_owner(inode, NULL, S_IFLNK | 0777);
		inode->i_op = &vexfs_alias_iops;
		inode->i_size = len;
		set_nlink(inode, 1);
	} else if (kind == INO_POINTS) {
		vexfs_inode_init_owner(inode, NULL, S_IFDIR | 0555);
		inode->i_op = &vexfs_points_iops;
		inode->i_fop = &vexfs_points_fops;
		set_nlink(inode, 2);
	} else if (ino == VEXFS_ROOT_INO) {
		vexfs_inode_init_owner(inode, NULL, S_IFDIR | 0755);
		inode->i_op = &vexfs_root_iops;
		inode->i_fop = &vexfs_root_fops;
		set_nlink(inode, 2);
	} else if (kind == INO_COLL) {
		struct vx_db *db = VEXFS_SB(sb)->db;
		struct vx_collection *c =
			vx_db_get_collection_id(db, (u32)(ino >> 8));

		if (!c) {
			iget_failed(inode);
			return ERR_PTR(-ENOENT);
		}
		/* chmod/chown of the directory are kept with the collection */
		inode->i_mode = S_IFDIR | c->mode;
		inode->i_uid = make_kuid(&init_user_ns, c->uid);
		inode->i_gid = make_kgid(&init_user_ns, c->gid);
		vx_db_put_collection(db, c);
		inode->i_op = &vexfs_coll_iops;
		inode->i_fop = &vexfs_coll_fops;
		set_nlink(inode, 2);
	} else {
		vexfs_inode_init_owner(inode, NULL, S_IFREG | 0444);
		inode->i_fop = &vexfs_json_fops;
		set_size(inode, json_file_size(VEXFS_SB(sb)->db, ino));
		set_nlink(inode, 1);
	}
	vexfs_inode_init_times(inode);
	unlock_new_inode(inode);
	return inode;
}

struct inode *vexfs_root_inode(struct super_block *sb)
{
	return vexfs_iget(sb, VEXFS_ROOT_INO);
}

/* --- dentries: collections change behind the VFS's back ------------------ */

static int vexfs_d_revalidate(struct dentry *dentry, unsigned int flags)
{
	struct inode *inode;
	struct vx_collection *c;

	if (flags & LOOKUP_RCU)
		return -ECHILD;
	inode = d_inode(dentry);
	if (!inode)
		return 0; /* negative: look again, it may exist now */
	if (inode->i_ino == VEXFS_ROOT_INO)
		return 1;
	if (is_point_ino(inode->i_ino) || (inode->i_ino & 0xff) == INO_ALIAS)
		return 0; /* points and aliases change too often to trust */
	c = vx_db_get_collection_id(inode_db(inode), inode_coll_id(inode));
	if (!c)
		return 0;
	vx_db_put_collection(inode_db(inode), c);
	return 1;
}

static int vexfs_d_delete(const struct dentry *dentry)
{
	return 1; /* do not keep dentries around once unused */
}

const struct dentry_operations vexfs_dentry_ops = {
	.d_revalidate = vexfs_d_revalidate,
	.d_delete = vexfs_d_delete,
};

/* --- the root: one directory per collection ------------------------------ */

static struct dentry *
vexfs_root_lookup(struct inode *dir, struct dentry *dentry, unsigned int flags)
{
	struct vx_db *db = inode_db(dir);
	struct vx_collection *c;
	struct inode *inode = NULL;
	u32 id;

	if (dentry->d_name.len > VEXFS_COLLECTION_NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	if (!vx_db_alias_find(db, dentry->d_name.name, dentry->d_name.len,
			      &id)) {
		inode = vexfs_iget(dir->i_sb, coll_ino(id, INO_ALIAS));
		if (IS_ERR(inode))
			return ERR_CAST(inode);
		return d_splice_alias(inode, dentry);
	}
	c = vx_db_get_collection(db, dentry->d_name.name, dentry->d_name.len);
	if (c) {
		id = c->id;
		vx_db_put_collection(db, c);
		inode = vexfs_iget(dir->i_sb, coll_ino(id, INO_COLL));
		if (IS_ERR(inode))
			return ERR_CAST(inode);
	}
	return d_splice_alias(inode, dentry);
}

/* The aliases of the root listing, as symlinks. */
static int vexfs_root_iterate_aliases(struct vx_db *db, struct dir_context *ctx)
{
	char name[VEXFS_COLLECTION_NAME_MAX + 1];
	char coll[VEXFS_COLLECTION_NAME_MAX + 1];
	u32 len, clen, id;

	while (!vx_db_alias_at(db, (u32)(ctx->pos - POS_ALIASES), name, &len,
			       &id, coll, &clen)) {
		if (!dir_emit(ctx, name, len, coll_ino(id, INO_ALIAS), DT_LNK))
			return 0;
		ctx->pos++;
	}
	return 0;
}

static int vexfs_root_iterate(struct file *file, struct dir_context *ctx)
{
	struct vx_db *db = inode_db(file_inode(file));

	if (!dir_emit_dots(file, ctx))
		return 0;
	for (;;) {
		char name[VEXFS_COLLECTION_NAME_MAX + 1];
		struct vx_collection *c;
		u32 len, id;

		/* Position = 2 + index in creation order; the lock is not held
		 * across dir_emit(), which may fault on the user buffer.
		 */
		if (ctx->pos >= POS_ALIASES)
			return vexfs_root_iterate_aliases(db, ctx);
		c = vx_db_collection_at(db, (u32)(ctx->pos - 2));
		if (!c) {
			ctx->pos = POS_ALIASES;
			continue;
		}
		len = c->name_len;
		id = c->id;
		memcpy(name, c->name, len);
		vx_db_put_collection(db, c);
		if (!dir_emit(ctx, name, len, coll_ino(id, INO_COLL), DT_DIR))
			return 0;
		ctx->pos++;
	}
}

static const struct inode_operations vexfs_root_iops = {
	.lookup = vexfs_root_lookup,
};

/* An alias: a symlink whose target is its collection's current name. */
static const char *vexfs_alias_get_link(struct dentry *dentry,
					struct inode *inode,
					struct delayed_call *done)
{
	char *buf;
	u32 len;

	if (!dentry)
		return ERR_PTR(-ECHILD); /* RCU walk: the catalog lock sleeps */
	buf = kmalloc(VEXFS_COLLECTION_NAME_MAX + 1, GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	if (vx_db_alias_target(inode_db(inode), (u32)(inode->i_ino >> 8), buf,
			       &len)) {
		kfree(buf);
		return ERR_PTR(-ENOENT);
	}
	buf[len] = '\0';
	set_delayed_call(done, kfree_link, buf);
	return buf;
}

static const struct inode_operations vexfs_alias_iops = {
	.get_link = vexfs_alias_get_link,
};

static const struct file_operations vexfs_root_fops = {
	.read = generic_read_dir,
	.iterate_shared = vexfs_root_iterate,
	.llseek = generic_file_llseek,
	.fsync = noop_fsync,
	.unlocked_ioctl = vexfs_ioctl,
	.compat_ioctl = vexfs_ioctl,
};

/* --- a collection directory ---------------------------------------------- */

static const char *const coll_files[] = { "config.json", "info.json",
					  "points" };

static struct dentry *
vexfs_coll_lookup(struct inode *dir, struct dentry *dentry, unsigned int flags)
{
	struct inode *inode = NULL;

	for (u32 i = 0; i < ARRAY_SIZE(coll_files); i++) {
		if (strlen(coll_files[i]) == dentry->d_name.len &&
		    !memcmp(coll_files[i], dentry->d_name.name,
			    dentry->d_name.len)) {
			inode = vexfs_iget(dir->i_sb,
					   coll_ino(inode_coll_id(dir),
						    INO_CONFIG + i));
			if (IS_ERR(inode))
				return ERR_CAST(inode);
			break;
		}
	}
	return d_splice_alias(inode, dentry);
}

static int vexfs_coll_iterate(struct file *file, struct dir_context *ctx)
{
	u32 id = inode_coll_id(file_inode(file));

	if (!dir_emit_dots(file, ctx))
		return 0;
	while (ctx->pos - 2 < ARRAY_SIZE(coll_files)) {
		u32 i = (u32)(ctx->pos - 2);

		if (!dir_emit(ctx, coll_files[i], strlen(coll_files[i]),
			      coll_ino(id, INO_CONFIG + i),
			      INO_CONFIG + i == INO_POINTS ? DT_DIR : DT_REG))
			return 0;
		ctx->pos++;
	}
	return 0;
}

/* chmod and chown of a collection directory: durable, like any write. */
static int vexfs_coll_setattr(VEXFS_IDMAP_ARG, struct dentry *dentry,
			      struct iattr *attr)
{
	struct inode *inode = d_inode(dentry);
	umode_t old_mode = inode->i_mode;
	kuid_t old_uid = inode->i_uid;
	kgid_t old_gid = inode->i_gid;
	int err;

	if (attr->ia_valid & ATTR_SIZE)
		return -EISDIR;
	err = setattr_prepare(idmap, dentry, attr);
	if (err)
		return err;
	if (!(attr->ia_valid & (ATTR_MODE | ATTR_UID | ATTR_GID)))
		return 0; /* times are not kept */
	setattr_copy(idmap, inode, attr);
	err = vx_db_set_collection_attr(inode_db(inode), inode_coll_id(inode),
					inode->i_mode & 07777,
					from_kuid(&init_user_ns, inode->i_uid),
					from_kgid(&init_user_ns, inode->i_gid));
	if (err) { /* nothing changed on disk: nothing changes here */
		inode->i_mode = old_mode;
		inode->i_uid = old_uid;
		inode->i_gid = old_gid;
	}
	return err;
}

static const struct inode_operations vexfs_coll_iops = {
	.lookup = vexfs_coll_lookup,
	.setattr = vexfs_coll_setattr,
};

static const struct file_operations vexfs_coll_fops = {
	.read = generic_read_dir,
	.iterate_shared = vexfs_coll_iterate,
	.llseek = generic_file_llseek,
	.fsync = noop_fsync,
	.unlocked_ioctl = vexfs_ioctl,
	.compat_ioctl = vexfs_ioctl,
};

/* --- points/: one file per point, listed with a cursor -------------------- */

static struct dentry *vexfs_points_lookup(struct inode *dir,
					  struct dentry *dentry,
					  unsigned int flags)
{
	struct vx_db *db = inode_db(dir);
	struct vexfs_point_id id;
	struct vx_collection *c;
	struct inode *inode = NULL;
	struct vx_point *p;
	u64 key = 0;
	u32 cid = inode_coll_id(dir);

	if (vx_point_id_parse(dentry->d_name.name, dentry->d_name.len, &id))
		return d_splice_alias(NULL, dentry);
	c = vx_db_get_collection_id(db, cid);
	if (!c)
		return ERR_PTR(-ENOENT);
	p = vx_collection_find(c, &id);
	if (p)
		key = p->key;
	vx_db_put_collection(db, c);
	if (p) {
		inode = vexfs_iget(dir->i_sb, point_ino(cid, key));
		if (IS_ERR(inode))
			return ERR_CAST(inode);
	}
	return d_splice_alias(inode, dentry);
}

/*
 * ctx->pos is 2 + the point map's slot cursor, so a listing of a million
 * points streams in getdents-sized pieces without restarting. Like any
 * cursor over a hash table, entries written meanwhile may be missed.
 */
static int vexfs_points_iterate(struct file *file, struct dir_context *ctx)
{
	struct vx_db *db = inode_db(file_inode(file));
	u32 cid = inode_coll_id(file_inode(file));

	if (!dir_emit_dots(file, ctx))
		return 0;
	for (;;) {
		struct vx_collection *c = vx_db_get_collection_id(db, cid);
		/* a small batch: this lives on the kernel stack */
		struct vexfs_point_id ids[16];
		u64 keys[16], pos = ctx->pos - 2, next[16];
		u32 n = 0;

		if (!c)
			return 0;
		while (n < ARRAY_SIZE(ids)) {
			struct vx_point *p = vx_pointmap_next(&c->points, &pos);

			if (!p)
				break;
			ids[n] = p->id;
			keys[n] = p->key;
			next[n++] = pos;
		}
		vx_db_put_collection(db, c);
		if (!n)
			return 0;
		for (u32 i = 0; i < n; i++) {
			char name[40];
			int len =
				vx_point_id_format(&ids[i], name, sizeof(name));

			if (!dir_emit(ctx, name, len, point_ino(cid, keys[i]),
				      DT_REG))
				return 0;
			ctx->pos = 2 + next[i];
		}
		cond_resched();
	}
}

static const struct inode_operations vexfs_points_iops = {
	.lookup = vexfs_points_lookup,
};

static const struct file_operations vexfs_points_fops = {
	.read = generic_read_dir,
	.iterate_shared = vexfs_points_iterate,
	.llseek = generic_file_llseek,
};

/* The collection an open directory names, or 0 for the root. */
u32 vexfs_file_coll_id(struct file *file)
{
	struct inode *inode = file_inode(file);

	/* Only a collection directory itself takes data-plane ioctls. */
	if (inode->i_ino == VEXFS_ROOT_INO || is_point_ino(inode->i_ino) ||
	    (inode->i_ino & 0xff) != INO_COLL)
		return 0;
	return inode_coll_id(inode);
}
