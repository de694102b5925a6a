// SPDX-License-Identifier: GPL-2.0
/*
 * The S/G page-address logic on its own: mapped DMA segments in, one device
 * address per 4 KiB page out. The segments here are synthetic (layouts no
 * small test machine could map, such as a segment of more than 4 GiB); the
 * crono_sg_dma suite feeds the same classes from real mappings.
 */
#include "kunit_cxx.h"

#include "cxxrt/errno.h"
#include "driver_limits.h"
#include "page_table.h"

using namespace crono;
using crono_kt::Array;

namespace {

constexpr u64 page = limits::device_page_size;
constexpr u64 poison = 0xdeadbeefdeadbeefull;

/* Stores runs into a table; flags anything written out of bounds or out of
 * order, and can fail its n-th write. */
class TableSink final : public PageTableSink {
public:
	TableSink(u64 *table, u64 size) noexcept : table_(table), size_(size) {}

	Result<void> write(u64 first_index,
			   Span<const u64> entries) noexcept override
	{
		writes++;
		if (first_index != next_)
			out_of_order = true;
		if (entries.empty() || entries.size() > longest_run)
			longest_run = entries.size();
		if (fail_write && writes == fail_write)
			return Error::from_errno(-EFAULT);
		for (size_t i = 0; i < entries.size(); i++) {
			if (first_index + i >= size_) {
				out_of_bounds = true;
				return Error::from_errno(-EFAULT);
			}
			table_[first_index + i] = entries[i];
		}
		next_ = first_index + entries.size();
		return {};
	}

	u64 written() const noexcept { return next_; }

	u32 writes = 0;
	u32 fail_write = 0; /* 1-based; 0: never fail */
	size_t longest_run = 0;
	bool out_of_order = false;
	bool out_of_bounds = false;

private:
	u64 *table_;
	u64 size_;
	u64 next_ = 0;
};

/*
 * What SgBuffer::write_page_table does with a mapping: check every segment
 * and the coverage first, write only when that passed.
 */
Result<void> build(Span<const DmaSegment> segments, u64 entries,
		   Span<u64> staging, PageTableSink &sink) noexcept
{
	PageTableCheck check(entries);
	for (const DmaSegment &segment : segments)
		CRONO_TRY(check.add(segment));
	CRONO_TRY(check.verify());
	PageTableWriter writer(entries, staging, sink);
	for (const DmaSegment &segment : segments)
		CRONO_TRY(writer.add(segment));
	return writer.finish();
}

/* The reference model: every 4 KiB step of every segment, in order. */
u64 reference(Span<const DmaSegment> segments, u64 *out, u64 entries) noexcept
{
	u64 n = 0;
	for (const DmaSegment &segment : segments)
		for (u64 offset = 0; offset < segment.len && n < entries;
		     offset += page)
			out[n++] = segment.addr + offset;
	return n;
}

/*
 * Builds the table for `segments` into a poisoned array one entry larger
 * than `entries` and compares it with the reference model entry by entry.
 */
void expect_table(struct kunit *test, Span<const DmaSegment> segments,
		  u64 entries, size_t staging_entries = 512)
{
	Array<u64> table(entries + 1);
	Array<u64> expected(entries);
	Array<u64> staging(staging_entries);
	if (!table || !expected || !staging) {
		CRONO_KEXPECT(test, !"allocation");
		return;
	}
	for (size_t i = 0; i <= entries; i++)
		table[i] = poison;

	TableSink sink(table.data(), entries + 1);
	auto built = build(segments, entries,
			   Span<u64>(staging.data(), staging.size()), sink);
	CRONO_KEXPECT_EQ(test, CRONO_KERRNO(built), 0);
	CRONO_KEXPECT(test, !sink.out_of_order);
	CRONO_KEXPECT(test, !sink.out_of_bounds);
	CRONO_KEXPECT_LE(test, sink.longest_run, staging_entries);
	CRONO_KEXPECT_EQ(test, sink.written(), entries);
	CRONO_KEXPECT_EQ(test, reference(segments, expected.data(), entries),
			 entries);
	for (u64 i = 0; i < entries; i++)
		if (!CRONO_KEXPECT_EQ(test, table[i], expected[i]))
			break;
	CRONO_KEXPECT_EQ(test, table[entries], poison);
}

/* Expects `segments` to be refused with `error` and nothing written. */
void expect_refused(struct kunit *test, Span<const DmaSegment> segments,
		    u64 entries, int error)
{
	Array<u64> table(entries);
	u64 staging[8];
	if (!table) {
		CRONO_KEXPECT(test, !"allocation");
		return;
	}
	for (size_t i = 0; i < entries; i++)
		table[i] = poison;
	TableSink sink(table.data(), entries);
	auto built = build(segments, entries, Span<u64>(staging), sink);
	CRONO_KEXPECT_EQ(test, CRONO_KERRNO(built), error);
	CRONO_KEXPECT_EQ(test, sink.writes, 0u);
	for (size_t i = 0; i < entries; i++)
		if (!CRONO_KEXPECT_EQ(test, table[i], poison))
			break;
}

/* Checks entries as they arrive, for tables too large to store. */
class LinearSink final : public PageTableSink {
public:
	explicit LinearSink(u64 base) noexcept : base_(base) {}
	Result<void> write(u64 first_index,
			   Span<const u64> entries) noexcept override
	{
		if (first_index != count)
			wrong = true;
		for (size_t i = 0; i < entries.size(); i++)
			if (entries[i] != base_ + (first_index + i) * page)
				wrong = true;
		count = first_index + entries.size();
		return {};
	}
	u64 count = 0;
	bool wrong = false;

private:
	u64 base_;
};

} // namespace

extern "C" {

void crono_kt_pt_single_page(struct kunit *test)
{
	const DmaSegment whole[] = { { 0x12345000, page } };
	expect_table(test, Span<const DmaSegment>(whole), 1);
	/* A buffer of a few bytes still takes a whole device page. */
	const DmaSegment few_bytes[] = { { 0xfff000, 100 } };
	expect_table(test, Span<const DmaSegment>(few_bytes), 1);
	/* Above 4 GiB, as behind an IOMMU or on a large machine. */
	const DmaSegment high[] = { { 0xfedcba9876543000ull, page } };
	expect_table(test, Span<const DmaSegment>(high), 1);
}

void crono_kt_pt_one_merged_segment(struct kunit *test)
{
	/* sg_alloc_table_from_pages merged 300 contiguous pages. */
	const DmaSegment merged[] = { { 0x100000000ull, 300 * page } };
	expect_table(test, Span<const DmaSegment>(merged), 300);
}

void crono_kt_pt_odd_page_counts(struct kunit *test)
{
	/* Segments of 1, 3, 5, 7, 9, 11 and 13 pages, scattered, some
	 * adjacent in device space and some going downwards. */
	const DmaSegment segments[] = {
		{ 0x7fff0000, 1 * page },	{ 0x10000000, 3 * page },
		{ 0x10003000, 5 * page },	{ 0x00001000, 7 * page },
		{ 0x3ffff000000ull, 9 * page }, { 0x20000000, 11 * page },
		{ 0x1ff00000, 13 * page },
	};
	expect_table(test, Span<const DmaSegment>(segments), 49);
	/* The same with a staging array of 3 entries: every run is split. */
	expect_table(test, Span<const DmaSegment>(segments), 49, 3);
}

void crono_kt_pt_many_single_pages(struct kunit *test)
{
	/* 1500 one-page segments in a scrambled order, more than two
	 * stagings of 512 entries. */
	constexpr size_t count = 1500;
	Array<DmaSegment> segments(count);
	if (!segments) {
		CRONO_KEXPECT(test, !"allocation");
		return;
	}
	for (size_t i = 0; i < count; i++)
		segments[i] = DmaSegment{
			0x80000000ull + ((i * 7919) % 100003) * page, page
		};
	expect_table(test, Span<const DmaSegment>(segments.data(), count),
		     count);
}

void crono_kt_pt_segment_over_4g_split(struct kunit *test)
{
	/*
	 * 5 GiB and three pages, physically contiguous: the sg table splits it
	 * at the segment limit the glue asks for (UINT_MAX & PAGE_MASK, the
	 * largest an sg entry holds), so the entries must run on across
	 * segment boundaries with no gap or repeat. Checked as they arrive:
	 * the table would have 1.3 million entries.
	 */
	constexpr u64 base = 0x700000000ull;
	constexpr u64 total = 5ull * 1024 * 1024 * 1024 + 3 * page;
	constexpr u64 limit = 0xffffffffull & ~(page - 1);
	constexpr u64 entries = total / page;
	DmaSegment segments[4];
	size_t n = 0;
	for (u64 done = 0; done < total; n++) {
		const u64 len = min(limit, total - done);
		segments[n] = DmaSegment{ base + done, len };
		done += len;
	}
	CRONO_KEXPECT_EQ(test, n, 2u);
	CRONO_KEXPECT_EQ(test, segments[1].addr, base + limit);

	Array<u64> staging(limits::page_table_chunk_entries);
	if (!staging) {
		CRONO_KEXPECT(test, !"allocation");
		return;
	}
	LinearSink sink(base);
	auto built = build(Span<const DmaSegment>(segments, n), entries,
			   Span<u64>(staging.data(), staging.size()), sink);
	CRONO_KEXPECT_EQ(test, CRONO_KERRNO(built), 0);
	CRONO_KEXPECT(test, !sink.wrong);
	CRONO_KEXPECT_EQ(test, sink.count, entries);

	/* One DMA segment longer than 4 GiB (an IOMMU may merge that far). */
	const DmaSegment one[] = { { base, total } };
	LinearSink single(base);
	built = build(Span<const DmaSegment>(one), entries,
		      Span<u64>(staging.data(), staging.size()), single);
	CRONO_KEXPECT_EQ(test, CRONO_KERRNO(built), 0);
	CRONO_KEXPECT(test, !single.wrong);
	CRONO_KEXPECT_EQ(test, single.count, entries);
}

void crono_kt_pt_first_and_last_page(struct kunit *test)
{
	/* A 10-page buffer 123 bytes short of its last page: the last
	 * segment ends inside a device page, which is allowed only last. */
	const DmaSegment segments[] = {
		{ 0xa0000000, 4 * page },
		{ 0xb0000000, 6 * page - 123 },
	};
	Array<u64> table(11);
	u64 staging[4];
	for (size_t i = 0; i < 11; i++)
		table[i] = poison;
	TableSink sink(table.data(), 11);
	auto built = build(Span<const DmaSegment>(segments), 10,
			   Span<u64>(staging), sink);
	CRONO_KEXPECT_EQ(test, CRONO_KERRNO(built), 0);
	CRONO_KEXPECT_EQ(test, table[0], 0xa0000000u);
	CRONO_KEXPECT_EQ(test, table[3], 0xa0003000u);
	CRONO_KEXPECT_EQ(test, table[4], 0xb0000000u);
	CRONO_KEXPECT_EQ(test, table[9], 0xb0005000u);
	CRONO_KEXPECT_EQ(test, table[10], poison);
	expect_table(test, Span<const DmaSegment>(segments), 10);
}

void crono_kt_pt_more_segments_than_entries(struct kunit *test)
{
	/* Kernel pages larger than the device page map more than the
	 * buffer: the entries past its end are not written. */
	const DmaSegment segments[] = {
		{ 0x40000000, 16 * page },
		{ 0x50000000, 16 * page },
	};
	expect_table(test, Span<const DmaSegment>(segments), 20);
	expect_table(test, Span<const DmaSegment>(segments), 16);
	expect_table(test, Span<const DmaSegment>(segments), 1);
}

void crono_kt_pt_short_mapping_writes_nothing(struct kunit *test)
{
	/* The mapping covers 9 pages of a 10-page buffer. */
	const DmaSegment short_by_one[] = {
		{ 0x40000000, 4 * page },
		{ 0x60000000, 5 * page },
	};
	expect_refused(test, Span<const DmaSegment>(short_by_one), 10, -EIO);
	/* No segment at all. */
	expect_refused(test, Span<const DmaSegment>(), 1, -EIO);

	/* The writer alone refuses to finish short too. */
	u64 table[4] = { poison, poison, poison, poison };
	u64 staging[4];
	TableSink sink(table, 4);
	PageTableWriter writer(4, Span<u64>(staging), sink);
	const DmaSegment three{ 0x1000, 3 * page };
	CRONO_KEXPECT_EQ(test, CRONO_KERRNO(writer.add(three)), 0);
	CRONO_KEXPECT_EQ(test, CRONO_KERRNO(writer.finish()), -EIO);
}

void crono_kt_pt_bad_segments_write_nothing(struct kunit *test)
{
	/* Not on a 4 KiB boundary: every entry would be off. */
	const DmaSegment unaligned[] = { { 0x40000008, 2 * page } };
	expect_refused(test, Span<const DmaSegment>(unaligned), 2, -EIO);
	/* A segment ending inside a page followed by another: the entries
	 * after it would be shifted. */
	const DmaSegment ragged[] = { { 0x40000000, page + 512 },
				      { 0x50000000, page } };
	expect_refused(test, Span<const DmaSegment>(ragged), 3, -EIO);
	/* An empty segment. */
	const DmaSegment empty[] = { { 0x40000000, page }, { 0x50000000, 0 } };
	expect_refused(test, Span<const DmaSegment>(empty), 1, -EIO);
	/* Address plus length beyond 2^64. */
	const DmaSegment wraps[] = { { 0xfffffffffffff000ull, 2 * page } };
	expect_refused(test, Span<const DmaSegment>(wraps), 2, -EIO);
}

void crono_kt_pt_staging_runs(struct kunit *test)
{
	/* Around every multiple of the staging size. */
	const size_t stagings[] = { 1, 7, 512 };
	const u64 sizes[] = { 1, 511, 512, 513, 1024, 1025 };
	for (size_t staging : stagings) {
		for (u64 entries : sizes) {
			const DmaSegment segments[] = {
				{ 0x200000000ull, (entries / 2) * page },
				{ 0x300000000ull,
				  (entries - entries / 2) * page },
			};
			const size_t first = entries / 2 ? 0 : 1;
			expect_table(test,
				     Span<const DmaSegment>(segments + first,
							    2 - first),
				     entries, staging);
		}
	}
}

void crono_kt_pt_sink_error(struct kunit *test)
{
	/* A failing copy to user space stops the writer with its error. */
	const DmaSegment segments[] = { { 0x40000000, 40 * page } };
	Array<u64> table(40);
	u64 staging[8];
	TableSink sink(table.data(), 40);
	sink.fail_write = 2;
	auto built = build(Span<const DmaSegment>(segments), 40,
			   Span<u64>(staging), sink);
	CRONO_KEXPECT_EQ(test, CRONO_KERRNO(built), -EFAULT);
	CRONO_KEXPECT_EQ(test, sink.writes, 2u);
}

} // extern "C"
