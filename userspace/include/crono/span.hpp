// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Span<T>: a pointer and a count, for C++17 (which has no std::span). The
 * library hands out Span<const T> for memory it owns, such as page tables.
 */
#ifndef CRONO_SPAN_HPP
#define CRONO_SPAN_HPP

#include <cstddef>
#include <type_traits>
#include <vector>

namespace crono {

template <class T> class Span {
public:
	constexpr Span() noexcept = default;
	constexpr Span(T *data, std::size_t size) noexcept
	    : data_(data), size_(size)
	{
	}
	template <class U, class = std::enable_if_t<
				   std::is_convertible_v<U (*)[], T (*)[]>>>
	Span(std::vector<U> &v) noexcept : data_(v.data()), size_(v.size())
	{
	}
	template <class U, class = std::enable_if_t<std::is_convertible_v<
				   const U (*)[], T (*)[]>>>
	Span(const std::vector<U> &v) noexcept
	    : data_(v.data()), size_(v.size())
	{
	}
	template <std::size_t N>
	constexpr Span(T (&array)[N]) noexcept : data_(array), size_(N)
	{
	}

	constexpr T *data() const noexcept { return data_; }
	constexpr std::size_t size() const noexcept { return size_; }
	constexpr bool empty() const noexcept { return size_ == 0; }
	constexpr T &operator[](std::size_t i) const noexcept
	{
		return data_[i];
	}
	constexpr T *begin() const noexcept { return data_; }
	constexpr T *end() const noexcept { return data_ + size_; }
	constexpr T &front() const noexcept { return data_[0]; }
	constexpr T &back() const noexcept { return data_[size_ - 1]; }

private:
	T *data_ = nullptr;
	std::size_t size_ = 0;
};

} // namespace crono

#endif
