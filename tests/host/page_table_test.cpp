// SPDX-License-Identifier: GPL-2.0
/* kernel/page_table.*: mapped DMA segments in, one entry per 4 KiB out. */
#include <gtest/gtest.h>

#include "cxxrt/errno.h"
#include "harness.h"
#include "page_table_util.h"

using crono::DmaSegment;
using namespace host;

namespace {

constexpr u64 gib = 1ull << 30;

/* Entry i of one contiguous run of device memory at base. */
std::vector<u64> linear_table(u64 base, u64 entries)
{
	std::vector<u64> table(entries);
	for (u64 i = 0; i < entries; i++)
		table[i] = base + i * page;
	return table;
}

/* The check pass refuses the mapping with EIO, and nothing reaches the
 * table. */
void expect_refused(u64 entries, const std::vector<DmaSegment> &segs)
{
	const auto run = run_table(entries, segs);
	EXPECT_EQ(run.check, -EIO);
	EXPECT_TRUE(run.sink.writes.empty());
	EXPECT_EQ(run.sink.table,
		  std::vector<u64>(entries, RecordingSink::sentinel));
}

} // namespace

/* One segment, one entry: a whole page, a buffer of a few bytes (still a
 * whole device page), and an address above 4 GiB (behind an IOMMU). */
using PageTableSinglePage = ::testing::TestWithParam<DmaSegment>;

TEST_P(PageTableSinglePage, OneEntryInOneWrite)
{
	const DmaSegment seg = GetParam();
	const auto run = run_table(1, { seg });
	EXPECT_TRUE(accepted(run));
	EXPECT_FALSE(run.sink.overflowed);
	EXPECT_EQ(run.sink.table, std::vector<u64>{ seg.addr });
	ASSERT_EQ(run.sink.writes.size(), 1u);
	EXPECT_EQ(run.sink.writes[0].first, 0u);
	EXPECT_EQ(run.sink.writes[0].count, 1u);
}

INSTANTIATE_TEST_SUITE_P(WholeShortAndHigh, PageTableSinglePage,
			 ::testing::Values(DmaSegment{ 0x12345000, page },
					   DmaSegment{ 0xfff000, 100 },
					   DmaSegment{ 0xfedcba9876543000ull,
						       page }));

TEST(PageTable, ManyMergedSegmentsInMappingOrder)
{
	/* Merged runs of pages at unrelated addresses, not sorted. */
	const std::vector<DmaSegment> segs = { { 0x700000000, 3 * page },
					       { 0x10000, 1 * page },
					       { 0x200000, 5 * page },
					       { 0x10000 + page, 2 * page } };
	const auto run = run_table(11, segs);
	ASSERT_TRUE(accepted(run));
	const std::vector<u64> want = { 0x700000000, 0x700001000, 0x700002000,
					0x10000,     0x200000,	  0x201000,
					0x202000,    0x203000,	  0x204000,
					0x11000,     0x12000 };
	EXPECT_EQ(run.sink.table, want);
}

TEST(PageTable, SegmentsOfOddPageCounts)
{
	std::vector<DmaSegment> segs;
	u64 addr = 0x40000000;
	u64 entries = 0;
	for (u64 pages : { 1, 3, 5, 7, 9, 11 }) {
		segs.push_back({ addr, pages * page });
		entries += pages;
		addr += (pages + 2) * page; /* a hole between segments */
	}
	const auto run = run_table(entries, segs);
	ASSERT_TRUE(accepted(run));
	EXPECT_EQ(first_difference(run.sink.table,
				   reference_table(segs, entries)),
		  "");
	/* Spot checks of the hand-computed layout. */
	EXPECT_EQ(run.sink.table[0], 0x40000000u);
	EXPECT_EQ(run.sink.table[1], 0x40000000u + 3 * page);
	EXPECT_EQ(run.sink.table[3], 0x40000000u + 5 * page);
}

TEST(PageTable, ManySinglePageSegmentsInScrambledOrder)
{
	/* 1500 one-page segments, more than two stagings of 512 entries. */
	std::vector<DmaSegment> segs;
	for (u64 i = 0; i < 1500; i++)
		segs.push_back(
			{ 0x80000000ull + ((i * 7919) % 100003) * page, page });
	const auto run = run_table(1500, segs);
	ASSERT_TRUE(accepted(run));
	EXPECT_EQ(first_difference(run.sink.table, reference_table(segs, 1500)),
		  "");
	EXPECT_EQ(run.sink.writes.size(), 3u);
}

TEST(PageTable, SegmentLongerThan4GiB)
{
	/* A DMA segment length does not fit 32 bits. */
	const u64 len = 5 * gib;
	const u64 base = 0x10000000000ull;
	const u64 entries = len / page;
	const auto run = run_table(entries, { { base, len } });
	ASSERT_TRUE(accepted(run));
	EXPECT_EQ(first_difference(run.sink.table, linear_table(base, entries)),
		  "");
}

TEST(PageTable, BufferOver4GiBSplitBySegmentLimit)
{
	/* 9 GiB of contiguous IOVA as the sg code cuts it with a segment limit
	 * of UINT_MAX & PAGE_MASK. */
	const u64 limit = 0xFFFFF000ull;
	const u64 total = 9 * gib;
	const u64 base = 0x20000000000ull;
	std::vector<DmaSegment> segs;
	for (u64 off = 0; off < total; off += limit)
		segs.push_back({ base + off, std::min(limit, total - off) });
	ASSERT_EQ(segs.size(), 3u);
	const u64 entries = total / page;
	const auto run = run_table(entries, segs);
	ASSERT_TRUE(accepted(run));
	EXPECT_EQ(first_difference(run.sink.table, linear_table(base, entries)),
		  "");
	/* The entries around each cut. */
	EXPECT_EQ(run.sink.table[limit / page - 1], base + limit - page);
	EXPECT_EQ(run.sink.table[limit / page], base + limit);
}

TEST(PageTable, FirstAndLastPage)
{
	const std::vector<DmaSegment> segs = { { 0xabc000, page },
					       { 0x5000000, 62 * page },
					       { 0xfff000000, page } };
	const auto run = run_table(64, segs);
	ASSERT_TRUE(accepted(run));
	EXPECT_EQ(run.sink.table.front(), 0xabc000u);
	EXPECT_EQ(run.sink.table[1], 0x5000000u);
	EXPECT_EQ(run.sink.table[62], 0x5000000u + 61 * page);
	EXPECT_EQ(run.sink.table.back(), 0xfff000000u);
}

TEST(PageTable, MappingShorterThanBufferIsAnErrorAndNothingIsWritten)
{
	expect_refused(8, { { 0x100000, 3 * page }, { 0x900000, 4 * page } });
}

TEST(PageTable, NoSegmentsAtAllIsAnError)
{
	crono::PageTableCheck check(1);
	EXPECT_EQ(check.verify().error().code(), -EIO);
}

TEST(PageTable, WriterAloneReportsAShortMappingAtFinish)
{
	/* The writer is not the guard against short mappings (the check is),
	 * but it still refuses to call a short table complete. */
	RecordingSink sink(4);
	u64 staging[512];
	crono::PageTableWriter writer(4, crono::Span<u64>(staging), sink);
	ASSERT_FALSE(writer.add({ 0x1000, 3 * page }).is_error());
	EXPECT_EQ(writer.finish().error().code(), -EIO);
}

TEST(PageTable, MisalignedSegmentStartIsAnError)
{
	for (u64 offset : { 1ull, 8ull, 0x800ull, 0xfffull }) {
		SCOPED_TRACE(offset);
		expect_refused(
			2, { { 0x10000, page }, { 0x20000 + offset, page } });
	}
	expect_refused(1, { { 0x10000 + 0x200, page } });
}

TEST(PageTable, ZeroLengthSegmentIsAnError)
{
	expect_refused(1, { { 0x10000, page }, { 0x20000, 0 } });
}

TEST(PageTable, SegmentWrappingTheAddressSpaceIsAnError)
{
	expect_refused(2, { { ~0ull - page + 1, 2 * page } });
}

TEST(PageTable, SegmentEndingInsideAPageMustBeTheLast)
{
	expect_refused(3, { { 0x10000, page + 100 }, { 0x40000, page } });

	/* A buffer whose size is not a page multiple ends in a ragged
	 * segment: its partial page still gets an entry. */
	const auto ragged_last =
		run_table(2, { { 0x10000, page }, { 0x40000, 100 } });
	EXPECT_TRUE(accepted(ragged_last));
	EXPECT_EQ(ragged_last.sink.table,
		  (std::vector<u64>{ 0x10000, 0x40000 }));
}

TEST(PageTable, MappingLongerThanBufferIgnoresTheTail)
{
	/* A kernel page larger than the device page maps more than the
	 * buffer: entries stop at the buffer's last device page. */
	const auto run =
		run_table(3, { { 0x10000, 2 * page }, { 0x80000, 4 * page } });
	ASSERT_TRUE(accepted(run));
	EXPECT_FALSE(run.sink.overflowed);
	EXPECT_EQ(run.sink.table,
		  (std::vector<u64>{ 0x10000, 0x11000, 0x80000 }));
	u64 written = 0;
	for (const auto &w : run.sink.writes)
		written += w.count;
	EXPECT_EQ(written, 3u);
}

TEST(PageTable, SinkErrorStopsTheWriteAndIsReturned)
{
	const auto run =
		run_table(2000, { { 0x100000000ull, 2000 * page } }, 512, 2);
	EXPECT_EQ(run.check, 0);
	EXPECT_EQ(run.write, -EFAULT);
	EXPECT_EQ(run.sink.writes.size(), 2u);
}

using PageTableChunks = ::testing::TestWithParam<u64>;

TEST_P(PageTableChunks, EntriesAroundStagingChunkBoundaries)
{
	const u64 entries = GetParam();
	const u64 chunk = crono::limits::page_table_chunk_entries;
	ASSERT_EQ(chunk, 512u);
	/* Segments of 3 pages so segment and chunk boundaries interleave. */
	std::vector<DmaSegment> segs;
	for (u64 i = 0; i < entries; i += 3)
		segs.push_back({ 0x1000000000ull + i * 2 * page,
				 std::min<u64>(3, entries - i) * page });
	const auto run = run_table(entries, segs, chunk);
	ASSERT_TRUE(accepted(run));
	EXPECT_EQ(first_difference(run.sink.table,
				   reference_table(segs, entries)),
		  "");
	/* Full chunks in order, then the rest. */
	const u64 full = entries / chunk;
	const u64 rest = entries % chunk;
	ASSERT_EQ(run.sink.writes.size(), full + (rest != 0));
	for (u64 i = 0; i < run.sink.writes.size(); i++) {
		EXPECT_EQ(run.sink.writes[i].first, i * chunk);
		EXPECT_EQ(run.sink.writes[i].count, i < full ? chunk : rest);
	}
}

INSTANTIATE_TEST_SUITE_P(AroundMultiplesOf512, PageTableChunks,
			 ::testing::Values(1, 511, 512, 513, 1023, 1024, 1025,
					   1535, 1536, 1537, 4095, 4096, 4097));

TEST(PageTable, TinyStagingSpans)
{
	const std::vector<DmaSegment> segs = { { 0x10000, 4 * page },
					       { 0x90000, 6 * page } };
	for (size_t staging : { 1, 2, 3, 7, 10, 11 }) {
		const auto run = run_table(10, segs, staging);
		ASSERT_TRUE(accepted(run)) << "staging " << staging;
		EXPECT_EQ(first_difference(run.sink.table,
					   reference_table(segs, 10)),
			  "")
			<< "staging " << staging;
		EXPECT_EQ(run.sink.writes.size(), (10 + staging - 1) / staging);
	}
}

/* ---- the same logic behind LOCK_BUFFER (SgBuffer::write_page_table) ----- */

using PageTableViaLockBuffer = RigTest;

TEST_F(PageTableViaLockBuffer, TableHoldsTheMappedDmaAddresses)
{
	fake::set_layout(fake::fixed_layout({ { 0x300000, 2 * page },
					      { 0x100000, 1 * page },
					      { 0x7000000, 3 * page } }));
	auto lock = dev.lock_sg(6);
	ASSERT_EQ(lock.ret, 0);
	EXPECT_EQ(dev.read_table(lock),
		  (std::vector<u64>{ 0x300000, 0x301000, 0x100000, 0x7000000,
				     0x7001000, 0x7002000 }));
}

struct UnusableMapping {
	const char *name;
	u64 pages;
	std::vector<fake::Seg> segments;
	const char *logged; /* what the log must say, or nullptr */
};

void PrintTo(const UnusableMapping &mapping, std::ostream *out)
{
	*out << mapping.name;
}

using PageTableViaLockBufferRefuses = RigParamTest<UnusableMapping>;

TEST_P(PageTableViaLockBufferRefuses, WithEIOAndLeavesTheUserTableUntouched)
{
	const UnusableMapping &mapping = GetParam();
	fake::set_layout(fake::fixed_layout(mapping.segments));
	auto lock = dev.lock_sg(mapping.pages);
	EXPECT_EQ(lock.ret, -EIO);
	EXPECT_EQ(dev.read_table(lock),
		  std::vector<u64>(mapping.pages, unwritten));
	EXPECT_EQ(fake::first(Event::user_write, 0, fake::with_a(lock.table)),
		  -1)
		<< "nothing may be written to the page table\n"
		<< fake::dump_records();
	if (mapping.logged) {
		EXPECT_TRUE(fake::logged(mapping.logged));
	}
	rig.expect_at_baseline(mapping.name);
}

INSTANTIATE_TEST_SUITE_P(
	Mappings, PageTableViaLockBufferRefuses,
	::testing::Values(
		/* The device sees 5 pages of a 6-page buffer. */
		UnusableMapping{
			"ShortMapping",
			6,
			{ { 0x300000, 2 * page }, { 0x100000, 3 * page } },
			"does not cover the buffer" },
		UnusableMapping{
			"MisalignedDmaSegment",
			4,
			{ { 0x300000, 2 * page }, { 0x100800, 2 * page } },
			nullptr }),
	[](const ::testing::TestParamInfo<UnusableMapping> &info) {
		return std::string(info.param.name);
	});

TEST_F(PageTableViaLockBuffer, SegmentLimitOfTheDeviceCutsSegments)
{
	dev.pci.max_segment = 3 * page;
	auto lock = dev.lock_sg(10);
	ASSERT_EQ(lock.ret, 0);
	const auto segs = fake::last_mapped_segments();
	ASSERT_EQ(segs.size(), 4u); /* 3 + 3 + 3 + 1 pages */
	EXPECT_EQ(segs.back().len, page);
	EXPECT_EQ(dev.read_table(lock), reference_table(segs, 10));
}

using PageTableViaLockBufferChunks = RigParamTest<u64>;

TEST_P(PageTableViaLockBufferChunks, ReachUserSpaceInOrder)
{
	const u64 entries = GetParam();
	auto lock = dev.lock_sg(entries);
	ASSERT_EQ(lock.ret, 0);
	EXPECT_EQ(dev.read_table(lock),
		  reference_table(fake::last_mapped_segments(), entries));
	/* One copy per chunk into the table, then the struct. */
	std::vector<fake::Record> copies;
	for (long i : fake::indexes_of(Event::user_write))
		copies.push_back(fake::records()[size_t(i)]);
	const u64 chunks = (entries + 511) / 512;
	ASSERT_EQ(copies.size(), chunks + 1);
	for (u64 i = 0; i < chunks; i++) {
		EXPECT_EQ(copies[i].a, lock.table + i * 512 * 8);
		EXPECT_EQ(copies[i].b,
			  std::min<u64>(512, entries - i * 512) * 8);
	}
	EXPECT_EQ(copies.back().a, lock.info_addr);
}

INSTANTIATE_TEST_SUITE_P(AroundStagingChunkBoundaries,
			 PageTableViaLockBufferChunks,
			 ::testing::Values(511, 512, 513, 1024, 1025));
