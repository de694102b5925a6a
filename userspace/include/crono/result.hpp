// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Error and Result<T>: how every call of the library reports failure.
 *
 * No exceptions: a Result either holds a value or an Error (an errno value
 * plus a message meant for a person). Calling value() on a failed Result is a
 * programming error and aborts with the message, instead of throwing.
 */
#ifndef CRONO_RESULT_HPP
#define CRONO_RESULT_HPP

#include <optional>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace crono {

class Error {
public:
	/* code: a positive errno value (EINVAL, EBUSY, ...). */
	Error(int code, std::string message)
	    : code_(code), message_(std::move(message))
	{
	}

	int code() const noexcept { return code_; }
	const std::string &message() const noexcept { return message_; }
	std::error_code error_code() const noexcept
	{
		return { code_, std::generic_category() };
	}

	/* The same errno with more context in front of the message. */
	Error with_context(const std::string &context) const
	{
		return Error(code_, context + ": " + message_);
	}

private:
	int code_;
	std::string message_;
};

namespace detail {
[[noreturn]] void die_on_unchecked(const Error &error) noexcept;
}

template <class T> class [[nodiscard]] Result {
	static_assert(!std::is_same_v<T, Error>, "Result<Error> is ambiguous");

public:
	Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
	Result(Error error) : state_(std::in_place_index<1>, std::move(error))
	{
	}

	bool ok() const noexcept { return state_.index() == 0; }
	explicit operator bool() const noexcept { return ok(); }

	T &value() &
	{
		check();
		return *std::get_if<0>(&state_);
	}
	const T &value() const &
	{
		check();
		return *std::get_if<0>(&state_);
	}
	T &&value() &&
	{
		check();
		return std::move(*std::get_if<0>(&state_));
	}
	T &operator*() & { return value(); }
	const T &operator*() const & { return value(); }
	T &&operator*() && { return std::move(*this).value(); }
	T *operator->() { return &value(); }
	const T *operator->() const { return &value(); }

	template <class U> T value_or(U &&fallback) const &
	{
		return ok() ? *std::get_if<0>(&state_)
			    : static_cast<T>(std::forward<U>(fallback));
	}

	/* Only on failure. */
	const Error &error() const &
	{
		if (ok())
			detail::die_on_unchecked(Error(
				0, "error() called on a successful Result"));
		return *std::get_if<1>(&state_);
	}
	Error &&error() &&
	{
		if (ok())
			detail::die_on_unchecked(Error(
				0, "error() called on a successful Result"));
		return std::move(*std::get_if<1>(&state_));
	}

private:
	void check() const noexcept
	{
		if (!ok())
			detail::die_on_unchecked(*std::get_if<1>(&state_));
	}

	std::variant<T, Error> state_;
};

template <> class [[nodiscard]] Result<void> {
public:
	Result() = default;
	Result(Error error) : error_(std::move(error)) {}

	bool ok() const noexcept { return !error_.has_value(); }
	explicit operator bool() const noexcept { return ok(); }

	void value() const
	{
		if (!ok())
			detail::die_on_unchecked(*error_);
	}

	const Error &error() const &
	{
		if (ok())
			detail::die_on_unchecked(Error(
				0, "error() called on a successful Result"));
		return *error_;
	}
	Error &&error() &&
	{
		if (ok())
			detail::die_on_unchecked(Error(
				0, "error() called on a successful Result"));
		return std::move(*error_);
	}

private:
	std::optional<Error> error_;
};

} // namespace crono

#endif
