// SPDX-License-Identifier: GPL-2.0
#include "pinned_pages.h"

#include "cxxrt/errno.h"
#include "driver_limits.h"

namespace crono {

Result<PinnedPages> PinnedPages::pin(u64 user_addr, u64 npages) noexcept
{
	PinnedPages pinned(PinnedPagesState{
		static_cast<struct crono_page **>(
			crono_kvmalloc(npages * sizeof(struct crono_page *),
				       CRONO_GFP_KERNEL_ACCOUNT)),
		0 });
	if (!pinned.held())
		return Error::from_errno(-ENOMEM);

	const u64 page_size = crono_kpage_size();
	u64 &count = pinned.state_.count;
	while (count < npages) {
		/* A multi-GiB lock gives way between batches, and a killed
		 * task stops here with everything released. */
		if (crono_kfatal_signal_pending())
			return Error::from_errno(-EINTR);
		crono_kcond_resched();
		const u64 batch = min(npages - count, limits::pin_batch_pages);
		const long got = crono_kpin_user_pages(
			user_addr + count * page_size, batch,
			pinned.state_.pages + count);
		if (got < 0)
			return Error::from_errno(int(got));
		if (got == 0)
			return Error::from_errno(-EFAULT);
		count += u64(got);
	}
	return move(pinned);
}

} // namespace crono
