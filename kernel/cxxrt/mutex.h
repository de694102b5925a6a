/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mutex over the glue's sleeping lock, and MutexGuard to hold it for a scope.
 * The lock is created by Mutex::create() (it allocates), never by a
 * constructor, so a failure is an error the caller sees.
 */
#pragma once

#include "errno.h"
#include "result.h"
#include "unique_resource.h"

namespace crono {

struct MutexState {
	struct crono_mutex *lock = nullptr;

	bool held() const noexcept { return lock != nullptr; }
	void release() noexcept { crono_kmutex_destroy(lock); }
};

class Mutex : public UniqueResource<MutexState> {
public:
	CRONO_RESOURCE_OWNER(Mutex);
	Mutex() noexcept = default;
	CRONO_ALWAYS_INLINE static Result<Mutex>
	create(enum crono_lock_class cls) noexcept
	{
		MutexState state{ crono_kmutex_create(cls) };
		if (!state.lock)
			return Error::from_errno(-ENOMEM);
		return Mutex(state);
	}

	void lock() noexcept { crono_kmutex_lock(state_.lock); }
	void unlock() noexcept { crono_kmutex_unlock(state_.lock); }

private:
	explicit Mutex(const MutexState &state) noexcept : UniqueResource(state)
	{
	}
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
