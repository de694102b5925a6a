/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PinnedPages: user pages pinned long-term and writable, and the array that
 * names them. Released by unpinning every page, marked dirty (the device may
 * have written it), then freeing the array.
 */
#pragma once

#include "cxxrt/result.h"
#include "cxxrt/unique_resource.h"

namespace crono {

struct PinnedPagesState {
	struct crono_page **pages = nullptr;
	u64 count = 0; /* pinned so far */

	bool held() const noexcept { return pages != nullptr; }
	void release() noexcept
	{
		if (count)
			crono_kunpin_user_pages(pages, count);
		crono_kvfree(pages);
	}
};

class PinnedPages : public UniqueResource<PinnedPagesState> {
public:
	CRONO_RESOURCE_OWNER(PinnedPages);
	/* Pins npages kernel pages from user_addr in bounded batches. -EINTR
	 * when the task is killed between two batches, -EFAULT for memory
	 * that cannot be pinned; what was pinned is released either way. */
	static Result<PinnedPages> pin(u64 user_addr, u64 npages) noexcept;

	struct crono_page **pages() const noexcept { return state_.pages; }
	u64 count() const noexcept { return state_.count; }

private:
	explicit PinnedPages(const PinnedPagesState &state) noexcept
	    : UniqueResource(state)
	{
	}
};

} // namespace crono
