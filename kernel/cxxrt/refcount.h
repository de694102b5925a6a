/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters shared between threads, on the kernel's own atomics through the
 * glue: RefCount is a refcount_t (it saturates instead of wrapping and warns
 * on an increment from zero or an underflow), Statistic an atomic64_t that
 * sysfs reads without the writer's lock.
 */
#pragma once

#include "../glue/crono_glue.h"

namespace crono {

class RefCount {
public:
	/* Starts at one: the creator's reference. */
	RefCount() noexcept { crono_krefcount_init(&count_, 1); }
	RefCount(const RefCount &) = delete;
	RefCount &operator=(const RefCount &) = delete;

	void get() noexcept { crono_krefcount_inc(&count_); }
	/* True for the last reference. */
	[[nodiscard]] bool put() noexcept
	{
		return crono_krefcount_dec_and_test(&count_);
	}

private:
	struct crono_refcount count_;
};

class Statistic {
public:
	Statistic() noexcept { crono_katomic64_set(&value_, 0); }
	Statistic(const Statistic &) = delete;
	Statistic &operator=(const Statistic &) = delete;

	void add(long long n) noexcept { crono_katomic64_add(&value_, n); }
	void sub(long long n) noexcept { crono_katomic64_add(&value_, -n); }
	unsigned long long read() const noexcept
	{
		return crono_katomic64_read(&value_);
	}

private:
	struct crono_atomic64 value_;
};

} // namespace crono
