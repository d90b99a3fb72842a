/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace host of the core: libc and pthreads. Include shim.h. */
#ifndef VEXFS_CORE_SHIM_USER_H
#define VEXFS_CORE_SHIM_USER_H

/* For pthread_rwlockattr_setkind_np(); shim.h is every core file's first include. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <sys/random.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <endian.h>
#include <linux/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

/* __u8 .. __le64 come from the uapi types, as in the kernel. */

#define cpu_to_le16(x) htole16(x)
#define cpu_to_le32(x) htole32(x)
#define cpu_to_le64(x) htole64(x)
#define le16_to_cpu(x) le16toh(x)
#define le32_to_cpu(x) le32toh(x)
#define le64_to_cpu(x) le64toh(x)

#ifndef min
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#endif
#ifndef min_t
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#endif

#ifndef __always_inline
#define __always_inline inline __attribute__((__always_inline__))
#endif

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

static inline void *vx_alloc(size_t n)
{
	return malloc(n ? n : 1);
}

static inline void *vx_zalloc(size_t n)
{
	return calloc(1, n ? n : 1);
}

/* n * size with overflow check, like kvmalloc_array(). */
static inline void *vx_alloc_array(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return vx_alloc(n * size);
}

static inline void *vx_zalloc_array(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return vx_zalloc(n * size);
}

static inline void vx_free(void *p)
{
	free(p);
}

/*
 * Locks. Same contract on both hosts:
 *   vx_mutex    - sleeping mutual exclusion (struct mutex)
 *   vx_rwlock   - sleeping reader/writer lock that does not starve writers
 *                 (rw_semaphore); glibc's default rwlock prefers readers, so
 *                 ask for writer preference explicitly
 *   vx_spinlock - short, non-sleeping sections only (spinlock_t); a mutex here
 *                 because userspace threads can be preempted while holding it
 * The kernel versions are macros so each init site gets its lockdep class.
 */
struct vx_mutex {
	pthread_mutex_t m;
};

struct vx_rwlock {
	pthread_rwlock_t rw;
};

struct vx_spinlock {
	pthread_mutex_t m;
};

static inline void vx_mutex_init(struct vx_mutex *l)
{
	pthread_mutex_init(&l->m, NULL);
}

static inline void vx_mutex_destroy(struct vx_mutex *l)
{
	pthread_mutex_destroy(&l->m);
}

static inline void vx_mutex_lock(struct vx_mutex *l)
{
	pthread_mutex_lock(&l->m);
}

static inline void vx_mutex_unlock(struct vx_mutex *l)
{
	pthread_mutex_unlock(&l->m);
}

static inline void vx_rwlock_init(struct vx_rwlock *l)
{
	pthread_rwlockattr_t attr;

	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(
		&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&l->rw, &attr);
	pthread_rwlockattr_destroy(&attr);
}

static inline void vx_rwlock_destroy(struct vx_rwlock *l)
{
	pthread_rwlock_destroy(&l->rw);
}

static inline void vx_read_lock(struct vx_rwlock *l)
{
	pthread_rwlock_rdlock(&l->rw);
}

static inline void vx_read_unlock(struct vx_rwlock *l)
{
	pthread_rwlock_unlock(&l->rw);
}

static inline void vx_write_lock(struct vx_rwlock *l)
{
	pthread_rwlock_wrlock(&l->rw);
}

static inline void vx_write_unlock(struct vx_rwlock *l)
{
	pthread_rwlock_unlock(&l->rw);
}

static inline void vx_spin_init(struct vx_spinlock *l)
{
	pthread_mutex_init(&l->m, NULL);
}

static inline void vx_spin_destroy(struct vx_spinlock *l)
{
	pthread_mutex_destroy(&l->m);
}

static inline void vx_spin_lock(struct vx_spinlock *l)
{
	pthread_mutex_lock(&l->m);
}

static inline void vx_spin_unlock(struct vx_spinlock *l)
{
	pthread_mutex_unlock(&l->m);
}

/*
 * Marked accesses for data shared without a lock (READ_ONCE/WRITE_ONCE,
 * smp_load_acquire/smp_store_release). Scalars of 1, 2, 4 or 8 bytes.
 */
#define vx_read_once(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define vx_write_once(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define vx_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define vx_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* Counters (atomic64_t): read/set unordered, RMW fully ordered. */
typedef struct {
	s64 counter;
} vx_atomic64_t;

static inline s64 vx_atomic64_read(const vx_atomic64_t *a)
{
	return __atomic_load_n(&a->counter, __ATOMIC_RELAXED);
}

static inline void vx_atomic64_set(vx_atomic64_t *a, s64 v)
{
	__atomic_store_n(&a->counter, v, __ATOMIC_RELAXED);
}

static inline s64 vx_atomic64_add_return(s64 v, vx_atomic64_t *a)
{
	return __atomic_add_fetch(&a->counter, v, __ATOMIC_SEQ_CST);
}

static inline void vx_atomic64_add(s64 v, vx_atomic64_t *a)
{
	__atomic_add_fetch(&a->counter, v, __ATOMIC_SEQ_CST);
}

/* Randomness for seeds; deterministic streams live in core (rng.h). */
static inline u64 vx_random_u64(void)
{
	u64 v = 0;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (u64)time(NULL) * 0x9E3779B97F4A7C15ull;
	return v;
}

/* Monotonic nanoseconds (ktime_get_ns). */
static inline u64 vx_time_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

/* A point in a long loop where the kernel may reschedule (cond_resched). */
static inline void vx_cond_resched(void)
{
}

/* Unstable in-place sort, the kernel's sort() contract. */
static inline void vx_sort(void *base, size_t n, size_t size,
			   int (*cmp)(const void *, const void *))
{
	qsort(base, n, size, cmp);
}

/*
 * CPU features that select a distance implementation. True only if the CPU
 * has them and the OS saves their register state (libgcc checks XGETBV).
 */
enum vx_cpu_feature {
	VX_CPU_AVX2_FMA, /* x86-64: AVX2 and FMA3 */
	VX_CPU_AVX512F, /* x86-64: AVX-512 F and VL */
	VX_CPU_NEON, /* arm64: Advanced SIMD */
};

static inline bool vx_cpu_has(enum vx_cpu_feature f)
{
	switch (f) {
#if defined(__x86_64__)
	case VX_CPU_AVX2_FMA:
		return __builtin_cpu_supports("avx2") &&
		       __builtin_cpu_supports("fma");
	case VX_CPU_AVX512F:
		return __builtin_cpu_supports("avx512f") &&
		       __builtin_cpu_supports("avx512vl");
#elif defined(__aarch64__)
	case VX_CPU_NEON:
		return true; /* mandatory in AArch64 */
#endif
	default:
		return false;
	}
}

/*
 * FPU/SIMD sections (kernel_fpu_begin/end, kernel_neon_begin/end). Every
 * float instruction of the core runs inside one; they are short, never nest,
 * and nothing inside them may sleep or allocate. Userspace always owns its
 * FPU, so these are no-ops here.
 */
static inline bool vx_fpu_usable(void)
{
	return true;
}

static inline void vx_fpu_begin(void)
{
}

static inline void vx_fpu_end(void)
{
}

#define vx_log_err(fmt, ...) fprintf(stderr, "vexfs: " fmt, ##__VA_ARGS__)
#define vx_log_warn(fmt, ...) fprintf(stderr, "vexfs: " fmt, ##__VA_ARGS__)
#define vx_log_info(fmt, ...) ((void)0)

#define VX_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)

u32 vx_crc32c(u32 seed, const void *buf, size_t len);
u32 vx_crc32c_generic(u32 seed, const void *buf, size_t len); /* table-driven */

/* A condition variable used with a vx_mutex (see shim_kernel.h). */
struct vx_waitq {
	pthread_cond_t c;
};

static inline void vx_waitq_init(struct vx_waitq *w)
{
	pthread_cond_init(&w->c, NULL);
}

static inline void vx_waitq_destroy(struct vx_waitq *w)
{
	pthread_cond_destroy(&w->c);
}

static inline void vx_waitq_wait(struct vx_waitq *w, struct vx_mutex *m)
{
	pthread_cond_wait(&w->c, &m->m);
}

static inline void vx_waitq_wake_all(struct vx_waitq *w)
{
	pthread_cond_broadcast(&w->c);
}

#endif /* VEXFS_CORE_SHIM_USER_H */
