/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A scatter/gather buffer: user pages pinned long-term, one sg table, one DMA
 * mapping, and the per-4 KiB page table computed from that mapping.
 *
 * The object is the owner of everything it acquired; its destructor releases
 * in a fixed order (unmap, free the table, unpin with dirty marking, return
 * the RLIMIT_MEMLOCK charge). A lock() that fails part way simply destroys
 * the half-built object, so every error path leaves nothing behind.
 */
#pragma once

#include "cxxrt/intrusive_list.h"
#include "cxxrt/own_ptr.h"
#include "requests.h"

namespace crono {

class SgBuffer : public ListNode<SgBuffer> {
public:
	static Result<OwnPtr<SgBuffer>> lock(struct crono_pci *pci,
					     const SgRequest &request) noexcept;
	~SgBuffer();
	SgBuffer(const SgBuffer &) = delete;
	SgBuffer &operator=(const SgBuffer &) = delete;

	/* Writes the request's page table to user space. */
	Result<void> write_page_table() noexcept;

	u64 pinned_bytes() const noexcept;

	s32 id = -1;

private:
	SgBuffer(struct crono_pci *pci, const SgRequest &request) noexcept
	    : pci_(pci), request_(request)
	{
	}
	Result<void> charge() noexcept;
	Result<void> pin() noexcept;
	Result<void> map() noexcept;

	struct crono_pci *pci_;
	SgRequest request_;
	struct crono_mm *charged_mm_ = nullptr;
	struct crono_page **pages_ = nullptr;
	u64 pinned_ = 0;
	struct crono_sgt *sgt_ = nullptr;
	bool mapped_ = false;
};

} // namespace crono
