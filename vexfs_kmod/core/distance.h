/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Distances between dense float32 vectors, and the distance-computer
 * interface the indexes use so that quantized codes can replace raw vectors.
 *
 * Nothing declared here takes or returns a float by value: the kernel builds
 * every caller of this header without FPU support, and only the distance_*.c
 * files below "FPU translation units" may touch float registers (see
 * Documentation/core-engine.md). Distances therefore leave this module as
 * order keys:
 *
 *   key = an order-preserving u32 image of the internal distance d, where d
 *         is "smaller is closer" for every metric:
 *           Cosine, Dot: d = -(q . v)   (Cosine vectors are unit length)
 *           Euclid:      d = sum (q - v)^2   (squared; the root is monotone)
 *           Manhattan:   d = sum |q - v|
 *
 * Comparing keys as integers compares distances, so graph and top-k code is
 * integer-only. vx_dist_keys_to_scores() turns keys into the score Qdrant
 * reports (dot product, or L2/L1 distance) at the very end of a search.
 */
#ifndef VEXFS_CORE_DISTANCE_H
#define VEXFS_CORE_DISTANCE_H

#include "shim.h"

/* Values match uapi's distance enum once it exists; 0 is invalid. */
enum vx_metric {
	VX_METRIC_COSINE = 1,
	VX_METRIC_EUCLID = 2,
	VX_METRIC_DOT = 3,
	VX_METRIC_MANHATTAN = 4,
};

#define VX_DIM_MAX 65536u

/* The worst possible key; also what NaN distances map to. */
#define VX_KEY_MAX 0xFFFFFFFFu

static inline bool vx_metric_valid(u32 metric)
{
	return metric >= VX_METRIC_COSINE && metric <= VX_METRIC_MANHATTAN;
}

/* Higher score is better for Cosine/Dot; Qdrant's "distance" metrics are the other two. */
static inline bool vx_metric_higher_is_better(enum vx_metric metric)
{
	return metric == VX_METRIC_COSINE || metric == VX_METRIC_DOT;
}

/*
 * Pick the fastest implementation the CPU supports. Idempotent; the first
 * distance call does it implicitly, the kernel calls it from module init.
 */
void vx_dist_init(void);

/* Name of the implementation in use: "generic", "avx2", "avx512" or "neon". */
const char *vx_dist_impl_name(void);

/*
 * Force an implementation by name (tests, benchmarks, a module parameter).
 * Returns -ENODEV if this CPU or build lacks it. Not for use while searches
 * run.
 */
int vx_dist_select(const char *name);

/*
 * Compare every implementation this CPU supports with the generic one over
 * dimensions 1..4096 and all metrics; 0, or -EIO after logging the first
 * mismatch. Meant for module init or a selftest hook in the guest.
 */
int vx_dist_selftest(void);

/* Every implementation name compiled into this build, NULL-terminated. */
const char *const *vx_dist_impl_names(void);

/*
 * keys[i] = key of the distance between q and vecs[i], all @dim long.
 * The work is split into FPU sections of at most VX_FPU_SECTION_FLOATS
 * multiply-adds each (tens of microseconds with preemption disabled), so any
 * n and dim are fine; nothing in a section sleeps or allocates.
 */
void vx_dist_keys(enum vx_metric metric, const float *q,
		  const float *const *vecs, u32 n, u32 dim, u32 *keys);

/*
 * Copy @in to @out as it is to be stored or queried: unit length for Cosine
 * (a zero vector stays zero, as in Qdrant), unchanged otherwise. @in and
 * @out may be the same buffer.
 */
void vx_dist_prepare(enum vx_metric metric, const float *in, float *out,
		     u32 dim);

/* The score Qdrant reports for each key. */
void vx_dist_keys_to_scores(enum vx_metric metric, const u32 *keys, u32 n,
			    float *scores);

/*
 * A search result. @key orders results of one vector space by distance with
 * integer compares (merging shards or segments needs no FPU); @score is what
 * Qdrant reports (higher is better for Cosine/Dot, a distance otherwise).
 */
struct vx_scored_point {
	u64 id;
	u32 key;
	float score;
};

/* Fill in ->score from ->key for each point. */
void vx_dist_score_points(enum vx_metric metric, struct vx_scored_point *pts,
			  u32 n);

/* IEEE-754 bits of the internal distance a key encodes (exact inverse). */
static inline u32 vx_dist_key_to_bits(u32 key)
{
	return (key & 0x80000000u) ? (key & 0x7FFFFFFFu) : ~key;
}

/* True if no element is NaN or infinite; checked on the bits, no FPU. */
bool vx_vector_is_finite(const float *v, u32 dim);

/*
 * The distance-computer interface (the faiss DistanceComputer idea): an index
 * asks for distances by storage slot and never sees how vectors are stored.
 * Raw float32 storage implements it in vecstore.c; a quantized store would
 * provide its own ops with the same meaning.
 */
struct vx_dist_computer;

struct vx_dist_computer_ops {
	/* keys[i] = distance key between the current query and slots[i]. */
	void (*to_query)(struct vx_dist_computer *dc, const u32 *slots, u32 n,
			 u32 *keys);
	/* keys[i] = distance key between stored slot @a and slots[i]. */
	void (*between)(struct vx_dist_computer *dc, u32 a, const u32 *slots,
			u32 n, u32 *keys);
	/* Make stored slot @a the current query (graph construction). */
	void (*query_from_slot)(struct vx_dist_computer *dc, u32 a);
};

struct vx_dist_computer {
	const struct vx_dist_computer_ops *ops;
	const void *store; /* the storage the slots index */
	const float *query; /* prepared query, or a stored vector */
	enum vx_metric metric;
	u32 dim;
};

/* How many vectors the computers gather per vx_dist_keys() call. */
#define VX_DIST_BATCH 64u

/* Upper bound of the float work in one FPU section (vector elements). */
#define VX_FPU_SECTION_FLOATS 65536u

#endif /* VEXFS_CORE_DISTANCE_H */
