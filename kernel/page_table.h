/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page table user space receives: entry i is the device address of bytes
 * [4096 i, 4096 i + 4096) of the buffer. It is computed from the segments the
 * DMA mapping produced (IOVAs behind an IOMMU, bus addresses without one),
 * never from physical addresses.
 *
 * Pure logic, fed by whatever walks the mapped segments: the glue in the
 * module, a real sg table in KUnit, plain arrays on the host.
 */
#pragma once

#include "cxxrt/result.h"
#include "cxxrt/span.h"

namespace crono {

struct DmaSegment {
	u64 addr;
	u64 len;
};

/* Receives consecutive runs of entries, first_index counting from 0. */
class PageTableSink {
public:
	virtual Result<void> write(u64 first_index,
				   Span<const u64> entries) = 0;

protected:
	~PageTableSink() = default;
};

/*
 * Checks mapped segments against a buffer of `entries` device pages: every
 * segment starts on a 4 KiB boundary, every one but the last is a whole number
 * of device pages, and together they cover the buffer. Call add() per segment
 * in mapping order, then verify(). Nothing is written by this pass, so a
 * mapping that does not fit the buffer leaves the user's table untouched.
 */
class PageTableCheck {
public:
	explicit PageTableCheck(u64 entries) noexcept : entries_(entries) {}
	Result<void> add(const DmaSegment &segment) noexcept;
	Result<void> verify() const noexcept;

private:
	u64 entries_;
	u64 covered_ = 0;     /* device pages covered so far */
	bool ragged_ = false; /* a segment ended inside a device page */
};

/*
 * Emits the entries of a checked mapping into a sink, staging them in
 * `staging` so the sink sees few large writes. Segments beyond the buffer's
 * last page (a kernel page larger than the device page) are ignored.
 */
class PageTableWriter {
public:
	PageTableWriter(u64 entries, Span<u64> staging,
			PageTableSink &sink) noexcept
	    : entries_(entries), staging_(staging), sink_(sink)
	{
	}
	Result<void> add(const DmaSegment &segment) noexcept;
	/* Flushes what is staged; fails if fewer than `entries` were seen. */
	Result<void> finish() noexcept;

private:
	Result<void> flush() noexcept;

	u64 entries_;
	Span<u64> staging_;
	PageTableSink &sink_;
	u64 written_ = 0; /* entries handed to the sink */
	size_t staged_ = 0;
};

} // namespace crono
