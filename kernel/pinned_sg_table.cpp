// SPDX-License-Identifier: GPL-2.0
#include "pinned_sg_table.h"

#include "cxxrt/errno.h"
#include "cxxrt/own_ptr.h"
#include "driver_limits.h"
#include "sg_table_limits.h"

namespace crono {

namespace {

/* The reusable page of page pointers one batch is pinned into. */
struct PinBatchPages {
	struct crono_page *pages[limits::pin_batch_pages];
};

/* Pins of one batch not yet taken over by the table. */
struct PinnedBatchState {
	struct crono_page **pages = nullptr;
	u64 count = 0;

	bool held() const noexcept { return count != 0; }
	void release() noexcept { crono_kunpin_user_pages(pages, count); }
};

class PinnedBatch : public UniqueResource<PinnedBatchState> {
public:
	CRONO_RESOURCE_OWNER(PinnedBatch);
	/* At least one page from user_addr, at most npages. */
	static Result<PinnedBatch> pin(u64 user_addr, u64 npages,
				       struct crono_page **pages) noexcept
	{
		const long got =
			crono_kpin_user_pages(user_addr, npages, pages);
		if (got < 0)
			return Error::from_errno(int(got));
		if (got == 0)
			return Error::from_errno(-EFAULT);
		return PinnedBatch(PinnedBatchState{ pages, u64(got) });
	}

	u64 count() const noexcept { return state_.count; }
	/* The table holds these pins now. */
	void handed_over() noexcept { state_ = PinnedBatchState{}; }

private:
	explicit PinnedBatch(const PinnedBatchState &state) noexcept
	    : UniqueResource(state)
	{
	}
};

} // namespace

Result<PinnedSgTable> PinnedSgTable::pin(u64 user_addr, u64 npages,
					 u32 max_segment) noexcept
{
	PinnedSgTable table;
	CRONO_TRY(from_errno(crono_ksgt_alloc(&table.state_.sgt)));
	auto batch_pages = CRONO_TRY(make_own<PinBatchPages>(Gfp::kernel));

	const u64 page_size = crono_kpage_size();
	u64 done = 0;
	while (done < npages) {
		/* A multi-GiB lock gives way between batches, and a killed
		 * task stops here with everything released. */
		if (crono_kfatal_signal_pending())
			return Error::from_errno(-EINTR);
		crono_kcond_resched();
		auto batch = CRONO_TRY(PinnedBatch::pin(
			user_addr + done * page_size,
			min(npages - done, limits::pin_batch_pages),
			batch_pages->pages));
		const u64 left = npages - done - batch.count();
		CRONO_TRY(from_errno(
			crono_ksgt_append(table.state_.sgt, batch_pages->pages,
					  batch.count(), max_segment, left)));
		batch.handed_over();
		done = npages - left;
	}
	return move(table);
}

} // namespace crono
