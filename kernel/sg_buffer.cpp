// SPDX-License-Identifier: GPL-2.0
#include "sg_buffer.h"

#include "cxxrt/errno.h"
#include "driver_limits.h"
#include "page_table.h"
#include "user_window.h"

namespace crono {

namespace {

/* Writes page-table runs into the user's array, pinned beforehand. */
class UserPageTable final : public PageTableSink {
public:
	explicit UserPageTable(UserWindow &window) noexcept : window_(window) {}
	Result<void> write(u64 first_index,
			   Span<const u64> entries) noexcept override
	{
		const u64 offset = first_index * sizeof(u64);
		if (offset + entries.size() * sizeof(u64) > window_.size())
			return Error::from_errno(-EFAULT);
		window_.write(offset, Span<const u64>(entries));
		return {};
	}

private:
	UserWindow &window_;
};

/* Adapts a DMA segment walk to a checker or writer with add(). */
template <typename Consumer> struct SegmentWalk {
	Consumer &consumer;
	Result<void> result{};

	static int visit(void *ctx, crono_u64 addr, crono_u64 len)
	{
		auto *walk = static_cast<SegmentWalk *>(ctx);
		auto added = walk->consumer.add(DmaSegment{ addr, len });
		if (added.is_error()) {
			walk->result = added.error();
			return 1;
		}
		return 0;
	}

	Result<void> run(const struct crono_sgt *sgt) noexcept
	{
		crono_ksgt_walk_dma(sgt, &SegmentWalk::visit, this);
		return result;
	}
};

struct PageTableStaging {
	u64 entries[limits::page_table_chunk_entries];
};

} // namespace

Result<OwnPtr<SgBuffer>> SgBuffer::pin(struct crono_pci *pci,
				       const SgRequest &request) noexcept
{
	/* A ring buffer the device streams into cannot live in bounce
	 * buffers: refuse before pinning anything. */
	if (crono_kdma_always_bounces(pci)) {
		crono_klog(pci, CRONO_LOG_ERR,
			   "refusing S/G buffer: DMA is forced through swiotlb "
			   "bounce buffers (swiotlb=force)\n");
		return Error::from_errno(-EOPNOTSUPP);
	}

	auto charge = MemlockCharge::take(request.kernel_pages);
	if (charge.is_error()) {
		crono_klog(pci, CRONO_LOG_DEBUG,
			   "lock of %llu pages over RLIMIT_MEMLOCK\n",
			   request.kernel_pages);
		return charge.error();
	}
	auto table = CRONO_TRY(PinnedSgTable::pin(request.user_addr,
						  request.kernel_pages,
						  crono_kdma_max_segment(pci)));
	auto buffer = CRONO_TRY(
		adopt_own_or_enomem(new (Gfp::kernel_account) SgBuffer(
			pci, request, charge.release_value(), move(table))));
	buffer->bookkeeping_bytes_ =
		crono_kmalloc_bytes(buffer.get()) +
		crono_kmemlock_bytes(buffer->charge_.get()) +
		buffer->table_.bytes();
	return move(buffer);
}

Result<void> SgBuffer::map() noexcept
{
	auto mapping = DmaMapping::map(pci_, table_);
	if (mapping.is_error()) {
		crono_klog(pci_, CRONO_LOG_ERR,
			   "DMA mapping of %llu bytes failed: %d\n",
			   request_.size, mapping.error().code());
		return mapping.error();
	}
	mapping_ = mapping.release_value();
	if (crono_kdma_sgt_bounced(pci_, table_.get())) {
		crono_klog(pci_, CRONO_LOG_ERR,
			   "refusing S/G buffer: the device cannot reach the "
			   "pages and DMA would bounce through swiotlb\n");
		return Error::from_errno(-EOPNOTSUPP);
	}
	return {};
}

Result<void> SgBuffer::write_page_table(UserWindow &window) noexcept
{
	PageTableCheck check(request_.entries);
	CRONO_TRY((SegmentWalk<PageTableCheck>{ check }.run(table_.get())));
	auto verified = check.verify();
	if (verified.is_error()) {
		crono_klog(pci_, CRONO_LOG_ERR,
			   "DMA mapping does not cover the buffer in 4 KiB "
			   "pages\n");
		return verified;
	}

	auto staging = CRONO_TRY(make_own<PageTableStaging>(Gfp::kernel));
	UserPageTable sink(window);
	PageTableWriter writer(request_.entries, Span<u64>(staging->entries),
			       sink);
	CRONO_TRY((SegmentWalk<PageTableWriter>{ writer }.run(table_.get())));
	return writer.finish();
}

SgBuffer::~SgBuffer() = default;

u64 SgBuffer::pinned_bytes() const noexcept
{
	return request_.kernel_pages * crono_kpage_size();
}

} // namespace crono
