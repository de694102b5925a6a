/* SPDX-License-Identifier: GPL-2.0 */
/*
 * OwningList<T>: an intrusive list that owns its elements. An element enters
 * as an OwnPtr and leaves as one (take(), pop_front()), so it is destroyed
 * exactly where its last owner lets go; whatever is still listed when the
 * list goes is destroyed with it, first to last.
 */
#pragma once

#include "intrusive_list.h"
#include "own_ptr.h"

namespace crono {

template <typename T> class OwningList {
public:
	OwningList() noexcept = default;
	OwningList(const OwningList &) = delete;
	OwningList &operator=(const OwningList &) = delete;
	~OwningList() { clear(); }

	bool empty() const noexcept { return list_.empty(); }
	T *first() const noexcept { return list_.first(); }

	/* Returns the element, which the list now owns. */
	T &push_back(OwnPtr<T> item) noexcept
	{
		T &element = *item.release();
		list_.push_back(element);
		return element;
	}
	/* Unlinks an element of this list and hands its ownership back. */
	OwnPtr<T> take(T &item) noexcept
	{
		IntrusiveList<T>::remove(item);
		return OwnPtr<T>(&item);
	}
	OwnPtr<T> pop_front() noexcept { return OwnPtr<T>(list_.pop_front()); }
	void clear() noexcept
	{
		while (!empty())
			pop_front().reset();
	}

	/* Do not take the current element while iterating. */
	auto begin() const noexcept { return list_.begin(); }
	auto end() const noexcept { return list_.end(); }

private:
	IntrusiveList<T> list_;
};

} // namespace crono
