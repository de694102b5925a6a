/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Errors without exceptions: a Result<T> holds either a T or an Error, a real
 * negative errno. It is [[nodiscard]], so a dropped error is a compile
 * warning, and CRONO_TRY propagates an error to the caller in one line.
 */
#pragma once

#include "errno.h"
#include "new.h"
#include "utility.h"

namespace crono {

/* A negative errno, as the kernel returns it; never 0. */
class [[nodiscard]] Error {
public:
	/* A value that is not a negative errno is a bug: it becomes -EINVAL
	 * with a warning, so it can never read as success. */
	CRONO_ALWAYS_INLINE static Error from_errno(int negative_errno) noexcept
	{
		if (negative_errno < 0 && negative_errno >= -4095)
			return Error(negative_errno);
		return not_an_errno(negative_errno);
	}
	constexpr int code() const noexcept { return code_; }

private:
	constexpr explicit Error(int code) noexcept : code_(code) {}
	static Error not_an_errno(int value) noexcept;
	int code_;
};

template <typename T> class [[nodiscard]] Result {
public:
	CRONO_ALWAYS_INLINE Result(T &&value) noexcept : ok_(true)
	{
		new (&value_) T(move(value));
	}
	CRONO_ALWAYS_INLINE Result(Error error) noexcept : ok_(false)
	{
		new (&error_) Error(error);
	}
	CRONO_ALWAYS_INLINE Result(Result &&other) noexcept : ok_(other.ok_)
	{
		if (ok_)
			new (&value_) T(move(other.value_));
		else
			new (&error_) Error(other.error_);
	}
	Result(const Result &) = delete;
	Result &operator=(const Result &) = delete;
	Result &operator=(Result &&) = delete;
	CRONO_ALWAYS_INLINE ~Result()
	{
		if (ok_)
			value_.~T();
	}

	explicit operator bool() const noexcept { return ok_; }
	bool is_error() const noexcept { return !ok_; }
	/* Only when is_error(). */
	Error error() const noexcept { return error_; }
	/* 0 or the negative errno, for a C caller. */
	int to_errno() const noexcept { return ok_ ? 0 : error_.code(); }
	T &value() noexcept { return value_; }
	const T &value() const noexcept { return value_; }
	CRONO_ALWAYS_INLINE T release_value() noexcept { return move(value_); }

private:
	bool ok_;
	union {
		T value_;
		Error error_;
	};
};

template <> class [[nodiscard]] Result<void> {
public:
	Result() noexcept = default;
	Result(Error error) noexcept : code_(error.code()) {}

	explicit operator bool() const noexcept { return code_ == 0; }
	bool is_error() const noexcept { return code_ != 0; }
	/* Only when is_error(). */
	Error error() const noexcept { return Error::from_errno(code_); }
	void release_value() noexcept {}
	/* 0 or the negative errno, for a C caller. */
	int to_errno() const noexcept { return code_; }

private:
	int code_ = 0;
};

/* Turns a kernel-style "0 or -errno" into a Result<void>. */
inline Result<void> from_errno(int ret) noexcept
{
	if (ret < 0)
		return Error::from_errno(ret);
	return {};
}

} // namespace crono

/*
 * Evaluates a Result-returning expression; on error returns the error from the
 * enclosing function, otherwise yields the value.
 */
#define CRONO_TRY(expr)                                                        \
	({                                                                     \
		auto _crono_result = (expr);                                   \
		if (_crono_result.is_error())                                  \
			return _crono_result.error();                          \
		_crono_result.release_value();                                 \
	})
