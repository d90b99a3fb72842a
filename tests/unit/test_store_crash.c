// SPDX-License-Identifier: GPL-2.0
/*
 * Crash consistency of the storage engine, in the manner of SQLite's
 * simulated-crash tests: run a workload of mixed operations on a device
 * that loses power after its N-th block write (tearing and dropping what
 * was not flushed), mount what survives, and check that every acknowledged
 * operation is there and the one in flight is all there or not at all.
 * Small workload: every crash point. Large workload: sampled crash points.
 */
#include "db.h"
#include "distance.h"
#include "vxtest.h"
#include "crashdev.h"
#include "cbor_payload.h"

#define NCOLL 2
#define NIDS 48
#define DIM 8
#define MAXPAY 6000
#define DEV_BLOCKS 2048 /* 8 MiB: 256-block WAL, room for checkpoints */

static const char *const coll_names[NCOLL] = { "alpha", "beta" };
static const u32 coll_dist[NCOLL] = { VEXFS_DISTANCE_EUCLID,
				      VEXFS_DISTANCE_COSINE };

struct mpoint {
	bool present;
	bool novec; /* its vector was deleted */
	float vec[DIM];
	u32 plen;
	u8 payload[MAXPAY];
};

struct model {
	bool exists[NCOLL];
	u32 mode[NCOLL], uid[NCOLL];
	struct mpoint pts[NCOLL][NIDS];
};

enum op_kind {
	OP_CREATE,
	OP_DROP,
	OP_UPSERT,
	OP_DELETE,
	OP_CHECKPOINT,
	OP_CHMOD,
	OP_PAYLOAD, /* by ids, all present: sub = VEXFS_PAYLOAD_* */
	OP_VEC_UPDATE, /* by ids, all present */
	OP_VEC_DELETE, /* by ids */
};

struct op {
	enum op_kind kind;
	u32 coll;
	u32 mode, uid;
	u32 n, sub;
	u32 ids[4];
	float vec[4][DIM];
	u32 plen[4];
	u8 payload[4][MAXPAY];
};

static u64 rng = 42;
static u32 ckpt_pct = 5; /* explicit checkpoints; 0: only when the WAL fills */
static struct vx_store_stats last_stats;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static struct vexfs_point_id num_id(u32 i)
{
	struct vexfs_point_id id = { .kind = VEXFS_ID_NUM, .num = i };

	/* Some ids are UUIDs, to exercise both kinds through the log. */
	if (i % 5 == 4) {
		id.kind = VEXFS_ID_UUID;
		memset(id.uuid, 0, 16);
		id.uuid[0] = 0xab;
		id.uuid[15] = (u8)i;
	}
	return id;
}

static void gen_op(struct op *op, const struct model *m)
{
	u32 r = (u32)(rnd() % 100);

	memset(op, 0, sizeof(*op));
	op->coll = (u32)(rnd() % NCOLL);
	if (!m->exists[op->coll]) {
		op->kind = OP_CREATE;
		return;
	}
	if (r < 3) {
		op->kind = OP_DROP;
	} else if (r >= 97) {
		op->kind = OP_CHMOD;
		op->mode = (u32)(rnd() % 01000);
		op->uid = (u32)(rnd() % 70000);
	} else if (r < 3 + ckpt_pct) {
		op->kind = OP_CHECKPOINT;
	} else if (r >= 84 && r < 97) {
		/* rewrites of present points (at most 4 distinct) */
		u32 first = (u32)(rnd() % NIDS);

		for (u32 k = 0; k < NIDS && op->n < 4; k++) {
			u32 i = (first + k * 7) % NIDS;

			if (m->pts[op->coll][i].present)
				op->ids[op->n++] = i;
		}
		if (!op->n || r >= 94) {
			op->kind = OP_VEC_DELETE;
			op->n = op->n ? op->n : 1;
			return;
		}
		if (r >= 91) {
			op->kind = OP_VEC_UPDATE;
			for (u32 i = 0; i < op->n; i++)
				for (u32 d = 0; d < DIM; d++)
					op->vec[i][d] =
						(float)(rnd() % 200) - 99.5f;
			return;
		}
		op->kind = OP_PAYLOAD;
		op->sub = 1 + (u32)(rnd() % 4);
		if (op->sub == VEXFS_PAYLOAD_OVERWRITE)
			op->plen[0] = make_payload(
				op->payload[0], 4 + (u32)(rnd() % 3000), rnd());
	} else if (r < 30) {
		op->kind = OP_DELETE;
		op->n = 1 + (u32)(rnd() % 3);
		for (u32 i = 0; i < op->n; i++)
			op->ids[i] = (u32)(rnd() % NIDS);
	} else {
		op->kind = OP_UPSERT;
		op->n = 1 + (u32)(rnd() % 4);
		for (u32 i = 0; i < op->n; i++) {
			/* distinct ids within one batch */
			op->ids[i] = (u32)((rnd() % (NIDS / 4)) * 4 + i);
			for (u32 d = 0; d < DIM; d++)
				op->vec[i][d] =
					(float)((int)(rnd() % 2001) - 1000) /
					100.0f;
			op->plen[i] =
				(rnd() % 3) ?
					make_payload(op->payload[i],
						     (u32)(rnd() % MAXPAY),
						     rnd()) :
					0;
		}
	}
}

/* What the payload edits of the workload do to {"p": "..."} payloads. */
static void model_payload(struct mpoint *p, const struct op *op)
{
	static const u8 q1[] = { 0x61, 'q', 0x01 };

	switch (op->sub) {
	case VEXFS_PAYLOAD_SET: /* {"q": 1}: joins "p", or replaces "q" */
		if (!p->plen || p->payload[0] == 0xa0) {
			p->payload[0] = 0xa1;
			memcpy(p->payload + 1, q1, 3);
			p->plen = 4;
		} else if (p->payload[0] == 0xa1 && p->payload[2] != 'q') {
			p->payload[0] = 0xa2;
			memcpy(p->payload + p->plen, q1, 3);
			p->plen += 3;
		}
		break;
	case VEXFS_PAYLOAD_OVERWRITE:
		p->plen = op->plen[0];
		memcpy(p->payload, op->payload[0], p->plen);
		break;
	case VEXFS_PAYLOAD_DELETE_KEYS: /* ["p"] */
		if (!p->plen) {
			p->payload[0] = 0xa0;
			p->plen = 1;
		} else if (p->payload[0] == 0xa1 && p->payload[2] == 'p') {
			p->payload[0] = 0xa0;
			p->plen = 1;
		} else if (p->payload[0] == 0xa2) {
			/* {"p": ..., "q": 1}: "q": 1 stays */
			p->payload[0] = 0xa1;
			memcpy(p->payload + 1, q1, 3);
			p->plen = 4;
		}
		break;
	default: /* CLEAR */
		p->plen = 0;
		break;
	}
}

static void model_apply(struct model *m, const struct op *op)
{
	struct mpoint *pts = m->pts[op->coll];

	switch (op->kind) {
	case OP_CREATE:
		m->exists[op->coll] = true;
		m->mode[op->coll] = 0755;
		m->uid[op->coll] = 0;
		break;
	case OP_CHMOD:
		m->mode[op->coll] = op->mode;
		m->uid[op->coll] = op->uid;
		break;
	case OP_DROP:
		m->exists[op->coll] = false;
		memset(pts, 0, sizeof(m->pts[0]));
		break;
	case OP_UPSERT:
		for (u32 i = 0; i < op->n; i++) {
			struct mpoint *p = &pts[op->ids[i]];

			p->present = true;
			p->novec = false;
			vx_dist_prepare(coll_dist[op->coll], op->vec[i], p->vec,
					DIM);
			p->plen = op->plen[i];
			memcpy(p->payload, op->payload[i], op->plen[i]);
		}
		break;
	case OP_DELETE:
		for (u32 i = 0; i < op->n; i++)
			pts[op->ids[i]].present = false;
		break;
	case OP_CHECKPOINT:
		break;
	case OP_VEC_UPDATE:
		for (u32 i = 0; i < op->n; i++) {
			pts[op->ids[i]].novec = false;
			vx_dist_prepare(coll_dist[op->coll], op->vec[i],
					pts[op->ids[i]].vec, DIM);
		}
		break;
	case OP_VEC_DELETE:
		for (u32 i = 0; i < op->n; i++)
			pts[op->ids[i]].novec = true;
		break;
	case OP_PAYLOAD:
		for (u32 i = 0; i < op->n; i++)
			model_payload(&pts[op->ids[i]], op);
		break;
	}
}

static int db_do(struct vx_db *db, const struct op *op)
{
	const char *name = coll_names[op->coll];
	u32 len = (u32)strlen(name);
	struct vexfs_collection_config cfg = {
		.dim = DIM, .distance = coll_dist[op->coll]
	};
	struct vx_point_in in[4];
	struct vexfs_point_id ids[4];

	switch (op->kind) {
	case OP_CREATE:
		return vx_db_create_collection(db, name, len, &cfg);
	case OP_DROP:
		return vx_db_delete_collection(db, name, len);
	case OP_UPSERT:
		for (u32 i = 0; i < op->n; i++) {
			in[i].id = num_id(op->ids[i]);
			in[i].vec = op->vec[i];
			in[i].payload = op->payload[i];
			in[i].payload_len = op->plen[i];
		}
		return vx_db_upsert(db, name, len, in, op->n);
	case OP_DELETE:
		for (u32 i = 0; i < op->n; i++)
			ids[i] = num_id(op->ids[i]);
		return vx_db_delete(db, name, len, ids, op->n, NULL);
	case OP_CHECKPOINT:
		return vx_store_checkpoint(db->store);
	case OP_CHMOD: {
		struct vx_collection *c = vx_db_get_collection(db, name, len);
		u32 id = c ? c->id : 0;

		if (c)
			vx_db_put_collection(db, c);
		return vx_db_set_collection_attr(db, id, op->mode, op->uid, 7);
	}
	case OP_PAYLOAD:
	case OP_VEC_UPDATE:
	case OP_VEC_DELETE: {
		static const u8 set_q[] = { 0xa1, 0x61, 'q', 0x01 };
		static const u8 del_p[] = { 0x81, 0x61, 'p' };
		struct vx_collection *c = vx_db_get_collection(db, name, len);
		struct vx_payload_edit e = { .op = op->sub };
		float vecs[4 * DIM];
		u32 id = c ? c->id : 0;

		if (c)
			vx_db_put_collection(db, c);
		for (u32 i = 0; i < op->n; i++)
			ids[i] = num_id(op->ids[i]);
		if (op->kind == OP_VEC_DELETE)
			return vx_db_vectors_delete_id(db, id, ids, op->n, NULL,
						       NULL);
		if (op->kind == OP_VEC_UPDATE) {
			memcpy(vecs, op->vec, sizeof(vecs));
			return vx_db_vectors_update_id(db, id, ids, vecs, op->n,
						       NULL);
		}
		if (op->sub == VEXFS_PAYLOAD_SET) {
			e.cbor = set_q;
			e.len = sizeof(set_q);
		} else if (op->sub == VEXFS_PAYLOAD_DELETE_KEYS) {
			e.cbor = del_p;
			e.len = sizeof(del_p);
		} else if (op->sub == VEXFS_PAYLOAD_OVERWRITE) {
			e.cbor = op->payload[0];
			e.len = op->plen[0];
		}
		return vx_db_payload_id(db, id, &e, ids, op->n, NULL, NULL);
	}
	}
	return -EINVAL;
}

/* Does the database hold exactly the model's state? */
static bool db_matches(struct vx_db *db, const struct model *m)
{
	for (u32 c = 0; c < NCOLL; c++) {
		const char *name = coll_names[c];
		struct vx_collection *coll;
		u64 expect = 0;
		bool ok = true;

		coll = vx_db_get_collection(db, name, (u32)strlen(name));
		if (!coll) {
			if (m->exists[c])
				return false;
			continue;
		}
		if (!m->exists[c] || coll->mode != m->mode[c] ||
		    coll->uid != m->uid[c]) {
			vx_db_put_collection(db, coll);
			return false;
		}
		for (u32 i = 0; i < NIDS && ok; i++) {
			struct vexfs_point_id id = num_id(i);
			struct vx_point *p =
				vx_pointmap_get(&coll->points, &id);
			const struct mpoint *mp = &m->pts[c][i];

			if (!mp->present) {
				ok = !p;
				continue;
			}
			expect++;
			ok = p && p->payload_len == mp->plen &&
			     (mp->novec ?
				      !p->dim :
				      p->dim == DIM &&
					      !memcmp(vx_point_vec(p), mp->vec,
						      sizeof(mp->vec))) &&
			     !memcmp(vx_point_payload(p), mp->payload,
				     mp->plen);
		}
		ok = ok && vx_collection_count(coll) == expect;
		vx_db_put_collection(db, coll);
		if (!ok)
			return false;
	}
	return true;
}

struct run_result {
	u64 writes;
	bool ok;
	char why[160];
};

/*
 * Run @nops operations from @seed on a fresh device that crashes after
 * write @crash_at (0: never), then recover and compare with the model.
 */
static void run_once(u32 nops, u64 seed, u64 crash_at, struct run_result *res)
{
	static struct model acked, maybe;
	struct crashdev *d =
		crashdev_new(DEV_BLOCKS, NULL, seed * 7919 + crash_at);
	struct crashdev *after;
	struct vx_db *db = vx_db_new(), *db2;
	const char *why = "";
	struct op *op = malloc(sizeof(*op));
	bool in_flight = false;
	int err;

	memset(&acked, 0, sizeof(acked));
	rng = seed;
	res->ok = false;
	crashdev_mkfs(d, VX_MIN_WAL_BLOCKS);
	err = vx_db_open(db, &d->bd, 0, &why);
	if (err) {
		snprintf(res->why, sizeof(res->why), "first mount: %s", why);
		goto out;
	}
	d->crash_after = crash_at;
	for (u32 i = 0; i < nops; i++) {
		gen_op(op, &acked);
		err = db_do(db, op);
		if (err == -EIO) {
			in_flight = true; /* power went during this one */
			break;
		}
		if (err) {
			snprintf(res->why, sizeof(res->why),
				 "op %u kind %d failed: %d", i, op->kind, err);
			goto out;
		}
		model_apply(&acked, op);
	}
	res->writes = d->writes;
	vx_store_stats(db->store, &last_stats);
	if (!d->dead) /* no crash: a clean unmount with a checkpoint */
		err = vx_db_close(db, true);
	else
		vx_db_close(db, false);
	vx_db_free(db);
	db = NULL;

	/* Reboot: mount what survived. */
	after = crashdev_new(DEV_BLOCKS, crashdev_image(d), 1);
	db2 = vx_db_new();
	err = vx_db_open(db2, &after->bd, 0, &why);
	if (err) {
		snprintf(res->why, sizeof(res->why), "recovery mount: %s (%d)",
			 why, err);
		goto out2;
	}
	maybe = acked;
	if (in_flight)
		model_apply(&maybe, op);
	if (!db_matches(db2, &acked) &&
	    !(in_flight && db_matches(db2, &maybe))) {
		snprintf(
			res->why, sizeof(res->why),
			"recovered state is neither acked nor acked+in-flight");
		goto out3;
	}
	/* fsck's invariant checks hold on the recovered state. */
	if (vx_db_verify(db2, &why)) {
		snprintf(res->why, sizeof(res->why), "verify: %s", why);
		goto out3;
	}
	/* Recovery is idempotent. */
	vx_db_close(db2, false);
	vx_db_free(db2);
	db2 = vx_db_new();
	if (vx_db_open(db2, &after->bd, 0, &why)) {
		snprintf(res->why, sizeof(res->why), "second recovery: %s",
			 why);
		goto out2;
	}
	if (!db_matches(db2, &acked) &&
	    !(in_flight && db_matches(db2, &maybe))) {
		snprintf(res->why, sizeof(res->why), "second recovery differs");
		goto out3;
	}
	res->ok = true;
out3:
	vx_db_close(db2, false);
out2:
	vx_db_free(db2);
	crashdev_free(after);
out:
	if (db) {
		vx_db_close(db, false);
		vx_db_free(db);
	}
	crashdev_free(d);
	free(op);
}

VX_TEST(workload_without_crash_survives_remount)
{
	struct run_result r;

	run_once(300, 7, 0, &r);
	if (!r.ok)
		VX_FAIL("%s", r.why);
	VX_ASSERT(r.writes > 100);
}

/* Every crash point of a small workload that wraps the WAL and checkpoints. */
VX_TEST(crash_after_every_write_small_workload)
{
	struct run_result r;
	u64 total;

	run_once(120, 11, 0, &r);
	VX_ASSERT(r.ok);
	total = r.writes;
	printf("# small workload: %llu block writes, crashing after each\n",
	       (unsigned long long)total);
	for (u64 k = 1; k <= total; k++) {
		run_once(120, 11, k, &r);
		if (!r.ok)
			VX_FAIL("crash after write %llu: %s",
				(unsigned long long)k, r.why);
	}
}

VX_TEST(crash_at_sampled_points_large_workload)
{
	struct run_result r;
	u64 total, seed = 1234;

	ckpt_pct = 0; /* checkpoints come from a full WAL only */
	run_once(1500, 99, 0, &r);
	VX_ASSERT(r.ok);
	/* The workload must have gone round the WAL and filled it. */
	VX_ASSERT(last_stats.wal_wraps >= 2);
	VX_ASSERT(last_stats.checkpoints >= 2);
	total = r.writes;
	printf("# large workload: %llu block writes, 60 sampled crash points\n",
	       (unsigned long long)total);
	for (int i = 0; i < 60; i++) {
		u64 k;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		k = 1 + seed % total;
		run_once(1500, 99, k, &r);
		if (!r.ok) {
			ckpt_pct = 5;
			VX_FAIL("crash after write %llu: %s",
				(unsigned long long)k, r.why);
		}
	}
	ckpt_pct = 5;
}

int main(void)
{
	vx_dist_init();
	return vx_run_tests();
}
