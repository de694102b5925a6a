/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UserWindow: a user range pinned for the kernel to write into. A request
 * pins its destinations (the page table, the argument struct) before it
 * takes the board lock, where a fault on user memory could stall for as long
 * as user space likes; under the lock it writes through the window, which
 * never faults.
 */
#pragma once

#include "cxxrt/result.h"
#include "cxxrt/span.h"
#include "cxxrt/unique_resource.h"

namespace crono {

struct UserWindowState {
	struct crono_user_window *window = nullptr;
	u64 len = 0;

	bool held() const noexcept { return window != nullptr; }
	void release() noexcept { crono_kuser_window_release(window); }
};

class UserWindow : public UniqueResource<UserWindowState> {
public:
	CRONO_RESOURCE_OWNER(UserWindow);
	/* -EFAULT when [start, start + len) is not mapped writable. */
	CRONO_ALWAYS_INLINE static Result<UserWindow> pin(u64 start,
							  u64 len) noexcept
	{
		UserWindowState state{ nullptr, len };
		CRONO_TRY(from_errno(
			crono_kuser_window_pin(start, len, &state.window)));
		return UserWindow(state);
	}

	u64 size() const noexcept { return state_.len; }

	/* Writes entries at byte offset `offset`; the caller stays inside. */
	template <typename T>
	void write(u64 offset, Span<const T> entries) noexcept
	{
		crono_kuser_window_write(state_.window, offset, entries.data(),
					 entries.size() * sizeof(T));
	}
	template <typename T> void write(u64 offset, const T &value) noexcept
	{
		crono_kuser_window_write(state_.window, offset, &value,
					 sizeof(T));
	}

private:
	explicit UserWindow(const UserWindowState &state) noexcept
	    : UniqueResource(state)
	{
	}
};

} // namespace crono
