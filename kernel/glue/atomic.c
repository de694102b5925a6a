// SPDX-License-Identifier: GPL-2.0
/* The kernel's refcount_t and atomic64_t for the C++ core. */
#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/refcount.h>

#include "glue.h"

static_assert(sizeof(struct crono_refcount) == sizeof(refcount_t));
static_assert(__alignof__(struct crono_refcount) >= __alignof__(refcount_t));
static_assert(sizeof(struct crono_atomic64) == sizeof(atomic64_t));
static_assert(__alignof__(struct crono_atomic64) >= __alignof__(atomic64_t));

static refcount_t *crono_refcount_of(struct crono_refcount *ref)
{
	return (refcount_t *)ref;
}

static atomic64_t *crono_atomic64_of(struct crono_atomic64 *v)
{
	return (atomic64_t *)v;
}

void crono_krefcount_init(struct crono_refcount *ref, crono_u32 count)
{
	refcount_set(crono_refcount_of(ref), count);
}

void crono_krefcount_inc(struct crono_refcount *ref)
{
	refcount_inc(crono_refcount_of(ref));
}

int crono_krefcount_dec_and_test(struct crono_refcount *ref)
{
	return refcount_dec_and_test(crono_refcount_of(ref));
}

void crono_katomic64_set(struct crono_atomic64 *v, long long value)
{
	atomic64_set(crono_atomic64_of(v), value);
}

void crono_katomic64_add(struct crono_atomic64 *v, long long n)
{
	atomic64_add(n, crono_atomic64_of(v));
}

long long crono_katomic64_read(const struct crono_atomic64 *v)
{
	return atomic64_read(crono_atomic64_of((struct crono_atomic64 *)v));
}
