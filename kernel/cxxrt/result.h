/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Errors without exceptions: a Result<T> holds either a T or an errno. It is
 * [[nodiscard]], so a dropped error is a compile warning, and CRONO_TRY
 * propagates an error to the caller in one line.
 */
#pragma once

#include "new.h"
#include "utility.h"

namespace crono {

/* A negative errno, as the kernel returns it. */
class [[nodiscard]] Error {
public:
	static constexpr Error from_errno(int negative_errno) noexcept
	{
		return Error(negative_errno);
	}
	constexpr int code() const noexcept { return code_; }

private:
	constexpr explicit Error(int code) noexcept : code_(code) {}
	int code_;
};

template <typename T> class [[nodiscard]] Result {
public:
	Result(T &&value) noexcept : ok_(true) { new (&value_) T(move(value)); }
	Result(Error error) noexcept : ok_(false), error_(error) {}
	Result(Result &&other) noexcept : ok_(other.ok_), error_(other.error_)
	{
		if (ok_)
			new (&value_) T(move(other.value_));
	}
	Result(const Result &) = delete;
	Result &operator=(const Result &) = delete;
	Result &operator=(Result &&) = delete;
	~Result()
	{
		if (ok_)
			value_.~T();
	}

	explicit operator bool() const noexcept { return ok_; }
	bool is_error() const noexcept { return !ok_; }
	Error error() const noexcept { return error_; }
	T &value() noexcept { return value_; }
	const T &value() const noexcept { return value_; }
	T release_value() noexcept { return move(value_); }

private:
	bool ok_;
	Error error_ = Error::from_errno(0);
	union {
		T value_;
	};
};

template <> class [[nodiscard]] Result<void> {
public:
	Result() noexcept : error_(Error::from_errno(0)) {}
	Result(Error error) noexcept : error_(error) {}

	explicit operator bool() const noexcept { return error_.code() == 0; }
	bool is_error() const noexcept { return error_.code() != 0; }
	Error error() const noexcept { return error_; }
	void release_value() noexcept {}

private:
	Error error_;
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
