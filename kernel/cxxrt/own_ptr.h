/* SPDX-License-Identifier: GPL-2.0 */
/*
 * OwnPtr<T>: the single owner of a heap object, deleted when the owner goes.
 *
 * An object is adopted right where it is allocated (adopt_own_or_enomem(),
 * make_own()), so a failed allocation is -ENOMEM and never a null owner.
 * Only a C handle carries ownership outside an OwnPtr: into_foreign() hands
 * the object to the glue (a file's private_data) and from_foreign() takes it
 * back when the glue gives the handle up.
 */
#pragma once

#include "errno.h"
#include "new.h"
#include "result.h"

namespace crono {

template <typename T> class OwnPtr {
public:
	constexpr OwnPtr() noexcept = default;
	CRONO_ALWAYS_INLINE OwnPtr(OwnPtr &&other) noexcept
	    : ptr_(other.release())
	{
	}
	template <typename U>
	OwnPtr(OwnPtr<U> &&other) noexcept : ptr_(other.release())
	{
	}
	CRONO_ALWAYS_INLINE OwnPtr &operator=(OwnPtr &&other) noexcept
	{
		reset(other.release());
		return *this;
	}
	OwnPtr(const OwnPtr &) = delete;
	OwnPtr &operator=(const OwnPtr &) = delete;
	CRONO_ALWAYS_INLINE ~OwnPtr() { reset(); }

	/* Adopts an object a C handle owned (see into_foreign()). */
	static OwnPtr from_foreign(T *ptr) noexcept { return OwnPtr(ptr); }
	/* Hands the object to a C handle; from_foreign() takes it back. */
	[[nodiscard]] T *into_foreign() noexcept { return release(); }

	T *get() const noexcept { return ptr_; }
	T *operator->() const noexcept { return ptr_; }
	T &operator*() const noexcept { return *ptr_; }
	explicit operator bool() const noexcept { return ptr_ != nullptr; }

	/* Destroys the object now. */
	CRONO_ALWAYS_INLINE void reset() noexcept { reset(nullptr); }

private:
	template <typename U> friend class OwnPtr;
	template <typename U> friend Result<OwnPtr<U>> adopt_own_or_enomem(U *);
	template <typename U> friend class OwningList;

	explicit OwnPtr(T *ptr) noexcept : ptr_(ptr) {}
	T *release() noexcept { return exchange(ptr_, (T *)nullptr); }
	CRONO_ALWAYS_INLINE void reset(T *ptr) noexcept
	{
		T *old = exchange(ptr_, ptr);
		delete old;
	}

	T *ptr_ = nullptr;
};

/* Takes ownership of a fresh allocation; null is -ENOMEM. */
template <typename T> Result<OwnPtr<T>> adopt_own_or_enomem(T *ptr)
{
	if (!ptr)
		return Error::from_errno(-ENOMEM);
	return OwnPtr<T>(ptr);
}

template <typename T, typename... Args>
Result<OwnPtr<T>> make_own(Gfp gfp, Args &&...args) noexcept
{
	return adopt_own_or_enomem(new (gfp) T(forward<Args>(args)...));
}

} // namespace crono
