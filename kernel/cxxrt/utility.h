/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few vocabulary pieces a freestanding C++ kernel build needs and cannot
 * take from a standard library: sizes, move/forward, min/max, overflow-safe
 * arithmetic.
 */
#pragma once

/*
 * For the small members of the runtime's templates that run on error paths:
 * the compiler would emit such a "cold" call out of line, as a COMDAT copy,
 * which a built-in link places as an orphan section and which the module
 * link may discard under a __patchable_function_entries reference (see
 * docs/architecture.md, "Building"). Forced inline, they leave no copy.
 */
#define CRONO_ALWAYS_INLINE inline __attribute__((__always_inline__))

namespace crono {

using size_t = decltype(sizeof 0);
using u8 = unsigned char;
using u32 = unsigned int;
using u64 = unsigned long long;
using s32 = int;

template <typename T> struct RemoveReference {
	using Type = T;
};
template <typename T> struct RemoveReference<T &> {
	using Type = T;
};
template <typename T> struct RemoveReference<T &&> {
	using Type = T;
};

template <typename T>
constexpr typename RemoveReference<T>::Type &&move(T &&value) noexcept
{
	return static_cast<typename RemoveReference<T>::Type &&>(value);
}

template <typename T>
constexpr T &&forward(typename RemoveReference<T>::Type &value) noexcept
{
	return static_cast<T &&>(value);
}

template <typename T> constexpr T exchange(T &slot, T value) noexcept
{
	T old = move(slot);
	slot = move(value);
	return old;
}

template <typename T> constexpr const T &min(const T &a, const T &b) noexcept
{
	return b < a ? b : a;
}

template <typename T> constexpr const T &max(const T &a, const T &b) noexcept
{
	return a < b ? b : a;
}

/* a + b into *sum; true when it overflowed. */
template <typename T> constexpr bool add_overflows(T a, T b, T *sum) noexcept
{
	return __builtin_add_overflow(a, b, sum);
}

/* a * b into *product; true when it overflowed. */
template <typename T>
constexpr bool mul_overflows(T a, T b, T *product) noexcept
{
	return __builtin_mul_overflow(a, b, product);
}

constexpr u64 div_round_up(u64 n, u64 d) noexcept
{
	return n / d + (n % d != 0);
}

constexpr bool is_aligned(u64 value, u64 alignment) noexcept
{
	return (value & (alignment - 1)) == 0;
}

} // namespace crono
