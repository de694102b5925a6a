/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A scatter/gather buffer: user pages pinned long-term, one sg table, one DMA
 * mapping, and the per-4 KiB page table computed from that mapping.
 *
 * It is built in two steps. pin() touches only user memory (charge, pin,
 * table), so it runs without any driver lock, where a fault may stall; map()
 * and write_page_table() are the device's part and run under the board lock.
 *
 * The object is the owner of everything it acquired; its destructor releases
 * in a fixed order (unmap, free the table, unpin with dirty marking, then its
 * MemlockCharge member returns the RLIMIT_MEMLOCK charge). A request that fails
 * part way simply destroys the half-built object, so every error path leaves
 * nothing behind.
 */
#pragma once

#include "cxxrt/intrusive_list.h"
#include "cxxrt/own_ptr.h"
#include "memlock_charge.h"
#include "requests.h"

namespace crono {

class UserWindow;

class SgBuffer : public ListNode<SgBuffer> {
public:
	/* Charges, pins and builds the sg table. -EINTR when the task is
	 * killed between two batches of pins. */
	static Result<OwnPtr<SgBuffer>> pin(struct crono_pci *pci,
					    const SgRequest &request) noexcept;
	~SgBuffer();
	SgBuffer(const SgBuffer &) = delete;
	SgBuffer &operator=(const SgBuffer &) = delete;

	/* Maps the table for the device; board lock held. */
	Result<void> map() noexcept;
	/* Writes the request's page table into window, which holds exactly
	 * the user's array; board lock held. */
	Result<void> write_page_table(UserWindow &window) noexcept;

	u64 pinned_bytes() const noexcept;

	s32 id = -1;

private:
	SgBuffer(struct crono_pci *pci, const SgRequest &request) noexcept
	    : pci_(pci), request_(request)
	{
	}
	Result<void> charge() noexcept;
	Result<void> pin_pages() noexcept;

	/* Declared first: given back last, after the destructor unpinned. */
	MemlockCharge charge_;
	struct crono_pci *pci_;
	SgRequest request_;
	struct crono_page **pages_ = nullptr;
	u64 pinned_ = 0;
	struct crono_sgt *sgt_ = nullptr;
	bool mapped_ = false;
};

} // namespace crono
