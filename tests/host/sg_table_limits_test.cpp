// SPDX-License-Identifier: GPL-2.0
/*
 * The 256 GiB limit's arithmetic (kernel/sg_table_limits.h): entry counts
 * of the kernel's append-built sg table against a step-by-step model of how
 * the kernel chains its chunks, and the bounds the glue checks, for the
 * largest buffer the driver accepts.
 */
#include <gtest/gtest.h>

#include "requests.h"
#include "sg_table_limits.h"

using namespace crono;
namespace stl = crono::sg_table_limits;

namespace {

/* The kernel's chunking, one segment at a time: the slots of a chunk are
 * used in order, and the last slot of a chunk becomes the link to a new one
 * unless it takes the very last segment. Segments plus links. */
u64 chained_entries(u64 segments, u64 chunk)
{
	u64 entries = 0, free_slots = 0;
	for (u64 left = segments; left > 0;) {
		if (free_slots == 0)
			free_slots = chunk;
		entries++;
		if (free_slots == 1 && left > 1) {
			free_slots = 0; /* the link */
			continue;
		}
		free_slots--;
		left--;
	}
	return entries;
}

} // namespace

TEST(SgTableLimits, EntriesMatchTheChunkChaining)
{
	for (u64 segments : { 1ull, 2ull, 127ull, 128ull, 129ull, 255ull,
			      256ull, 1000ull, 12345ull, 1ull << 20 })
		EXPECT_EQ(stl::entries_for(segments),
			  chained_entries(segments, stl::chunk_entries))
			<< segments << " segments";
	EXPECT_EQ(stl::entries_for(0), 0u);
	EXPECT_EQ(stl::chunks_for(128), 1u) << "a full chunk needs no link";
	EXPECT_EQ(stl::chunks_for(129), 2u);
}

TEST(SgTableLimits, TheLargestBufferFitsTheTablesUnsignedCounts)
{
	EXPECT_EQ(stl::max_buffer_pages, 1ull << 26);
	const u64 worst =
		chained_entries(stl::max_buffer_pages, stl::chunk_entries);
	EXPECT_EQ(worst, stl::entries_for(stl::max_buffer_pages));
	EXPECT_LE(worst, stl::uint_max);
	/* About 2 GiB of chunks for one segment per page, at most. */
	EXPECT_EQ(stl::max_chunk_bytes_for(stl::max_buffer_pages),
		  stl::chunks_for(stl::max_buffer_pages) * 4096);
	EXPECT_LT(stl::max_chunk_bytes_for(stl::max_buffer_pages),
		  (1ull << 31) + (1ull << 26));
}

TEST(SgTableLimits, EveryAppendOfTheLargestBufferIsAccepted)
{
	/* Batch by batch, as PinnedSgTable::pin() appends, with the entries
	 * so far including the rest of a chunk. */
	const u64 batch = limits::pin_batch_pages;
	u64 appended = 0, refused = 0;
	for (u64 done = 0; done < stl::max_buffer_pages; done += batch) {
		const u64 left = stl::max_buffer_pages - done - batch;
		const u64 so_far = stl::entries_for(done) +
				   (done ? stl::chunk_entries : 0);
		refused += !stl::append_accepted(so_far, batch, left);
		appended++;
	}
	EXPECT_EQ(appended, stl::max_buffer_pages / batch);
	EXPECT_EQ(refused, 0u);
	/* And the bound bites where it must. */
	EXPECT_FALSE(stl::append_accepted(0, stl::uint_max + 1, 0));
	EXPECT_FALSE(stl::append_accepted(stl::uint_max - 10, 6, 0));
}

TEST(SgTableLimits, TheLargestRequestIsValidOneMoreIsNot)
{
	CRONO_SG_BUFFER_INFO info{};
	info.addr = 0x7f0000000000ull;
	info.size = limits::max_sg_buffer_bytes;
	info.pages_count = u32(info.size / limits::device_page_size);
	info.upages = 0x600000000000ull;
	auto request = validate_sg_request(info, 4096);
	ASSERT_FALSE(request.is_error());
	EXPECT_EQ(request.value().kernel_pages, stl::max_buffer_pages);
	EXPECT_EQ(request.value().entries * sizeof(u64), 512ull << 20)
		<< "the user's page table";
	/* pinned_bytes of 4096 such buffers still fits a signed 64-bit
	 * counter. */
	EXPECT_LT(double(limits::max_sg_buffer_bytes) *
			  limits::max_buffers_per_file,
		  9.2e18);
	info.size += 4096;
	info.pages_count++;
	EXPECT_EQ(validate_sg_request(info, 4096).error().code(), -ENOMEM);
}
