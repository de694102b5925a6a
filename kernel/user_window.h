/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UserWindow: a user range pinned for the kernel to write into, the owner of
 * one crono_user_window. A request pins its destinations (the page table, the
 * argument struct) before it takes the board lock, where a fault on user
 * memory could stall for as long as user space likes; under the lock it
 * writes through the window, which never faults.
 */
#pragma once

#include "cxxrt/result.h"
#include "cxxrt/span.h"

namespace crono {

class UserWindow {
public:
	/* -EFAULT when [start, start + len) is not mapped writable. */
	static Result<UserWindow> pin(u64 start, u64 len) noexcept
	{
		struct crono_user_window *window = nullptr;
		CRONO_TRY(from_errno(
			crono_kuser_window_pin(start, len, &window)));
		return UserWindow(window, len);
	}

	UserWindow(UserWindow &&other) noexcept
	    : window_(exchange<struct crono_user_window *>(other.window_,
							   nullptr)),
	      len_(other.len_)
	{
	}
	UserWindow(const UserWindow &) = delete;
	UserWindow &operator=(const UserWindow &) = delete;
	UserWindow &operator=(UserWindow &&) = delete;
	~UserWindow()
	{
		if (window_)
			crono_kuser_window_release(window_);
	}

	u64 size() const noexcept { return len_; }

	/* Writes entries at byte offset `offset`; the caller stays inside. */
	template <typename T>
	void write(u64 offset, Span<const T> entries) noexcept
	{
		crono_kuser_window_write(window_, offset, entries.data(),
					 entries.size() * sizeof(T));
	}
	template <typename T> void write(u64 offset, const T &value) noexcept
	{
		crono_kuser_window_write(window_, offset, &value, sizeof(T));
	}

private:
	UserWindow(struct crono_user_window *window, u64 len) noexcept
	    : window_(window), len_(len)
	{
	}

	struct crono_user_window *window_;
	u64 len_;
};

} // namespace crono
