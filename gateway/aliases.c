// SPDX-License-Identifier: GPL-2.0
/*
 * Aliases: POST /collections/aliases, GET /aliases,
 * GET /collections/{c}/aliases. The kernel keeps them and resolves them
 * wherever a collection name is taken, so the other handlers need
 * nothing.
 */
#include <errno.h>
#include <string.h>

#include "backend.h"
#include "gateway.h"
#include "handlers.h"
#include "request.h"

struct action {
	const char *alias, *coll, *old; /* as gw_backend_ops.alias_change */
};

/* One action object into @a, or a 400 and -1. */
static int parse_action(struct gw_req *req, json_t *o, size_t i,
			struct action *a)
{
	static const struct {
		const char *kind, *f1, *f2;
	} kinds[] = {
		{ "create_alias", "collection_name", "alias_name" },
		{ "delete_alias", "alias_name", NULL },
		{ "rename_alias", "old_alias_name", "new_alias_name" },
	};
	const char *v1, *v2 = NULL;
	json_t *body = NULL;
	size_t k;

	memset(a, 0, sizeof(*a));
	for (k = 0; json_is_object(o) && json_object_size(o) == 1 &&
		    k < ARRAY_SIZE(kinds);
	     k++) {
		body = json_object_get(o, kinds[k].kind);
		if (body)
			break;
	}
	if (!body || !json_is_object(body)) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: actions[%zu]: data did not match any variant of untagged enum AliasOperations",
			i);
		return -1;
	}
	v1 = json_string_value(json_object_get(body, kinds[k].f1));
	if (kinds[k].f2)
		v2 = json_string_value(json_object_get(body, kinds[k].f2));
	if (!v1 || (kinds[k].f2 && !v2)) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: actions[%zu].%s: missing field `%s`",
			i, kinds[k].kind, !v1 ? kinds[k].f1 : kinds[k].f2);
		return -1;
	}
	if (!*v1 || (v2 && !*v2) || strlen(v1) > 255 ||
	    (v2 && strlen(v2) > 255)) {
		gw_reply_invalid(
			req, "actions[%zu]: names must be 1 to 255 bytes", i);
		return -1;
	}
	switch (k) {
	case 0:
		a->coll = v1;
		a->alias = v2;
		break;
	case 1:
		a->alias = v1;
		break;
	default:
		a->old = v1;
		a->alias = v2;
	}
	return 0;
}

void gw_aliases_update(struct gw_req *req)
{
	struct gw_backend *be = req->srv->backend;
	json_t *actions = json_object_get(req->body, "actions"), *o;
	struct action a;
	size_t i;
	int err;

	if (!json_is_array(actions)) {
		gw_reply_error(
			req, 400,
			actions ?
				"Format error in JSON body: actions: expected an array" :
				"Format error in JSON body: missing field `actions`");
		return;
	}
	json_array_foreach(actions, i, o)
	{
		if (parse_action(req, o, i, &a))
			return;
	}
	if (!gw_backend_has(be, alias_change)) {
		gw_reply_errno(req, -EOPNOTSUPP,
			       "aliases are not supported by the %s backend",
			       be->ops->name);
		return;
	}
	/* In order; each is atomic in the kernel. */
	json_array_foreach(actions, i, o)
	{
		parse_action(req, o, i, &a);
		err = be->ops->alias_change(be, a.alias, a.coll, a.old);
		if (!err)
			continue;
		if (err == -ENOENT && a.coll)
			gw_reply_errno(req, err,
				       "Collection `%s` doesn't exist!",
				       a.coll);
		else if (err == -ENOENT)
			gw_reply_errno(req, err, "Alias %s does not exist",
				       a.old ? a.old : a.alias);
		else if (err == -EEXIST)
			gw_reply_errno(
				req, err,
				"Collection or alias `%s` already exists!",
				a.alias);
		else if (err == -EOPNOTSUPP)
			gw_reply_errno(
				req, err,
				"aliases are not supported by the kernel module yet");
		else
			gw_reply_errno(req, err, "Alias `%s`: %s", a.alias,
				       strerror(-err));
		return;
	}
	gw_reply_ok(req, json_true());
}

static void reply_aliases(struct gw_req *req, const char *coll)
{
	struct gw_backend *be = req->srv->backend;
	struct gw_collection_info info;
	struct gw_aliases al = { 0 };
	json_t *list;
	size_t i;
	int err;

	if (coll) {
		err = be->ops->collection_get(be, coll, &info);
		if (err) {
			if (err == -ENOENT)
				gw_reply_errno(req, err,
					       "Collection `%s` doesn't exist!",
					       coll);
			else
				gw_reply_errno(req, err, "Collection `%s`: %s",
					       coll, strerror(-err));
			return;
		}
	}
	err = gw_backend_has(be, alias_list) ?
		      be->ops->alias_list(be, coll, &al) :
		      -EOPNOTSUPP;
	if (err == -EOPNOTSUPP) {
		/* No aliases can exist where they cannot be made. */
		gw_reply_ok(req, json_pack("{s:[]}", "aliases"));
		return;
	}
	if (err) {
		gw_reply_errno(req, err, "Cannot list aliases: %s",
			       strerror(-err));
		return;
	}
	list = json_array();
	for (i = 0; list && i < al.n; i++)
		json_array_append_new(
			list,
			json_pack("{s:s, s:s}", "alias_name", al.v[i].alias,
				  "collection_name", al.v[i].collection));
	gw_aliases_free(&al);
	gw_reply_ok(req, list ? json_pack("{s:o}", "aliases", list) : NULL);
}

void gw_aliases_list(struct gw_req *req)
{
	reply_aliases(req, NULL);
}

void gw_collection_aliases(struct gw_req *req)
{
	reply_aliases(req, gw_req_param(req, "collection_name"));
}
