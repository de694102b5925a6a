/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Span<T>: a pointer and a length, never owning, with checked slicing.
 */
#pragma once

#include "utility.h"

namespace crono {

template <typename T> class Span {
public:
	constexpr Span() noexcept = default;
	constexpr Span(T *data, size_t size) noexcept : data_(data), size_(size)
	{
	}
	template <size_t N>
	constexpr Span(T (&array)[N]) noexcept : data_(array), size_(N)
	{
	}

	constexpr T *data() const noexcept { return data_; }
	constexpr size_t size() const noexcept { return size_; }
	constexpr bool empty() const noexcept { return size_ == 0; }
	constexpr T &operator[](size_t i) const noexcept { return data_[i]; }
	constexpr T *begin() const noexcept { return data_; }
	constexpr T *end() const noexcept { return data_ + size_; }

	/* Elements [offset, offset + count), clamped to the span. */
	constexpr Span subspan(size_t offset, size_t count) const noexcept
	{
		if (offset > size_)
			offset = size_;
		return Span(data_ + offset, min(count, size_ - offset));
	}

private:
	T *data_ = nullptr;
	size_t size_ = 0;
};

} // namespace crono
