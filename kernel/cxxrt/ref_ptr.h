/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RefPtr<T>: one counted reference to a T that derives from RefCounted<T>;
 * the object is deleted when its last reference goes. Like OwnPtr, a
 * reference crosses into C only through into_foreign() / from_foreign().
 */
#pragma once

#include "errno.h"
#include "refcount.h"
#include "result.h"

namespace crono {

template <typename T> class RefPtr;

template <typename T> class RefCounted {
public:
	RefCounted(const RefCounted &) = delete;
	RefCounted &operator=(const RefCounted &) = delete;

protected:
	RefCounted() noexcept = default;
	~RefCounted() = default;

private:
	friend class RefPtr<T>;
	RefCount refs_;
};

template <typename T> class RefPtr {
public:
	constexpr RefPtr() noexcept = default;
	/* A new reference to an object some other reference keeps alive. */
	explicit RefPtr(T &object) noexcept : ptr_(&object)
	{
		counted().refs_.get();
	}
	RefPtr(const RefPtr &other) noexcept : ptr_(other.ptr_)
	{
		if (ptr_)
			counted().refs_.get();
	}
	RefPtr(RefPtr &&other) noexcept
	    : ptr_(exchange(other.ptr_, (T *)nullptr))
	{
	}
	RefPtr &operator=(const RefPtr &) = delete;
	RefPtr &operator=(RefPtr &&) = delete;
	CRONO_ALWAYS_INLINE ~RefPtr() { reset(); }

	/* Adopts the reference a C handle held (see into_foreign()). */
	static RefPtr from_foreign(T *ptr) noexcept { return RefPtr(ptr); }
	/* Hands this reference to a C handle. */
	[[nodiscard]] T *into_foreign() noexcept
	{
		return exchange(ptr_, (T *)nullptr);
	}

	T *get() const noexcept { return ptr_; }
	T *operator->() const noexcept { return ptr_; }
	T &operator*() const noexcept { return *ptr_; }

	/* Drops this reference now. */
	CRONO_ALWAYS_INLINE void reset() noexcept
	{
		T *old = exchange(ptr_, (T *)nullptr);
		if (old && static_cast<RefCounted<T> &>(*old).refs_.put())
			delete old;
	}

private:
	template <typename U> friend Result<RefPtr<U>> adopt_ref_or_enomem(U *);

	/* Adopts the creator's reference. */
	explicit RefPtr(T *ptr) noexcept : ptr_(ptr) {}
	RefCounted<T> &counted() noexcept { return *ptr_; }

	T *ptr_ = nullptr;
};

/* Takes the first reference of a fresh allocation; null is -ENOMEM. */
template <typename T> Result<RefPtr<T>> adopt_ref_or_enomem(T *ptr)
{
	if (!ptr)
		return Error::from_errno(-ENOMEM);
	return RefPtr<T>(ptr);
}

} // namespace crono
