/* SPDX-License-Identifier: GPL-2.0 */
/*
 * OwnPtr<T>: the single owner of a heap object, deleted when the owner goes.
 * make_own() allocates with an explicit GFP choice and reports failure as
 * -ENOMEM instead of a null owner.
 */
#pragma once

#include "errno.h"
#include "new.h"
#include "result.h"

namespace crono {

template <typename T> class OwnPtr {
public:
	constexpr OwnPtr() noexcept = default;
	explicit OwnPtr(T *ptr) noexcept : ptr_(ptr) {}
	OwnPtr(OwnPtr &&other) noexcept : ptr_(other.leak()) {}
	template <typename U>
	OwnPtr(OwnPtr<U> &&other) noexcept : ptr_(other.leak())
	{
	}
	OwnPtr &operator=(OwnPtr &&other) noexcept
	{
		reset(other.leak());
		return *this;
	}
	OwnPtr(const OwnPtr &) = delete;
	OwnPtr &operator=(const OwnPtr &) = delete;
	~OwnPtr() { reset(); }

	T *get() const noexcept { return ptr_; }
	T *operator->() const noexcept { return ptr_; }
	T &operator*() const noexcept { return *ptr_; }
	explicit operator bool() const noexcept { return ptr_ != nullptr; }

	/* Gives up ownership without deleting. */
	[[nodiscard]] T *leak() noexcept
	{
		return exchange(ptr_, (T *)nullptr);
	}
	void reset(T *ptr = nullptr) noexcept
	{
		T *old = exchange(ptr_, ptr);
		delete old;
	}

private:
	T *ptr_ = nullptr;
};

template <typename T, typename... Args>
Result<OwnPtr<T>> make_own(Gfp gfp, Args &&...args) noexcept
{
	T *ptr = new (gfp) T(forward<Args>(args)...);
	if (!ptr)
		return Error::from_errno(-ENOMEM);
	return OwnPtr<T>(ptr);
}

} // namespace crono
