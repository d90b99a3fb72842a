// SPDX-License-Identifier: GPL-2.0
/*
 * libvexfs: ioctl wrappers for the data plane, generic netlink (libnl-genl)
 * for the control plane and events. See vexfs.h for the contract.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "vexfs.h"

#define VX_EXPORT __attribute__((visibility("default")))

struct vexfs {
	int root_fd;
	pthread_mutex_t lock; /* the netlink socket below */
	struct nl_sock *sk; /* NULL until the first control-plane call */
	int family;
};

/* libnl's own error codes, as errno values. */
static int nle_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case 0:
		return 0;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_INTR:
		return -EINTR;
	case NLE_BAD_SOCK:
		return -EBADF;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_INVAL:
	case NLE_MSGTYPE_NOSUPPORT:
	case NLE_RANGE:
		return -EINVAL;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_PERM:
		return -EPERM;
	case NLE_OBJ_NOTFOUND:
	case NLE_NOATTR:
		return -ENOENT;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:
	case NLE_PROTO_MISMATCH:
		return -EPROTONOSUPPORT;
	case NLE_MSGSIZE:
	case NLE_MSG_TOOSHORT:
	case NLE_MSG_TRUNC:
	case NLE_MSG_OVERFLOW:
		return -EMSGSIZE;
	case NLE_NOADDR:
		return -EADDRNOTAVAIL;
	case NLE_SRCRT_NOSUPPORT:
	case NLE_NODEV:
		return -ENODEV;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_DUMP_INTR:
		return -EINTR;
	case NLE_IMMUTABLE:
		return -EROFS;
	case NLE_SEQ_MISMATCH:
	case NLE_PARSE_ERR:
		return -EBADMSG;
	default:
		return -EIO;
	}
}

VX_EXPORT struct vexfs *vexfs_open(const char *mountpoint)
{
	struct vexfs_version v;
	struct vexfs *vx;
	int fd, err;

	fd = open(mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (ioctl(fd, VEXFS_IOC_VERSION, &v)) {
		err = errno == EINVAL ? ENOTTY : errno;
		goto fail;
	}
	if (v.abi_major != VEXFS_ABI_MAJOR) {
		err = EPROTO;
		goto fail;
	}
	vx = calloc(1, sizeof(*vx));
	if (!vx) {
		err = ENOMEM;
		goto fail;
	}
	vx->root_fd = fd;
	vx->family = -1;
	pthread_mutex_init(&vx->lock, NULL);
	return vx;
fail:
	close(fd);
	errno = err;
	return NULL;
}

VX_EXPORT void vexfs_close(struct vexfs *vx)
{
	if (!vx)
		return;
	if (vx->sk)
		nl_socket_free(vx->sk);
	pthread_mutex_destroy(&vx->lock);
	close(vx->root_fd);
	free(vx);
}

VX_EXPORT int vexfs_root_fd(const struct vexfs *vx)
{
	return vx->root_fd;
}

VX_EXPORT int vexfs_ioctl(int fd, unsigned long request, void *arg)
{
	int ret = ioctl(fd, request, arg);

	return ret < 0 ? -errno : ret;
}

VX_EXPORT int vexfs_version(struct vexfs *vx, struct vexfs_version *v)
{
	return vexfs_ioctl(vx->root_fd, VEXFS_IOC_VERSION, v);
}

/* --- control plane ------------------------------------------------------- */

VX_EXPORT void vexfs_config_init(struct vexfs_collection_config *cfg,
				 uint32_t dim, uint32_t distance)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->dim = dim;
	cfg->distance = distance;
}

/*
 * Connect and resolve the family, once; called with vx->lock held. The id
 * cannot change under a handle: its root fd pins the mount, and the mount
 * pins the module that registered the family.
 */
static int nl_ready(struct vexfs *vx)
{
	struct nl_sock *sk;
	int ret;

	if (vx->sk)
		return 0;
	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	ret = genl_connect(sk);
	if (ret < 0)
		goto fail;
	nl_socket_enable_msg_peek(sk); /* replies may exceed a page */
	nl_socket_disable_auto_ack(sk); /* each request says (nl_request_ex) */
	ret = genl_ctrl_resolve(sk, VEXFS_GENL_NAME);
	if (ret < 0)
		goto fail;
	vx->family = ret;
	vx->sk = sk;
	return 0;
fail:
	nl_socket_free(sk);
	return nle_errno(ret);
}

/* State of one request: its result and what the reply parser collects. */
struct nl_req {
	int err; /* errno of an NLMSG_ERROR, 0 on ACK */
	bool done;
	/* each reply message, parsed into tb[] */
	int (*parse)(struct nlmsghdr *nlh, struct nlattr **tb, void *arg);
	void *arg;
	int parse_err; /* first non-zero parse() result */
	int replies;
};

static int req_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nl_req *r = arg;

	r->err = e->error;
	r->done = true;
	return NL_STOP;
}

static int req_ack(struct nl_msg *msg, void *arg)
{
	struct nl_req *r = arg;

	r->done = true;
	return NL_STOP;
}

static int req_finish(struct nl_msg *msg, void *arg)
{
	struct nl_req *r = arg;

	r->done = true;
	return NL_SKIP;
}

static int req_valid(struct nl_msg *msg, void *arg)
{
	struct nl_req *r = arg;
	struct nlattr *tb[VEXFS_A_MAX + 1];
	int ret;

	ret = genlmsg_parse(nlmsg_hdr(msg), 0, tb, VEXFS_A_MAX, NULL);
	if (ret < 0) {
		if (!r->parse_err)
			r->parse_err = nle_errno(ret);
		return NL_SKIP;
	}
	r->replies++;
	if (r->parse && !r->parse_err)
		r->parse_err = r->parse(nlmsg_hdr(msg), tb, r->arg);
	r->done = true; /* commands that answer send one reply */
	return NL_SKIP;
}

/* Alias and index attributes of a request (NULL, 0: not sent). */
struct nl_alias_names {
	const char *alias, *old;
	const char *key; /* VEXFS_A_INDEX_KEY */
	uint32_t type; /* VEXFS_A_INDEX_TYPE */
};

/*
 * Send @cmd with the root fd, and @name, @cfg and @an's names when given;
 * feed every reply to @parse. Returns the kernel's errno, a libnl failure as
 * errno, or the first non-zero result of @parse.
 */
static int nl_request_ex(struct vexfs *vx, uint8_t cmd, const char *name,
			 const struct vexfs_collection_config *cfg,
			 const struct nl_alias_names *an,
			 int (*parse)(struct nlmsghdr *nlh, struct nlattr **tb,
				      void *arg),
			 void *arg)
{
	struct nl_req r = { .parse = parse, .arg = arg };
	struct nl_msg *msg = NULL;
	struct nl_cb *cb = NULL;
	int ret;

	pthread_mutex_lock(&vx->lock);
	ret = nl_ready(vx);
	if (ret)
		goto out;
	ret = -ENOMEM;
	msg = nlmsg_alloc();
	cb = nl_cb_clone(nl_socket_get_cb(vx->sk));
	if (!msg || !cb)
		goto out;
	/*
	 * No ACK after a reply: a reply larger than the socket's receive
	 * buffer is still delivered (it arrives at an empty queue), but the
	 * ACK queued behind it would overflow and be lost (ENOBUFS). Errors
	 * are answered whatever the flags.
	 */
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, vx->family, 0,
			 parse ? 0 : NLM_F_ACK, cmd, VEXFS_GENL_VERSION))
		goto out;
	ret = -EMSGSIZE;
	if (nla_put_u32(msg, VEXFS_A_ROOT_FD, (uint32_t)vx->root_fd) ||
	    (name && nla_put_string(msg, VEXFS_A_COLL_NAME, name)) ||
	    (cfg && nla_put(msg, VEXFS_A_COLL_CONFIG, sizeof(*cfg), cfg)) ||
	    (an && an->alias &&
	     nla_put_string(msg, VEXFS_A_ALIAS_NAME, an->alias)) ||
	    (an && an->old &&
	     nla_put_string(msg, VEXFS_A_ALIAS_OLD, an->old)) ||
	    (an && an->key &&
	     nla_put_string(msg, VEXFS_A_INDEX_KEY, an->key)) ||
	    (an && an->type && nla_put_u32(msg, VEXFS_A_INDEX_TYPE, an->type)))
		goto out;
	nl_cb_err(cb, NL_CB_CUSTOM, req_error, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, req_ack, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, req_finish, &r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, req_valid, &r);
	ret = nl_send_auto(vx->sk, msg);
	if (ret < 0)
		goto broken;
	while (!r.done) {
		ret = nl_recvmsgs(vx->sk, cb);
		if (ret < 0 && !r.done)
			goto broken;
	}
	ret = r.err ? r.err : r.parse_err;
	if (!ret && parse && !r.replies)
		ret = -EBADMSG; /* the command must answer */
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	pthread_mutex_unlock(&vx->lock);
	return ret;
broken:
	/* Replies may still be queued: start over with a new socket. */
	ret = nle_errno(ret);
	nl_socket_free(vx->sk);
	vx->sk = NULL;
	goto out;
}

static int nl_request(struct vexfs *vx, uint8_t cmd, const char *name,
		      const struct vexfs_collection_config *cfg,
		      int (*parse)(struct nlmsghdr *nlh, struct nlattr **tb,
				   void *arg),
		      void *arg)
{
	return nl_request_ex(vx, cmd, name, cfg, NULL, parse, arg);
}

/* Is @name something openat() would take as one collection directory? */
static bool name_ok(const char *name)
{
	size_t len = strlen(name);

	return len && len <= VEXFS_COLLECTION_NAME_MAX && !strchr(name, '/') &&
	       strcmp(name, ".") && strcmp(name, "..");
}

VX_EXPORT int vexfs_coll_create(struct vexfs *vx, const char *name,
				const struct vexfs_collection_config *cfg)
{
	return nl_request(vx, VEXFS_CMD_COLL_CREATE, name, cfg, NULL, NULL);
}

VX_EXPORT int vexfs_coll_delete(struct vexfs *vx, const char *name)
{
	return nl_request(vx, VEXFS_CMD_COLL_DELETE, name, NULL, NULL, NULL);
}

/*
 * A collection's attributes into @info. Names may come with or without a
 * terminating NUL (the kernel's NLA_STRING does not require one).
 */
static int parse_coll_attrs(struct nlattr **tb, struct vexfs_coll_info *info)
{
	struct nlattr *a = tb[VEXFS_A_COLL_NAME];
	int len;

	memset(info, 0, sizeof(*info));
	if (!a)
		return -EBADMSG;
	len = strnlen(nla_data(a), nla_len(a));
	if (!len || len > (int)VEXFS_COLLECTION_NAME_MAX)
		return -EBADMSG;
	memcpy(info->name, nla_data(a), len);
	a = tb[VEXFS_A_COLL_CONFIG];
	if (a) /* a newer kernel may send a longer struct: take our part */
		memcpy(&info->config, nla_data(a),
		       nla_len(a) < (int)sizeof(info->config) ?
			       (size_t)nla_len(a) :
			       sizeof(info->config));
	a = tb[VEXFS_A_COLL_POINTS];
	if (a && nla_len(a) >= 8)
		info->points = nla_get_u64(a);
	a = tb[VEXFS_A_COLL_INDEXED];
	if (a && nla_len(a) >= 8)
		info->indexed = nla_get_u64(a);
	return 0;
}

/* One VEXFS_A_COLL nest into @info. */
static int parse_coll(struct nlattr *nest, struct vexfs_coll_info *info)
{
	struct nlattr *tb[VEXFS_A_MAX + 1];

	if (nla_parse_nested(tb, VEXFS_A_MAX, nest, NULL) < 0)
		return -EBADMSG;
	return parse_coll_attrs(tb, info);
}

struct get_arg {
	struct vexfs_coll_info *info;
	bool seen;
};

static int parse_get(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct get_arg *g = arg;

	if (g->seen)
		return -EBADMSG;
	g->seen = true;
	/* One VEXFS_A_COLL nest, or its attributes at the top level. */
	if (tb[VEXFS_A_COLL])
		return parse_coll(tb[VEXFS_A_COLL], g->info);
	return parse_coll_attrs(tb, g->info);
}

VX_EXPORT int vexfs_coll_get(struct vexfs *vx, const char *name,
			     struct vexfs_coll_info *info)
{
	struct get_arg g = { .info = info };

	return nl_request(vx, VEXFS_CMD_COLL_GET, name, NULL, parse_get, &g);
}

struct list_arg {
	vexfs_coll_cb cb;
	void *arg;
	int n;
};

/* Every VEXFS_A_COLL at the top level of one reply (tb[] keeps the last). */
static int parse_list(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	struct list_arg *l = arg;
	struct vexfs_coll_info info;
	struct nlattr *a;
	int rem, ret;

	nla_for_each_attr(a, genlmsg_attrdata(gnlh, 0),
			  genlmsg_attrlen(gnlh, 0), rem)
	{
		if (nla_type(a) != VEXFS_A_COLL)
			continue;
		ret = parse_coll(a, &info);
		if (ret)
			return ret;
		l->n++;
		if (l->cb) {
			ret = l->cb(&info, l->arg);
			if (ret)
				return ret;
		}
	}
	return 0;
}

VX_EXPORT int vexfs_coll_list(struct vexfs *vx, vexfs_coll_cb cb, void *arg)
{
	struct list_arg l = { .cb = cb, .arg = arg };
	int ret;

	ret = nl_request(vx, VEXFS_CMD_COLL_LIST, NULL, NULL, parse_list, &l);
	return ret ? ret : l.n;
}

VX_EXPORT int vexfs_coll_update(struct vexfs *vx, const char *name,
				const struct vexfs_collection_config *cfg)
{
	return nl_request(vx, VEXFS_CMD_COLL_UPDATE, name, cfg, NULL, NULL);
}

/* Names longer than the kernel takes are refused here, never truncated. */
static bool alias_name_fits(const char *name)
{
	return name && strlen(name) <= VEXFS_COLLECTION_NAME_MAX;
}

VX_EXPORT int vexfs_alias_create(struct vexfs *vx, const char *alias,
				 const char *coll)
{
	struct nl_alias_names an = { .alias = alias };

	if (!alias_name_fits(alias) || !alias_name_fits(coll))
		return -EINVAL;
	return nl_request_ex(vx, VEXFS_CMD_ALIAS_CHANGE, coll, NULL, &an, NULL,
			     NULL);
}

VX_EXPORT int vexfs_alias_delete(struct vexfs *vx, const char *alias)
{
	struct nl_alias_names an = { .alias = alias };

	if (!alias_name_fits(alias))
		return -EINVAL;
	return nl_request_ex(vx, VEXFS_CMD_ALIAS_CHANGE, NULL, NULL, &an, NULL,
			     NULL);
}

VX_EXPORT int vexfs_alias_rename(struct vexfs *vx, const char *old_alias,
				 const char *new_alias)
{
	struct nl_alias_names an = { .alias = new_alias, .old = old_alias };

	if (!alias_name_fits(old_alias) || !alias_name_fits(new_alias))
		return -EINVAL;
	return nl_request_ex(vx, VEXFS_CMD_ALIAS_CHANGE, NULL, NULL, &an, NULL,
			     NULL);
}

struct alias_list_arg {
	vexfs_alias_cb cb;
	void *arg;
	int n;
};

/* A string attribute of 1..255 bytes, NUL or not, into @out (256 bytes). */
static int nla_name(struct nlattr *a, char *out)
{
	int len;

	if (!a)
		return -EBADMSG;
	len = strnlen(nla_data(a), nla_len(a));
	if (!len || len > (int)VEXFS_COLLECTION_NAME_MAX)
		return -EBADMSG;
	memcpy(out, nla_data(a), len);
	out[len] = '\0';
	return 0;
}

static int parse_alias_list(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	struct alias_list_arg *l = arg;
	char alias[VEXFS_COLLECTION_NAME_MAX + 1];
	char coll[VEXFS_COLLECTION_NAME_MAX + 1];
	struct nlattr *a, *nt[VEXFS_A_MAX + 1];
	int rem, ret;

	nla_for_each_attr(a, genlmsg_attrdata(gnlh, 0),
			  genlmsg_attrlen(gnlh, 0), rem)
	{
		if (nla_type(a) != VEXFS_A_ALIAS)
			continue;
		if (nla_parse_nested(nt, VEXFS_A_MAX, a, NULL) < 0)
			return -EBADMSG;
		ret = nla_name(nt[VEXFS_A_ALIAS_NAME], alias);
		if (!ret)
			ret = nla_name(nt[VEXFS_A_COLL_NAME], coll);
		if (ret)
			return ret;
		l->n++;
		if (l->cb) {
			ret = l->cb(alias, coll, l->arg);
			if (ret)
				return ret;
		}
	}
	return 0;
}

VX_EXPORT int vexfs_alias_list(struct vexfs *vx, const char *coll,
			       vexfs_alias_cb cb, void *arg)
{
	struct alias_list_arg l = { .cb = cb, .arg = arg };
	int ret;

	if (coll && !alias_name_fits(coll))
		return -EINVAL;
	ret = nl_request(vx, VEXFS_CMD_ALIAS_LIST, coll, NULL, parse_alias_list,
			 &l);
	return ret ? ret : l.n;
}

/* --- payload indexes ------------------------------------------------------ */

static bool index_key_ok(const char *key)
{
	return key && *key && strlen(key) <= VEXFS_KEY_MAX;
}

VX_EXPORT int vexfs_index_create(struct vexfs *vx, const char *coll,
				 const char *key, uint32_t type)
{
	struct nl_alias_names an = { .key = key, .type = type };

	if (!alias_name_fits(coll) || !index_key_ok(key) || !type)
		return -EINVAL;
	return nl_request_ex(vx, VEXFS_CMD_INDEX_CREATE, coll, NULL, &an, NULL,
			     NULL);
}

VX_EXPORT int vexfs_index_delete(struct vexfs *vx, const char *coll,
				 const char *key)
{
	struct nl_alias_names an = { .key = key };

	if (!alias_name_fits(coll) || !index_key_ok(key))
		return -EINVAL;
	return nl_request_ex(vx, VEXFS_CMD_INDEX_DELETE, coll, NULL, &an, NULL,
			     NULL);
}

struct index_list_arg {
	vexfs_index_cb cb;
	void *arg;
	int n;
};

static int parse_index_list(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	struct index_list_arg *l = arg;
	struct nlattr *a, *nt[VEXFS_A_MAX + 1];
	int rem, ret;

	nla_for_each_attr(a, genlmsg_attrdata(gnlh, 0),
			  genlmsg_attrlen(gnlh, 0), rem)
	{
		struct vexfs_index_info info;
		int len;

		if (nla_type(a) != VEXFS_A_INDEX)
			continue;
		if (nla_parse_nested(nt, VEXFS_A_MAX, a, NULL) < 0 ||
		    !nt[VEXFS_A_INDEX_KEY] || !nt[VEXFS_A_INDEX_TYPE] ||
		    !nt[VEXFS_A_INDEX_POINTS])
			return -EBADMSG;
		memset(&info, 0, sizeof(info));
		len = strnlen(nla_data(nt[VEXFS_A_INDEX_KEY]),
			      nla_len(nt[VEXFS_A_INDEX_KEY]));
		if (!len || len > (int)VEXFS_KEY_MAX)
			return -EBADMSG;
		memcpy(info.key, nla_data(nt[VEXFS_A_INDEX_KEY]), len);
		info.type = nla_get_u32(nt[VEXFS_A_INDEX_TYPE]);
		info.points = nla_get_u64(nt[VEXFS_A_INDEX_POINTS]);
		l->n++;
		if (l->cb) {
			ret = l->cb(&info, l->arg);
			if (ret)
				return ret;
		}
	}
	return 0;
}

VX_EXPORT int vexfs_index_list(struct vexfs *vx, const char *coll,
			       vexfs_index_cb cb, void *arg)
{
	struct index_list_arg l = { .cb = cb, .arg = arg };
	int ret;

	if (!alias_name_fits(coll))
		return -EINVAL;
	ret = nl_request(vx, VEXFS_CMD_INDEX_LIST, coll, NULL, parse_index_list,
			 &l);
	return ret ? ret : l.n;
}

VX_EXPORT int vexfs_coll_open(struct vexfs *vx, const char *name)
{
	int fd;

	if (!name_ok(name))
		return -EINVAL;
	fd = openat(vx->root_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return fd; /* the caller's to close */
}

/* --- events -------------------------------------------------------------- */

#define EV_QUEUE 32u

struct vexfs_events {
	struct nl_sock *sk;
	struct nl_cb *cb;
	struct vexfs_event_info q[EV_QUEUE]; /* parsed, not yet read */
	unsigned int head, len;
	bool lost;
};

static int ev_valid(struct nl_msg *msg, void *arg)
{
	struct vexfs_events *ev = arg;
	struct genlmsghdr *gnlh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[VEXFS_A_MAX + 1];
	struct vexfs_event_info *e;
	int len;

	if (gnlh->cmd != VEXFS_CMD_EVENT ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, tb, VEXFS_A_MAX, NULL) < 0 ||
	    !tb[VEXFS_A_EVENT] || nla_len(tb[VEXFS_A_EVENT]) < 4)
		return NL_SKIP;
	if (ev->len == EV_QUEUE) {
		ev->lost = true;
		return NL_SKIP;
	}
	e = &ev->q[(ev->head + ev->len++) % EV_QUEUE];
	memset(e, 0, sizeof(*e));
	e->event = nla_get_u32(tb[VEXFS_A_EVENT]);
	if (tb[VEXFS_A_COLL_NAME]) {
		len = nla_len(tb[VEXFS_A_COLL_NAME]);
		if (len > (int)VEXFS_COLLECTION_NAME_MAX)
			len = VEXFS_COLLECTION_NAME_MAX;
		memcpy(e->coll, nla_data(tb[VEXFS_A_COLL_NAME]), len);
	}
	if (tb[VEXFS_A_COLL_INDEXED] && nla_len(tb[VEXFS_A_COLL_INDEXED]) >= 8)
		e->indexed = nla_get_u64(tb[VEXFS_A_COLL_INDEXED]);
	return NL_SKIP;
}

static int ev_seq_ok(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

VX_EXPORT struct vexfs_events *vexfs_events_open(void)
{
	struct vexfs_events *ev = calloc(1, sizeof(*ev));
	int ret = -ENOMEM, grp;

	if (!ev)
		goto fail;
	ev->sk = nl_socket_alloc();
	ev->cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!ev->sk || !ev->cb)
		goto fail;
	ret = genl_connect(ev->sk);
	if (ret < 0)
		goto fail_nl;
	grp = genl_ctrl_resolve_grp(ev->sk, VEXFS_GENL_NAME,
				    VEXFS_GENL_MCGRP_EVENTS);
	if (grp < 0) {
		ret = grp;
		goto fail_nl;
	}
	ret = nl_socket_add_membership(ev->sk, grp);
	if (ret < 0)
		goto fail_nl;
	ret = nl_socket_set_nonblocking(ev->sk);
	if (ret < 0)
		goto fail_nl;
	/* Multicast messages carry no sequence of ours. */
	nl_cb_set(ev->cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, ev_seq_ok, NULL);
	nl_cb_set(ev->cb, NL_CB_VALID, NL_CB_CUSTOM, ev_valid, ev);
	return ev;
fail_nl:
	ret = nle_errno(ret);
fail:
	vexfs_events_close(ev);
	errno = -ret;
	return NULL;
}

VX_EXPORT void vexfs_events_close(struct vexfs_events *ev)
{
	if (!ev)
		return;
	if (ev->cb)
		nl_cb_put(ev->cb);
	if (ev->sk)
		nl_socket_free(ev->sk);
	free(ev);
}

VX_EXPORT int vexfs_events_fd(struct vexfs_events *ev)
{
	return nl_socket_get_fd(ev->sk);
}

VX_EXPORT int vexfs_events_read(struct vexfs_events *ev,
				struct vexfs_event_info *out, int timeout_ms)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(ev->sk),
			      .events = POLLIN };
	int ret;

	while (!ev->len) {
		if (ev->lost) {
			ev->lost = false;
			return -ENOBUFS;
		}
		ret = poll(&pfd, 1, timeout_ms);
		if (ret < 0)
			return -errno;
		if (!ret)
			return 0;
		ret = nl_recvmsgs(ev->sk, ev->cb);
		if (ret == -NLE_AGAIN)
			continue;
		if (ret == -NLE_NOMEM && errno == ENOBUFS)
			return -ENOBUFS;
		if (ret < 0)
			return nle_errno(ret);
	}
	*out = ev->q[ev->head];
	ev->head = (ev->head + 1) % EV_QUEUE;
	ev->len--;
	return 1;
}

/* --- data plane ---------------------------------------------------------- */

VX_EXPORT int vexfs_upsert(int cfd, uint32_t count, uint32_t dim,
			   const struct vexfs_point_id *ids,
			   const float *vectors, const uint32_t *payload_lens,
			   const void *payloads)
{
	struct vexfs_upsert u = {
		.count = count,
		.dim = dim,
		.ids = (uintptr_t)ids,
		.vectors = (uintptr_t)vectors,
		.payload_lens = (uintptr_t)payload_lens,
		.payloads = (uintptr_t)payloads,
	};

	if (payload_lens)
		for (uint32_t i = 0; i < count; i++)
			u.payloads_size += payload_lens[i];
	return vexfs_ioctl(cfd, VEXFS_IOC_UPSERT, &u);
}

VX_EXPORT int vexfs_get(int cfd, uint32_t count,
			const struct vexfs_point_id *ids, uint8_t *found,
			float *vectors, uint32_t *payload_lens, void *payloads,
			uint64_t *payloads_size)
{
	struct vexfs_get g = {
		.count = count,
		.flags = (vectors ? VEXFS_GET_VECTOR : 0) |
			 (payload_lens ? VEXFS_GET_PAYLOAD : 0),
		.ids = (uintptr_t)ids,
		.found = (uintptr_t)found,
		.vectors = (uintptr_t)vectors,
		.payload_lens = (uintptr_t)payload_lens,
		.payloads = (uintptr_t)payloads,
		.payloads_size = payloads_size ? *payloads_size : 0,
	};
	int ret = vexfs_ioctl(cfd, VEXFS_IOC_GET, &g);

	if (payloads_size && (!ret || ret == -ENOSPC))
		*payloads_size = g.payloads_size;
	if (ret)
		return ret;
	for (uint32_t i = 0; i < count; i++)
		ret += !!found[i];
	return ret;
}

VX_EXPORT int vexfs_delete(int cfd, uint32_t count,
			   const struct vexfs_point_id *ids)
{
	struct vexfs_delete d = { .count = count, .ids = (uintptr_t)ids };
	int ret = vexfs_ioctl(cfd, VEXFS_IOC_DELETE, &d);

	return ret ? ret : (int)d.deleted;
}

VX_EXPORT int vexfs_count(int cfd, uint64_t *points, uint64_t *indexed)
{
	struct vexfs_count c = { 0 };
	int ret = vexfs_ioctl(cfd, VEXFS_IOC_COUNT, &c);

	if (ret)
		return ret;
	if (points)
		*points = c.count;
	if (indexed)
		*indexed = c.indexed;
	return 0;
}

VX_EXPORT int vexfs_search(int cfd, uint32_t nq, uint32_t dim,
			   const float *queries,
			   const struct vexfs_search_opts *opts,
			   struct vexfs_hit *hits, uint32_t *nhits)
{
	uint32_t one = 0;
	struct vexfs_search s = {
		.nq = nq,
		.dim = dim,
		.limit = opts->limit,
		.offset = opts->offset,
		.ef = opts->ef,
		.flags = opts->flags,
		.score_threshold = opts->score_threshold,
		.queries = (uintptr_t)queries,
		.hits = (uintptr_t)hits,
		.filter = { .code = (uintptr_t)opts->filter,
			    .len = opts->filter ? opts->filter_len : 0 },
	};
	int ret;

	if (!nhits) {
		if (nq != 1)
			return -EINVAL;
		nhits = &one;
	}
	s.nhits = (uintptr_t)nhits;
	ret = vexfs_ioctl(cfd, VEXFS_IOC_SEARCH, &s);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < nq; i++)
		ret += nhits[i];
	return ret;
}

VX_EXPORT int vexfs_scroll(int cfd, uint64_t *cursor, uint32_t limit,
			   struct vexfs_point_id *ids)
{
	struct vexfs_scroll s = {
		.cursor = *cursor,
		.limit = limit,
		.ids = (uintptr_t)ids,
	};
	int ret = vexfs_ioctl(cfd, VEXFS_IOC_SCROLL, &s);

	if (ret)
		return ret;
	*cursor = s.cursor;
	return s.nr;
}

VX_EXPORT int vexfs_get_ex(int cfd, struct vexfs_get *g)
{
	return vexfs_ioctl(cfd, VEXFS_IOC_GET, g);
}

static struct vexfs_filter filter_arg(const void *code, uint32_t len)
{
	struct vexfs_filter f = { .code = (uintptr_t)code,
				  .len = code ? len : 0 };

	return f;
}

/* A 64-bit count as an int result (saturated). */
static int count_ret(uint64_t n)
{
	return n > INT_MAX ? INT_MAX : (int)n;
}

VX_EXPORT int vexfs_count_filter(int cfd, const void *filter,
				 uint32_t filter_len, uint64_t *points)
{
	struct vexfs_count c = { .filter = filter_arg(filter, filter_len) };
	int ret = vexfs_ioctl(cfd, VEXFS_IOC_COUNT, &c);

	if (!ret && points)
		*points = c.count;
	return ret;
}

VX_EXPORT int vexfs_scroll_filter(int cfd, uint64_t *cursor, uint32_t limit,
				  const void *filter, uint32_t filter_len,
				  struct vexfs_point_id *ids)
{
	struct vexfs_scroll s = {
		.cursor = *cursor,
		.limit = limit,
		.ids = (uintptr_t)ids,
		.filter = filter_arg(filter, filter_len),
	};
	int ret = vexfs_ioctl(cfd, VEXFS_IOC_SCROLL, &s);

	if (ret)
		return ret;
	*cursor = s.cursor;
	return s.nr;
}

VX_EXPORT int vexfs_delete_filter(int cfd, const void *filter,
				  uint32_t filter_len)
{
	struct vexfs_delete d = { .filter = filter_arg(filter, filter_len) };
	int ret;

	if (!filter || !filter_len)
		return -EINVAL; /* an empty filter would be every point */
	ret = vexfs_ioctl(cfd, VEXFS_IOC_DELETE, &d);
	return ret ? ret : (int)d.deleted;
}

VX_EXPORT int vexfs_payload(int cfd, struct vexfs_payload_op *op)
{
	int ret = vexfs_ioctl(cfd, VEXFS_IOC_PAYLOAD, op);

	return ret ? ret : count_ret(op->updated);
}

VX_EXPORT int vexfs_vectors_update(int cfd, uint32_t count, uint32_t dim,
				   const struct vexfs_point_id *ids,
				   const float *vectors)
{
	struct vexfs_vectors_update u = {
		.count = count,
		.dim = dim,
		.ids = (uintptr_t)ids,
		.vectors = (uintptr_t)vectors,
	};
	int ret = vexfs_ioctl(cfd, VEXFS_IOC_VECTORS_UPDATE, &u);

	return ret ? ret : (int)u.updated;
}

VX_EXPORT int vexfs_vectors_delete(int cfd, uint32_t count,
				   const struct vexfs_point_id *ids,
				   const void *filter, uint32_t filter_len)
{
	struct vexfs_vectors_delete d = {
		.count = count,
		.ids = (uintptr_t)ids,
	};
	int ret;

	if (!count) {
		if (!filter || !filter_len)
			return -EINVAL;
		d.filter = filter_arg(filter, filter_len);
	}
	ret = vexfs_ioctl(cfd, VEXFS_IOC_VECTORS_DELETE, &d);
	return ret ? ret : count_ret(d.updated);
}

/* --- helpers ------------------------------------------------------------- */

static const char *const distance_names[] = {
	[VEXFS_DISTANCE_COSINE] = "Cosine",
	[VEXFS_DISTANCE_EUCLID] = "Euclid",
	[VEXFS_DISTANCE_DOT] = "Dot",
	[VEXFS_DISTANCE_MANHATTAN] = "Manhattan",
};

VX_EXPORT const char *vexfs_distance_name(uint32_t distance)
{
	if (distance >= sizeof(distance_names) / sizeof(distance_names[0]))
		return NULL;
	return distance_names[distance];
}

VX_EXPORT int vexfs_distance_parse(const char *name)
{
	for (int i = 1;
	     i < (int)(sizeof(distance_names) / sizeof(distance_names[0])); i++)
		if (!strcasecmp(name, distance_names[i]))
			return i;
	return -EINVAL;
}
