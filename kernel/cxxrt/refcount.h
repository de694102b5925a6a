/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reference count on compiler atomics (lock-prefixed instructions on x86,
 * no library calls). put() returns true for the last reference.
 */
#pragma once

namespace crono {

class RefCount {
public:
	explicit constexpr RefCount(unsigned int initial) noexcept
	    : count_(initial)
	{
	}
	RefCount(const RefCount &) = delete;
	RefCount &operator=(const RefCount &) = delete;

	void get() noexcept
	{
		__atomic_add_fetch(&count_, 1, __ATOMIC_RELAXED);
	}
	[[nodiscard]] bool put() noexcept
	{
		return __atomic_sub_fetch(&count_, 1, __ATOMIC_ACQ_REL) == 0;
	}

private:
	unsigned int count_;
};

/* A counter that other threads read without the writer's lock. */
class Statistic {
public:
	constexpr Statistic() noexcept = default;
	void add(unsigned long long n) noexcept
	{
		__atomic_add_fetch(&value_, n, __ATOMIC_RELAXED);
	}
	void sub(unsigned long long n) noexcept
	{
		__atomic_sub_fetch(&value_, n, __ATOMIC_RELAXED);
	}
	unsigned long long read() const noexcept
	{
		return __atomic_load_n(&value_, __ATOMIC_RELAXED);
	}

private:
	unsigned long long value_ = 0;
};

} // namespace crono
