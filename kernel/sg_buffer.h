/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A scatter/gather buffer: user pages pinned long-term, one sg table, one DMA
 * mapping, and the per-4 KiB page table computed from that mapping.
 *
 * It is built in two steps. pin() touches only user memory (charge, pin,
 * table), so it runs without any driver lock, where a fault may stall; map()
 * and write_page_table() are the device's part and run under the board lock.
 *
 * Each resource is a member that releases exactly itself, declared in the
 * order it is acquired, so destruction releases in the one safe order:
 * unmap, unpin (dirty) through the table, free the table, return the
 * memlock charge. A request that fails part way destroys the half-built
 * buffer and leaves nothing. Nothing per page is kept besides the sg table.
 */
#pragma once

#include "cxxrt/intrusive_list.h"
#include "cxxrt/own_ptr.h"
#include "dma_mapping.h"
#include "id_allocator.h"
#include "memlock_charge.h"
#include "pinned_sg_table.h"
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

	/* Maps the table for the device; board lock held. */
	Result<void> map() noexcept;
	/* Writes the request's page table into window, which holds exactly
	 * the user's array; board lock held. */
	Result<void> write_page_table(UserWindow &window) noexcept;

	u64 pinned_bytes() const noexcept;
	/* Kernel memory kept for the buffer while it lives: this object,
	 * its memlock charge, its sg table. */
	u64 bookkeeping_bytes() const noexcept { return bookkeeping_bytes_; }
	s32 id() const noexcept { return id_.value(); }
	void set_id(BufferId id) noexcept { id_ = move(id); }

private:
	SgBuffer(struct crono_pci *pci, const SgRequest &request,
		 MemlockCharge charge, PinnedSgTable table) noexcept
	    : pci_(pci), request_(request), charge_(move(charge)),
	      table_(move(table))
	{
	}

	struct crono_pci *pci_;
	SgRequest request_;
	u64 bookkeeping_bytes_ = 0;
	/* Release order is the reverse of this order. */
	MemlockCharge charge_;
	PinnedSgTable table_;
	DmaMapping mapping_;
	BufferId id_;
};

} // namespace crono
