// SPDX-License-Identifier: GPL-2.0
#include "sg_buffer.h"

#include "cxxrt/errno.h"
#include "limits.h"
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
	Error error = Error::from_errno(0);

	static int visit(void *ctx, crono_u64 addr, crono_u64 len)
	{
		auto *walk = static_cast<SegmentWalk *>(ctx);
		auto result = walk->consumer.add(DmaSegment{ addr, len });
		if (result.is_error()) {
			walk->error = result.error();
			return 1;
		}
		return 0;
	}

	Result<void> run(const struct crono_sgt *sgt) noexcept
	{
		crono_ksgt_walk_dma(sgt, &SegmentWalk::visit, this);
		return error.code() ? Result<void>(error) : Result<void>();
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

	auto *raw = new (Gfp::kernel_account) SgBuffer(pci, request);
	if (!raw)
		return Error::from_errno(-ENOMEM);
	OwnPtr<SgBuffer> buffer(raw);

	CRONO_TRY(buffer->charge());
	CRONO_TRY(buffer->pin_pages());
	CRONO_TRY(from_errno(crono_ksgt_create(buffer->pages_, buffer->pinned_,
					       crono_kdma_max_segment(pci),
					       &buffer->sgt_)));
	return move(buffer);
}

Result<void> SgBuffer::charge() noexcept
{
	auto charge = MemlockCharge::take(request_.kernel_pages);
	if (charge.is_error()) {
		crono_klog(pci_, CRONO_LOG_DEBUG,
			   "lock of %llu pages over RLIMIT_MEMLOCK\n",
			   request_.kernel_pages);
		return charge.error();
	}
	charge_ = charge.release_value();
	return {};
}

Result<void> SgBuffer::pin_pages() noexcept
{
	pages_ = static_cast<struct crono_page **>(
		crono_kvmalloc(request_.kernel_pages * sizeof(*pages_),
			       CRONO_GFP_KERNEL_ACCOUNT));
	if (!pages_)
		return Error::from_errno(-ENOMEM);

	const u64 page_size = crono_kpage_size();
	while (pinned_ < request_.kernel_pages) {
		/* A multi-GiB lock gives way between batches, and a killed
		 * task stops here with everything released. */
		if (crono_kfatal_signal_pending())
			return Error::from_errno(-EINTR);
		crono_kcond_resched();
		const u64 batch = min(request_.kernel_pages - pinned_,
				      limits::pin_batch_pages);
		const long got = crono_kpin_user_pages(
			request_.user_addr + pinned_ * page_size, batch,
			pages_ + pinned_);
		if (got < 0)
			return Error::from_errno(int(got));
		if (got == 0)
			return Error::from_errno(-EFAULT);
		pinned_ += u64(got);
	}
	return {};
}

Result<void> SgBuffer::map() noexcept
{
	const int ret = crono_kdma_map_sgt(pci_, sgt_);
	if (ret < 0) {
		crono_klog(pci_, CRONO_LOG_ERR,
			   "DMA mapping of %llu bytes failed: %d\n",
			   request_.size, ret);
		return Error::from_errno(ret);
	}
	mapped_ = true;
	if (crono_kdma_sgt_bounced(pci_, sgt_)) {
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
	CRONO_TRY((SegmentWalk<PageTableCheck>{ check }.run(sgt_)));
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
	CRONO_TRY((SegmentWalk<PageTableWriter>{ writer }.run(sgt_)));
	return writer.finish();
}

u64 SgBuffer::pinned_bytes() const noexcept
{
	return pinned_ * crono_kpage_size();
}

SgBuffer::~SgBuffer()
{
	if (mapped_)
		crono_kdma_unmap_sgt(pci_, sgt_);
	if (sgt_)
		crono_ksgt_destroy(sgt_);
	if (pinned_)
		crono_kunpin_user_pages(pages_, pinned_);
	crono_kvfree(pages_);
}

} // namespace crono
