/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PinnedSgTable: user pages pinned long-term and writable, known only
 * through the sg table that describes them (physically adjacent pages merged
 * into segments). Nothing per page is kept besides the table. Released by
 * unpinning per segment, dirty (the device may have written the pages), then
 * freeing the table; a DmaMapping of it must be gone first.
 */
#pragma once

#include "cxxrt/result.h"
#include "cxxrt/unique_resource.h"

namespace crono {

struct PinnedSgTableState {
	struct crono_sgt *sgt = nullptr;

	bool held() const noexcept { return sgt != nullptr; }
	void release() noexcept
	{
		crono_ksgt_unpin_dirty(sgt);
		crono_ksgt_destroy(sgt);
	}
};

class PinnedSgTable : public UniqueResource<PinnedSgTableState> {
public:
	CRONO_RESOURCE_OWNER(PinnedSgTable);
	PinnedSgTable() noexcept = default;
	/*
	 * Pins npages kernel pages from user_addr in batches of
	 * limits::pin_batch_pages through one page of page pointers, and
	 * appends each batch to the table, segments of at most max_segment
	 * bytes. -EINTR when the task is killed between two batches, -EFAULT
	 * for memory that cannot be pinned; what was pinned is released
	 * either way.
	 */
	static Result<PinnedSgTable> pin(u64 user_addr, u64 npages,
					 u32 max_segment) noexcept;

	struct crono_sgt *get() const noexcept { return state_.sgt; }
	/* Kernel memory the table occupies. */
	u64 bytes() const noexcept { return crono_ksgt_bytes(state_.sgt); }

private:
	explicit PinnedSgTable(const PinnedSgTableState &state) noexcept
	    : UniqueResource(state)
	{
	}
};

} // namespace crono
