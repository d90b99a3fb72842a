// SPDX-License-Identifier: GPL-2.0
/*
 * The control plane: generic netlink family "vexfs" (uapi/vexfs.h).
 *
 * A command names its filesystem by an fd of the mount root, opened in the
 * sending process (doit handlers run in the sender's context). Creating and
 * deleting collections needs write and search permission on that root, as
 * creating and removing a directory would, and a writable mount.
 */
#include <linux/file.h>
#include <linux/mount.h>
#include <net/genetlink.h>
#include "vexfs.h"

static const struct nla_policy vexfs_genl_policy[VEXFS_A_MAX + 1] = {
	[VEXFS_A_ROOT_FD] = { .type = NLA_U32 },
	[VEXFS_A_COLL_NAME] = { .type = NLA_STRING,
				.len = VEXFS_COLLECTION_NAME_MAX },
	[VEXFS_A_COLL_CONFIG] =
		NLA_POLICY_EXACT_LEN(sizeof(struct vexfs_collection_config)),
};

static struct genl_family vexfs_genl_family;

enum { VEXFS_MCGRP_EVENTS };

static const struct genl_multicast_group vexfs_mcgrps[] = {
	[VEXFS_MCGRP_EVENTS] = { .name = VEXFS_GENL_MCGRP_EVENTS },
};

/* The vexfs root the message names, with a reference; or an ERR_PTR. */
static struct file *root_file(struct genl_info *info)
{
	struct file *file;

	if (!info->attrs[VEXFS_A_ROOT_FD]) {
		GENL_SET_ERR_MSG(info, "VEXFS_A_ROOT_FD is required");
		return ERR_PTR(-EINVAL);
	}
	file = fget(nla_get_u32(info->attrs[VEXFS_A_ROOT_FD]));
	if (!file)
		return ERR_PTR(-EBADF);
	if (file_inode(file)->i_sb->s_type != &vexfs_fs_type ||
	    file->f_path.dentry != file_inode(file)->i_sb->s_root) {
		fput(file);
		GENL_SET_ERR_MSG(info, "fd is not the root of a vexfs mount");
		return ERR_PTR(-EINVAL);
	}
	return file;
}

static struct vx_db *file_db(struct file *file)
{
	return VEXFS_SB(file_inode(file)->i_sb)->db;
}

static int get_name(struct genl_info *info, const char **name, u32 *len)
{
	struct nlattr *a = info->attrs[VEXFS_A_COLL_NAME];

	if (!a) {
		GENL_SET_ERR_MSG(info, "VEXFS_A_COLL_NAME is required");
		return -EINVAL;
	}
	*name = nla_data(a);
	*len = strnlen(*name, nla_len(a));
	if (!vx_collection_name_valid(*name, *len)) {
		GENL_SET_ERR_MSG(info, "bad collection name");
		return -EINVAL;
	}
	return 0;
}

void vexfs_genl_event(u32 event, const char *name, u32 len)
{
	struct sk_buff *skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	void *hdr;

	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &vexfs_genl_family, 0, VEXFS_CMD_EVENT);
	if (!hdr || nla_put_u32(skb, VEXFS_A_EVENT, event) ||
	    nla_put(skb, VEXFS_A_COLL_NAME, len, name) ||
	    nla_put_u8(skb, VEXFS_A_PAD, 0)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&vexfs_genl_family, skb, 0, VEXFS_MCGRP_EVENTS,
			  GFP_KERNEL);
}

/* Mutations: the caller must be able to write the root directory. */
static int write_access(struct file *root, struct genl_info *info)
{
	int err = file_permission(root, MAY_WRITE | MAY_EXEC);

	if (err) {
		GENL_SET_ERR_MSG(info, "no write permission on the mount root");
		return err;
	}
	return mnt_want_write_file(root);
}

static int vexfs_cmd_create(struct sk_buff *skb, struct genl_info *info)
{
	struct vexfs_collection_config cfg;
	const char *name;
	struct file *root;
	u32 len;
	int err;

	if (!info->attrs[VEXFS_A_COLL_CONFIG]) {
		GENL_SET_ERR_MSG(info, "VEXFS_A_COLL_CONFIG is required");
		return -EINVAL;
	}
	err = get_name(info, &name, &len);
	if (err)
		return err;
	memcpy(&cfg, nla_data(info->attrs[VEXFS_A_COLL_CONFIG]), sizeof(cfg));
	root = root_file(info);
	if (IS_ERR(root))
		return PTR_ERR(root);
	err = write_access(root, info);
	if (!err) {
		err = vx_db_create_collection(file_db(root), name, len, &cfg);
		mnt_drop_write_file(root);
	}
	if (!err)
		vexfs_genl_event(VEXFS_EVENT_COLL_CREATED, name, len);
	fput(root);
	return err;
}

static int vexfs_cmd_delete(struct sk_buff *skb, struct genl_info *info)
{
	const char *name;
	struct file *root;
	u32 len;
	int err;

	err = get_name(info, &name, &len);
	if (err)
		return err;
	root = root_file(info);
	if (IS_ERR(root))
		return PTR_ERR(root);
	err = write_access(root, info);
	if (!err) {
		err = vx_db_delete_collection(file_db(root), name, len);
		mnt_drop_write_file(root);
	}
	if (!err)
		vexfs_genl_event(VEXFS_EVENT_COLL_DELETED, name, len);
	fput(root);
	return err;
}

/* One collection as attributes (nested under VEXFS_A_COLL when @nest). */
static int put_coll(struct sk_buff *skb, struct vx_collection *c, bool nest)
{
	struct nlattr *n = NULL;
	u64 points = vx_collection_count(c);
	u64 pending = vx_vindex_nr_pending(c->vi);

	if (nest) {
		n = nla_nest_start(skb, VEXFS_A_COLL);
		if (!n)
			return -EMSGSIZE;
	}
	if (nla_put(skb, VEXFS_A_COLL_NAME, c->name_len, c->name) ||
	    nla_put(skb, VEXFS_A_COLL_CONFIG, sizeof(c->cfg), &c->cfg) ||
	    nla_put_u64_64bit(skb, VEXFS_A_COLL_POINTS, points, VEXFS_A_PAD) ||
	    nla_put_u64_64bit(skb, VEXFS_A_COLL_INDEXED,
			      points > pending ? points - pending : 0,
			      VEXFS_A_PAD))
		return -EMSGSIZE;
	if (n)
		nla_nest_end(skb, n);
	return 0;
}

static int vexfs_cmd_get(struct sk_buff *skb, struct genl_info *info)
{
	struct vx_collection *c;
	struct sk_buff *msg;
	const char *name;
	struct file *root;
	void *hdr;
	u32 len;
	int err;

	err = get_name(info, &name, &len);
	if (err)
		return err;
	root = root_file(info);
	if (IS_ERR(root))
		return PTR_ERR(root);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		fput(root);
		return -ENOMEM;
	}
	hdr = genlmsg_put_reply(msg, info, &vexfs_genl_family, 0,
				VEXFS_CMD_COLL_GET);
	c = vx_db_get_collection(file_db(root), name, len);
	if (!c) {
		err = -ENOENT;
	} else {
		err = hdr ? put_coll(msg, c, false) : -EMSGSIZE;
		vx_db_put_collection(file_db(root), c);
	}
	fput(root);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Every collection in one reply (at most 4096, each well under 1 KiB). */
static int vexfs_cmd_list(struct sk_buff *skb, struct genl_info *info)
{
	struct vx_db *db;
	struct sk_buff *msg;
	struct file *root;
	void *hdr;
	int err = 0;

	root = root_file(info);
	if (IS_ERR(root))
		return PTR_ERR(root);
	db = file_db(root);
	msg = genlmsg_new(GENLMSG_DEFAULT_SIZE + (size_t)db->nr_colls * 512,
			  GFP_KERNEL);
	if (!msg) {
		fput(root);
		return -ENOMEM;
	}
	hdr = genlmsg_put_reply(msg, info, &vexfs_genl_family, 0,
				VEXFS_CMD_COLL_LIST);
	if (!hdr)
		err = -EMSGSIZE;
	for (u32 i = 0; !err; i++) {
		struct vx_collection *c = vx_db_collection_at(db, i);

		if (!c)
			break;
		err = put_coll(msg, c, true);
		vx_db_put_collection(db, c);
	}
	fput(root);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static const struct genl_ops vexfs_genl_ops[] = {
	{ .cmd = VEXFS_CMD_COLL_CREATE, .doit = vexfs_cmd_create },
	{ .cmd = VEXFS_CMD_COLL_DELETE, .doit = vexfs_cmd_delete },
	{ .cmd = VEXFS_CMD_COLL_GET, .doit = vexfs_cmd_get },
	{ .cmd = VEXFS_CMD_COLL_LIST, .doit = vexfs_cmd_list },
};

static struct genl_family vexfs_genl_family __ro_after_init = {
	.name = VEXFS_GENL_NAME,
	.version = VEXFS_GENL_VERSION,
	.maxattr = VEXFS_A_MAX,
	.policy = vexfs_genl_policy,
	.module = THIS_MODULE,
	.ops = vexfs_genl_ops,
	.n_ops = ARRAY_SIZE(vexfs_genl_ops),
	.resv_start_op = VEXFS_CMD_EVENT + 1,
	.mcgrps = vexfs_mcgrps,
	.n_mcgrps = ARRAY_SIZE(vexfs_mcgrps),
	.netnsok = true,
};

int vexfs_genl_register(void)
{
	return genl_register_family(&vexfs_genl_family);
}

void vexfs_genl_unregister(void)
{
	genl_unregister_family(&vexfs_genl_family);
}
