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
	[VEXFS_A_ALIAS_NAME] = { .type = NLA_STRING,
				 .len = VEXFS_COLLECTION_NAME_MAX },
	[VEXFS_A_ALIAS_OLD] = { .type = NLA_STRING,
				.len = VEXFS_COLLECTION_NAME_MAX },
	[VEXFS_A_INDEX_KEY] = { .type = NLA_STRING, .len = VEXFS_KEY_MAX },
	[VEXFS_A_INDEX_TYPE] = { .type = NLA_U32 },
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

/* A name attribute (collection or alias), validated like a collection's. */
static int get_name_attr(struct genl_info *info, int attr, const char **name,
			 u32 *len)
{
	struct nlattr *a = info->attrs[attr];

	if (!a) {
		if (attr == VEXFS_A_COLL_NAME)
			GENL_SET_ERR_MSG(info, "VEXFS_A_COLL_NAME is required");
		else
			GENL_SET_ERR_MSG(info, "an alias name is required");
		return -EINVAL;
	}
	*name = nla_data(a);
	*len = strnlen(*name, nla_len(a));
	if (!vx_collection_name_valid(*name, *len)) {
		GENL_SET_ERR_MSG(info, "bad collection or alias name");
		return -EINVAL;
	}
	return 0;
}

static int get_name(struct genl_info *info, const char **name, u32 *len)
{
	return get_name_attr(info, VEXFS_A_COLL_NAME, name, len);
}

/*
 * Multicast one event: @name is the collection (empty: none), @alias the
 * alias of ALIAS_CHANGED, @indexed the graph size of INDEXED.
 */
void vexfs_genl_event_ex(u32 event, const char *name, u32 len,
			 const char *alias, u32 alias_len, u64 indexed)
{
	struct sk_buff *skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	void *hdr;

	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &vexfs_genl_family, 0, VEXFS_CMD_EVENT);
	if (!hdr || nla_put_u32(skb, VEXFS_A_EVENT, event) ||
	    (len && nla_put(skb, VEXFS_A_COLL_NAME, len, name)) ||
	    (alias && nla_put(skb, VEXFS_A_ALIAS_NAME, alias_len, alias)) ||
	    (event == VEXFS_EVENT_INDEXED &&
	     nla_put_u64_64bit(skb, VEXFS_A_COLL_INDEXED, indexed,
			       VEXFS_A_PAD)) ||
	    nla_put_u8(skb, VEXFS_A_PAD, 0)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&vexfs_genl_family, skb, 0, VEXFS_MCGRP_EVENTS,
			  GFP_KERNEL);
}

void vexfs_genl_event(u32 event, const char *name, u32 len)
{
	vexfs_genl_event_ex(event, name, len, NULL, 0, 0);
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

	if (nest) {
		n = nla_nest_start(skb, VEXFS_A_COLL);
		if (!n)
			return -EMSGSIZE;
	}
	if (nla_put(skb, VEXFS_A_COLL_NAME, c->name_len, c->name) ||
	    nla_put(skb, VEXFS_A_COLL_CONFIG, sizeof(c->cfg), &c->cfg) ||
	    nla_put_u64_64bit(skb, VEXFS_A_COLL_POINTS, points, VEXFS_A_PAD) ||
	    nla_put_u64_64bit(skb, VEXFS_A_COLL_INDEXED,
			      vx_collection_indexed(c), VEXFS_A_PAD))
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

/* hnsw parameters of a collection (or of an alias's collection). */
static int vexfs_cmd_update(struct sk_buff *skb, struct genl_info *info)
{
	struct vexfs_collection_config cfg;
	char real[VEXFS_COLLECTION_NAME_MAX + 1];
	const char *name;
	struct file *root;
	u32 len, real_len = 0;
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
		err = vx_db_update_collection(file_db(root), name, len, &cfg,
					      real, &real_len);
		mnt_drop_write_file(root);
		if (err == -EINVAL)
			GENL_SET_ERR_MSG(info,
					 "bad config, or dim/distance changed");
	}
	if (!err) {
		vexfs_genl_event(VEXFS_EVENT_COLL_UPDATED, real, real_len);
		/* a rebuilt graph is relinked in the background */
		vexfs_kick_indexer(file_inode(root)->i_sb);
	}
	fput(root);
	return err;
}

/* create (ALIAS_NAME + COLL_NAME), delete (ALIAS_NAME), rename (+ ALIAS_OLD) */
static int vexfs_cmd_alias(struct sk_buff *skb, struct genl_info *info)
{
	char coll[VEXFS_COLLECTION_NAME_MAX + 1];
	const char *alias, *other = NULL;
	u32 alen, olen = 0, clen = 0;
	bool create = info->attrs[VEXFS_A_COLL_NAME];
	bool rename = info->attrs[VEXFS_A_ALIAS_OLD];
	struct vx_db *db;
	struct file *root;
	int err;

	if (create && rename) {
		GENL_SET_ERR_MSG(info,
				 "COLL_NAME and ALIAS_OLD exclude each other");
		return -EINVAL;
	}
	err = get_name_attr(info, VEXFS_A_ALIAS_NAME, &alias, &alen);
	if (!err && create)
		err = get_name(info, &other, &olen);
	if (!err && rename)
		err = get_name_attr(info, VEXFS_A_ALIAS_OLD, &other, &olen);
	if (err)
		return err;
	root = root_file(info);
	if (IS_ERR(root))
		return PTR_ERR(root);
	db = file_db(root);
	err = write_access(root, info);
	if (!err) {
		if (create)
			err = vx_db_alias_create(db, alias, alen, other, olen,
						 coll, &clen);
		else if (rename)
			err = vx_db_alias_rename(db, other, olen, alias, alen,
						 coll, &clen);
		else
			err = vx_db_alias_delete(db, alias, alen, coll, &clen);
		mnt_drop_write_file(root);
		if (err == -EEXIST)
			GENL_SET_ERR_MSG(info, "a collection has that name");
	}
	if (!err)
		vexfs_genl_event_ex(VEXFS_EVENT_ALIAS_CHANGED, coll, clen,
				    alias, alen, 0);
	fput(root);
	return err;
}

/* Every alias, or those of one collection, in one reply. */
static int vexfs_cmd_alias_list(struct sk_buff *skb, struct genl_info *info)
{
	char name[VEXFS_COLLECTION_NAME_MAX + 1];
	char coll[VEXFS_COLLECTION_NAME_MAX + 1];
	char want[VEXFS_COLLECTION_NAME_MAX + 1];
	u32 len, clen, id, wlen = 0, nr;
	struct vx_collection *c;
	u64 name_bytes;
	const char *filter;
	struct sk_buff *msg;
	struct file *root;
	struct vx_db *db;
	void *hdr;
	int err = 0;

	if (info->attrs[VEXFS_A_COLL_NAME]) {
		err = get_name(info, &filter, &wlen);
		if (err)
			return err;
	}
	root = root_file(info);
	if (IS_ERR(root))
		return PTR_ERR(root);
	db = file_db(root);
	if (wlen) { /* the filter may itself be an alias: use its target */
		c = vx_db_get_collection(db, filter, wlen);
		if (!c) {
			fput(root);
			return -ENOENT;
		}
		wlen = c->name_len;
		memcpy(want, c->name, wlen);
		vx_db_put_collection(db, c);
	}
	/*
	 * One reply sized to what it holds (a nest and two attributes per
	 * alias, padding included), not to the longest names: 4096 aliases
	 * of short names stay a small allocation. Aliases added meanwhile
	 * may not fit: -EMSGSIZE, and the caller asks again.
	 */
	nr = vx_db_alias_sizes(db, &name_bytes);
	msg = genlmsg_new(GENLMSG_DEFAULT_SIZE + (size_t)nr * 24 + name_bytes,
			  GFP_KERNEL);
	if (!msg) {
		fput(root);
		return -ENOMEM;
	}
	hdr = genlmsg_put_reply(msg, info, &vexfs_genl_family, 0,
				VEXFS_CMD_ALIAS_LIST);
	if (!hdr)
		err = -EMSGSIZE;
	for (u32 i = 0; !err; i++) {
		struct nlattr *n;

		if (vx_db_alias_at(db, i, name, &len, &id, coll, &clen))
			break;
		if (wlen && (clen != wlen || memcmp(coll, want, wlen)))
			continue;
		n = nla_nest_start(msg, VEXFS_A_ALIAS);
		if (!n || nla_put(msg, VEXFS_A_ALIAS_NAME, len, name) ||
		    nla_put(msg, VEXFS_A_COLL_NAME, clen, coll))
			err = -EMSGSIZE;
		else
			nla_nest_end(msg, n);
	}
	fput(root);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Payload indexes: COLL_NAME (or an alias), INDEX_KEY [, INDEX_TYPE]. */
static int vexfs_cmd_index(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *ka = info->attrs[VEXFS_A_INDEX_KEY];
	bool create = info->genlhdr->cmd == VEXFS_CMD_INDEX_CREATE;
	const char *name, *key;
	struct file *root;
	u32 len, key_len;
	int err;

	err = get_name(info, &name, &len);
	if (err)
		return err;
	if (!ka || (create && !info->attrs[VEXFS_A_INDEX_TYPE])) {
		GENL_SET_ERR_MSG(info,
				 "VEXFS_A_INDEX_KEY (and _TYPE) required");
		return -EINVAL;
	}
	key = nla_data(ka);
	key_len = strnlen(key, nla_len(ka));
	root = root_file(info);
	if (IS_ERR(root))
		return PTR_ERR(root);
	err = write_access(root, info);
	if (!err) {
		struct vx_db *db = file_db(root);

		u32 type =
			create ? nla_get_u32(info->attrs[VEXFS_A_INDEX_TYPE]) :
				 0;

		err = create ? vx_db_index_create(db, name, len, key, key_len,
						  type) :
			       vx_db_index_delete(db, name, len, key, key_len);
		mnt_drop_write_file(root);
		if (err == -EINVAL)
			GENL_SET_ERR_MSG(info, "bad key path or index type");
		else if (err == -ENOSPC)
			GENL_SET_ERR_MSG(info, "too many payload indexes");
	}
	if (!err)
		vexfs_genl_event(VEXFS_EVENT_COLL_UPDATED, name, len);
	fput(root);
	return err;
}

/* Every index of a collection: key, type, points (at most 64, < 300 B each). */
static int vexfs_cmd_index_list(struct sk_buff *skb, struct genl_info *info)
{
	struct vx_index_info ii;
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
	msg = genlmsg_new(GENLMSG_DEFAULT_SIZE +
				  VEXFS_INDEXES_MAX * (VEXFS_KEY_MAX + 64),
			  GFP_KERNEL);
	if (!msg) {
		fput(root);
		return -ENOMEM;
	}
	hdr = genlmsg_put_reply(msg, info, &vexfs_genl_family, 0,
				VEXFS_CMD_INDEX_LIST);
	c = vx_db_get_collection(file_db(root), name, len);
	if (!c) {
		err = -ENOENT;
	} else {
		err = hdr ? 0 : -EMSGSIZE;
		for (u32 i = 0; !err && !vx_collection_index_at(c, i, &ii);
		     i++) {
			struct nlattr *n = nla_nest_start(msg, VEXFS_A_INDEX);

			if (!n ||
			    nla_put(msg, VEXFS_A_INDEX_KEY, ii.key_len,
				    ii.key) ||
			    nla_put_u32(msg, VEXFS_A_INDEX_TYPE, ii.type) ||
			    nla_put_u64_64bit(msg, VEXFS_A_INDEX_POINTS,
					      ii.points, VEXFS_A_PAD))
				err = -EMSGSIZE;
			else
				nla_nest_end(msg, n);
		}
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

static const struct genl_ops vexfs_genl_ops[] = {
	{ .cmd = VEXFS_CMD_COLL_CREATE, .doit = vexfs_cmd_create },
	{ .cmd = VEXFS_CMD_COLL_DELETE, .doit = vexfs_cmd_delete },
	{ .cmd = VEXFS_CMD_COLL_GET, .doit = vexfs_cmd_get },
	{ .cmd = VEXFS_CMD_COLL_LIST, .doit = vexfs_cmd_list },
	{ .cmd = VEXFS_CMD_COLL_UPDATE, .doit = vexfs_cmd_update },
	{ .cmd = VEXFS_CMD_ALIAS_CHANGE, .doit = vexfs_cmd_alias },
	{ .cmd = VEXFS_CMD_ALIAS_LIST, .doit = vexfs_cmd_alias_list },
	{ .cmd = VEXFS_CMD_INDEX_CREATE, .doit = vexfs_cmd_index },
	{ .cmd = VEXFS_CMD_INDEX_DELETE, .doit = vexfs_cmd_index },
	{ .cmd = VEXFS_CMD_INDEX_LIST, .doit = vexfs_cmd_index_list },
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
