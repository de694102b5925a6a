// SPDX-License-Identifier: GPL-2.0
#include "page_table.h"

#include "cxxrt/errno.h"
#include "driver_limits.h"

namespace crono {

namespace {
constexpr u64 page = limits::device_page_size;
} // namespace

Result<void> PageTableCheck::add(const DmaSegment &segment) noexcept
{
	/* A segment after one that ended mid-page would shift every entry. */
	if (ragged_ || segment.len == 0 || !is_aligned(segment.addr, page))
		return Error::from_errno(-EIO);
	u64 end;
	if (add_overflows(segment.addr, segment.len, &end))
		return Error::from_errno(-EIO);
	ragged_ = !is_aligned(segment.len, page);
	covered_ += div_round_up(segment.len, page);
	return {};
}

Result<void> PageTableCheck::verify() const noexcept
{
	if (covered_ < entries_)
		return Error::from_errno(-EIO);
	return {};
}

Result<void> PageTableWriter::add(const DmaSegment &segment) noexcept
{
	for (u64 offset = 0;
	     offset < segment.len && written_ + staged_ < entries_;
	     offset += page) {
		staging_[staged_++] = segment.addr + offset;
		if (staged_ == staging_.size())
			CRONO_TRY(flush());
	}
	return {};
}

Result<void> PageTableWriter::finish() noexcept
{
	CRONO_TRY(flush());
	if (written_ != entries_)
		return Error::from_errno(-EIO);
	return {};
}

Result<void> PageTableWriter::flush() noexcept
{
	if (staged_ == 0)
		return {};
	CRONO_TRY(sink_.write(written_,
			      Span<const u64>(staging_.data(), staged_)));
	written_ += staged_;
	staged_ = 0;
	return {};
}

} // namespace crono
