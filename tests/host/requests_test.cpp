// SPDX-License-Identifier: GPL-2.0
/*
 * kernel/requests.*: validation of the ioctl arguments (docs/abi.md,
 * LOCK_BUFFER and LOCK_CONTIG_BUFFER).
 */
#include <gtest/gtest.h>

#include "cxxrt/errno.h"
#include "driver_limits.h"
#include "requests.h"

using crono::u64;

namespace {

constexpr u64 page = 4096;

CRONO_SG_BUFFER_INFO sg(u64 addr, u64 size, crono::u32 count,
			u64 upages = 0x7f0000100000)
{
	CRONO_SG_BUFFER_INFO info{};
	info.addr = addr;
	info.size = size;
	info.pages = 0x1234;
	info.upages = upages;
	info.pages_count = count;
	info.id = -1;
	return info;
}

int sg_error(const CRONO_SG_BUFFER_INFO &info, u64 kpage = page)
{
	return crono::validate_sg_request(info, kpage).to_errno();
}

int contig_error(u64 size)
{
	CRONO_CONTIG_BUFFER_INFO info{};
	info.size = size;
	return crono::validate_contig_request(info, page).to_errno();
}

u64 contig_size(u64 size, u64 kpage = page)
{
	CRONO_CONTIG_BUFFER_INFO info{};
	info.size = size;
	auto result = crono::validate_contig_request(info, kpage);
	EXPECT_FALSE(result.is_error()) << size;
	return result ? result.value() : 0;
}

} // namespace

TEST(SgRequest, AcceptsAPageAlignedBufferAndFillsTheRequest)
{
	auto result = crono::validate_sg_request(
		sg(0x7f0000000000, 16 * page, 16, 0x7f0000200000), page);
	ASSERT_FALSE(result.is_error());
	const auto &req = result.value();
	EXPECT_EQ(req.user_addr, 0x7f0000000000u);
	EXPECT_EQ(req.size, 16 * page);
	EXPECT_EQ(req.page_table_addr, 0x7f0000200000u);
	EXPECT_EQ(req.entries, 16u);
	EXPECT_EQ(req.kernel_pages, 16u);
}

TEST(SgRequest, AcceptsASizeThatIsNotAPageMultiple)
{
	auto result = crono::validate_sg_request(sg(0x10000, 5000, 2), page);
	ASSERT_FALSE(result.is_error());
	EXPECT_EQ(result.value().entries, 2u);
	EXPECT_EQ(result.value().kernel_pages, 2u);
}

TEST(SgRequest, KernelPagesFollowTheKernelPageSize)
{
	auto result =
		crono::validate_sg_request(sg(0x40000, 9 * page, 9), 16384);
	ASSERT_FALSE(result.is_error());
	EXPECT_EQ(result.value().entries, 9u);
	EXPECT_EQ(result.value().kernel_pages, 3u);
}

/* docs/abi.md, LOCK_BUFFER: which requests validation accepts (0) and
 * which errno it refuses the others with. */
TEST(SgRequest, ErrnoOfEachRequest)
{
	const u64 limit = crono::limits::max_sg_buffer_bytes;
	const u64 top = ~0ull - page + 1; /* the last page */
	const crono::u32 limit_pages = crono::u32(limit / page);
	struct Case {
		const char *what;
		u64 addr, size;
		crono::u32 count;
		u64 kpage;
		int err;
	} cases[] = {
		{ "one byte", 0x10000, 1, 1, page, 0 },
		{ "address 0", 0, page, 1, page, -EINVAL },
		{ "address +1", 0x10001, page, 1, page, -EINVAL },
		{ "address +8", 0x10008, page, 1, page, -EINVAL },
		{ "address +2 KiB", 0x10800, page, 1, page, -EINVAL },
		{ "address +4095", 0x10fff, page, 1, page, -EINVAL },
		/* With 16 KiB kernel pages, 4 KiB alignment is not enough. */
		{ "4 KiB aligned, 16 KiB page", 0x11000, page, 1, 16384,
		  -EINVAL },
		{ "16 KiB aligned, 16 KiB page", 0x14000, page, 1, 16384, 0 },
		{ "size 0", 0x10000, 0, 0, page, -EINVAL },
		{ "size 0, count 1", 0x10000, 0, 1, page, -EINVAL },
		{ "count one too few", 0x10000, 8 * page, 7, page, -EINVAL },
		{ "count of the rounded-down size", 0x10000, 8 * page + 1, 8,
		  page, -EINVAL },
		{ "count one too many", 0x10000, 8 * page, 9, page, -EINVAL },
		{ "count of the rounded-up size plus one", 0x10000,
		  8 * page - 1, 9, page, -EINVAL },
		{ "count 2^32 - 1", 0x10000, page, 0xffffffffu, page, -EINVAL },
		/* 2^32 + 1 pages: pages_count (32 bits) would read 1. */
		{ "count right only modulo 2^32", 0x10000, (1ull << 44) + page,
		  1, page, -EINVAL },
		{ "wraps around", top, 2 * page, 2, page, -EINVAL },
		{ "end would be 2^64", top, page, 1, page, -EINVAL },
		{ "the page below the last", top - page, page, 1, page, 0 },
		{ "size of the whole space", page, ~0ull - page + 1, 0, page,
		  -EINVAL },
		{ "at the driver limit", 0x10000, limit, limit_pages, page, 0 },
		{ "a page over the limit", 0x10000, limit + page,
		  limit_pages + 1, page, -ENOMEM },
		{ "a byte over the limit", 0x10000, limit + 1, limit_pages + 1,
		  page, -ENOMEM },
		/* The largest buffer pages_count can describe. */
		{ "2^32 - 1 pages", 0x10000, 0xffffffffull * page, 0xffffffffu,
		  page, -ENOMEM },
		/* Over the limit and invalid: EINVAL, not ENOMEM. */
		{ "over the limit, wrong count", 0x10000, 2 * limit, 1, page,
		  -EINVAL },
		{ "over the limit, unaligned", 0x10001, 2 * limit,
		  crono::u32(2 * limit / page), page, -EINVAL },
	};
	for (const Case &c : cases)
		EXPECT_EQ(sg_error(sg(c.addr, c.size, c.count), c.kpage), c.err)
			<< c.what;
	/* Whatever the limit, its page table must fit pages_count. */
	EXPECT_LE(limit / page, 0xffffffffull);
}

TEST(ContigRequest, RejectsSizeZeroAndMoreThanTheLimit)
{
	const u64 limit = crono::limits::max_contig_buffer_bytes;
	EXPECT_EQ(contig_error(0), -EINVAL);
	EXPECT_EQ(contig_error(limit), 0);
	EXPECT_EQ(contig_error(limit + 1), -ENOMEM);
	EXPECT_EQ(contig_error(~0ull), -ENOMEM);
}

TEST(ContigRequest, RoundsTheSizeUpToWholeKernelPages)
{
	EXPECT_EQ(contig_size(1), page);
	EXPECT_EQ(contig_size(page), page);
	EXPECT_EQ(contig_size(page + 1), 2 * page);
	EXPECT_EQ(contig_size(5 * page - 7), 5 * page);
	EXPECT_EQ(contig_size(100, 16384), 16384u);
	EXPECT_EQ(contig_size(crono::limits::max_contig_buffer_bytes),
		  crono::limits::max_contig_buffer_bytes);
}
