/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mutex over the glue's sleeping lock, and MutexGuard to hold it for a scope.
 * The lock is created by Mutex::create() (it allocates), never by a
 * constructor, so a failure is an error the caller sees.
 */
#pragma once

#include "errno.h"
#include "result.h"

namespace crono {

class Mutex {
public:
	Mutex() noexcept = default;
	Mutex(Mutex &&other) noexcept
	    : lock_(exchange<struct crono_mutex *>(other.lock_, nullptr))
	{
	}
	Mutex &operator=(Mutex &&other) noexcept
	{
		if (this != &other) {
			reset();
			lock_ = exchange<struct crono_mutex *>(other.lock_,
							       nullptr);
		}
		return *this;
	}
	Mutex(const Mutex &) = delete;
	Mutex &operator=(const Mutex &) = delete;
	~Mutex() { reset(); }

	static Result<Mutex> create(enum crono_lock_class cls) noexcept
	{
		Mutex m;
		m.lock_ = crono_kmutex_create(cls);
		if (!m.lock_)
			return Error::from_errno(-ENOMEM);
		return m;
	}

	void lock() noexcept { crono_kmutex_lock(lock_); }
	void unlock() noexcept { crono_kmutex_unlock(lock_); }

private:
	void reset() noexcept
	{
		if (lock_)
			crono_kmutex_destroy(
				exchange<struct crono_mutex *>(lock_, nullptr));
	}

	struct crono_mutex *lock_ = nullptr;
};

class [[nodiscard]] MutexGuard {
public:
	explicit MutexGuard(Mutex &mutex) noexcept : mutex_(mutex)
	{
		mutex_.lock();
	}
	MutexGuard(const MutexGuard &) = delete;
	MutexGuard &operator=(const MutexGuard &) = delete;
	~MutexGuard() { mutex_.unlock(); }

private:
	Mutex &mutex_;
};

} // namespace crono
