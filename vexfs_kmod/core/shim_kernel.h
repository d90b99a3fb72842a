/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel host of the core: thin wrappers over kernel APIs. Include shim.h. */
#ifndef VEXFS_CORE_SHIM_KERNEL_H
#define VEXFS_CORE_SHIM_KERNEL_H

#include <linux/types.h>
#include <linux/stddef.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/crc32c.h>
#include <linux/build_bug.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/atomic.h>
#include <linux/random.h>
#include <linux/timekeeping.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/sort.h>
#include <asm/byteorder.h>
#include <asm/barrier.h>
#if defined(CONFIG_X86_64)
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#elif defined(CONFIG_ARM64)
#include <asm/cpufeature.h>
#include <asm/neon.h>
#include <asm/simd.h>
#else
#error "vexfs core: the float code needs an FPU section API (x86-64 or arm64)"
#endif

/* Memory is charged to the calling task's cgroup. */
static inline void *vx_alloc(size_t n)
{
	return kvmalloc(n, GFP_KERNEL_ACCOUNT);
}

static inline void *vx_zalloc(size_t n)
{
	return kvzalloc(n, GFP_KERNEL_ACCOUNT);
}

static inline void *vx_alloc_array(size_t n, size_t size)
{
	return kvmalloc_array(n, size, GFP_KERNEL_ACCOUNT);
}

static inline void *vx_zalloc_array(size_t n, size_t size)
{
	return kvcalloc(n, size, GFP_KERNEL_ACCOUNT);
}

static inline void vx_free(void *p)
{
	kvfree(p);
}

/*
 * Locks; see shim_user.h for the contract. Macros for the init functions so
 * that every init site keeps its own lockdep class.
 */
struct vx_mutex {
	struct mutex m;
};

struct vx_rwlock {
	struct rw_semaphore rw;
};

struct vx_spinlock {
	spinlock_t s;
};

#define vx_mutex_init(l) mutex_init(&(l)->m)
#define vx_mutex_destroy(l) mutex_destroy(&(l)->m)
#define vx_mutex_lock(l) mutex_lock(&(l)->m)
#define vx_mutex_unlock(l) mutex_unlock(&(l)->m)

#define vx_rwlock_init(l) init_rwsem(&(l)->rw)
#define vx_rwlock_destroy(l) \
	do {                 \
	} while (0)
#define vx_read_lock(l) down_read(&(l)->rw)
#define vx_read_unlock(l) up_read(&(l)->rw)
#define vx_write_lock(l) down_write(&(l)->rw)
#define vx_write_unlock(l) up_write(&(l)->rw)

#define vx_spin_init(l) spin_lock_init(&(l)->s)
#define vx_spin_destroy(l) \
	do {               \
	} while (0)
#define vx_spin_lock(l) spin_lock(&(l)->s)
#define vx_spin_unlock(l) spin_unlock(&(l)->s)

#define vx_read_once(x) READ_ONCE(x)
#define vx_write_once(x, v) WRITE_ONCE(x, v)
/* Consume: pairs with the vx_store_release() that published the value. */
#define vx_load_acquire(p) smp_load_acquire(p)
/* Publish: contents first, then the count or state that makes them visible. */
#define vx_store_release(p, v) smp_store_release(p, v)

typedef atomic64_t vx_atomic64_t;

#define vx_atomic64_read(a) atomic64_read(a)
#define vx_atomic64_set(a, v) atomic64_set(a, v)
#define vx_atomic64_add_return(v, a) atomic64_add_return(v, a)
#define vx_atomic64_add(v, a) atomic64_add(v, a)

static inline u64 vx_random_u64(void)
{
	return get_random_u64();
}

static inline u64 vx_time_ns(void)
{
	return ktime_get_ns();
}

static inline void vx_cond_resched(void)
{
	cond_resched();
}

static inline void vx_sort(void *base, size_t n, size_t size,
			   int (*cmp)(const void *, const void *))
{
	sort(base, n, size, cmp, NULL);
}

enum vx_cpu_feature {
	VX_CPU_AVX2_FMA,
	VX_CPU_AVX512F,
	VX_CPU_NEON,
};

/*
 * The kernel clears X86_FEATURE_AVX* when XSAVE does not manage the state,
 * but check the xfeatures too, as crypto/ and lib/raid6 do.
 */
static inline bool vx_cpu_has(enum vx_cpu_feature f)
{
	switch (f) {
#if defined(CONFIG_X86_64)
	case VX_CPU_AVX2_FMA:
		return boot_cpu_has(X86_FEATURE_AVX2) &&
		       boot_cpu_has(X86_FEATURE_FMA) &&
		       cpu_has_xfeatures(XFEATURE_MASK_SSE | XFEATURE_MASK_YMM,
					 NULL);
	case VX_CPU_AVX512F:
		return boot_cpu_has(X86_FEATURE_AVX512F) &&
		       boot_cpu_has(X86_FEATURE_AVX512VL) &&
		       cpu_has_xfeatures(XFEATURE_MASK_SSE | XFEATURE_MASK_YMM |
						 XFEATURE_MASK_AVX512,
					 NULL);
#elif defined(CONFIG_ARM64)
	case VX_CPU_NEON:
		return cpu_have_named_feature(ASIMD);
#endif
	default:
		return false;
	}
}

/*
 * FPU sections. The core only runs in process context (ioctl, netlink,
 * workqueue), where the FPU is always usable; the check is for callers that
 * want to assert it.
 */
#if defined(CONFIG_X86_64)
static inline bool vx_fpu_usable(void)
{
	return irq_fpu_usable();
}

static inline void vx_fpu_begin(void)
{
	kernel_fpu_begin();
}

static inline void vx_fpu_end(void)
{
	kernel_fpu_end();
}
#else
static inline bool vx_fpu_usable(void)
{
	return may_use_simd();
}

static inline void vx_fpu_begin(void)
{
	kernel_neon_begin();
}

static inline void vx_fpu_end(void)
{
	kernel_neon_end();
}
#endif

#define vx_log_err(fmt, ...) pr_err_ratelimited("vexfs: " fmt, ##__VA_ARGS__)
#define vx_log_warn(fmt, ...) pr_warn_ratelimited("vexfs: " fmt, ##__VA_ARGS__)
#define vx_log_info(fmt, ...) pr_info("vexfs: " fmt, ##__VA_ARGS__)

#define VX_STATIC_ASSERT(cond, msg) static_assert(cond, msg)

static inline u32 vx_crc32c(u32 seed, const void *buf, size_t len)
{
	return crc32c(seed, buf, len);
}

/*
 * A wait queue used with a vx_mutex: waiters sleep until the generation
 * moves, so a wake-up between unlocking and sleeping is never lost.
 */
struct vx_waitq {
	wait_queue_head_t wq;
	u64 gen;
};

static inline void vx_waitq_init(struct vx_waitq *w)
{
	init_waitqueue_head(&w->wq);
	w->gen = 0;
}

static inline void vx_waitq_destroy(struct vx_waitq *w)
{
}

/* Called with @m held; returns with @m held. */
static inline void vx_waitq_wait(struct vx_waitq *w, struct vx_mutex *m)
{
	u64 gen = w->gen;

	vx_mutex_unlock(m);
	wait_event(w->wq, READ_ONCE(w->gen) != gen);
	vx_mutex_lock(m);
}

/* Called with the waiters' mutex held. */
static inline void vx_waitq_wake_all(struct vx_waitq *w)
{
	WRITE_ONCE(w->gen, w->gen + 1);
	wake_up_all(&w->wq);
}

#endif /* VEXFS_CORE_SHIM_KERNEL_H */
