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
	EXPECT_EQ(sg_error(sg(0x10000, 1, 1)), 0);
}

TEST(SgRequest, RejectsAddressZero)
{
	EXPECT_EQ(sg_error(sg(0, page, 1)), -EINVAL);
}

TEST(SgRequest, RejectsAnAddressNotAlignedToTheKernelPage)
{
	for (u64 addr : { 0x10001ull, 0x10008ull, 0x10800ull, 0x10fffull })
		EXPECT_EQ(sg_error(sg(addr, page, 1)), -EINVAL) << addr;
	/* With 16 KiB kernel pages, 4 KiB alignment is not enough. */
	EXPECT_EQ(sg_error(sg(0x11000, page, 1), 16384), -EINVAL);
	EXPECT_EQ(sg_error(sg(0x14000, page, 1), 16384), 0);
}

TEST(SgRequest, KernelPagesFollowTheKernelPageSize)
{
	auto result =
		crono::validate_sg_request(sg(0x40000, 9 * page, 9), 16384);
	ASSERT_FALSE(result.is_error());
	EXPECT_EQ(result.value().entries, 9u);
	EXPECT_EQ(result.value().kernel_pages, 3u);
}

TEST(SgRequest, RejectsSizeZero)
{
	EXPECT_EQ(sg_error(sg(0x10000, 0, 0)), -EINVAL);
	EXPECT_EQ(sg_error(sg(0x10000, 0, 1)), -EINVAL);
}

TEST(SgRequest, RejectsPagesCountTooSmall)
{
	EXPECT_EQ(sg_error(sg(0x10000, 8 * page, 7)), -EINVAL);
	EXPECT_EQ(sg_error(sg(0x10000, 8 * page + 1, 8)), -EINVAL);
}

TEST(SgRequest, RejectsPagesCountTooLarge)
{
	EXPECT_EQ(sg_error(sg(0x10000, 8 * page, 9)), -EINVAL);
	EXPECT_EQ(sg_error(sg(0x10000, 8 * page - 1, 9)), -EINVAL);
	EXPECT_EQ(sg_error(sg(0x10000, page, 0xffffffffu)), -EINVAL);
}

TEST(SgRequest, RejectsACountThatMatchesOnlyModulo2To32)
{
	/* 2^32 + 1 pages: pages_count (32 bits) would read 1. */
	EXPECT_EQ(sg_error(sg(0x10000, (1ull << 44) + page, 1)), -EINVAL);
}

TEST(SgRequest, RejectsWrapAroundOfTheAddressSpace)
{
	const u64 top = ~0ull - page + 1; /* the last page */
	EXPECT_EQ(sg_error(sg(top, 2 * page, 2)), -EINVAL);
	EXPECT_EQ(sg_error(sg(top, page, 1)), -EINVAL) << "end would be 2^64";
	EXPECT_EQ(sg_error(sg(top - page, page, 1)), 0);
	EXPECT_EQ(sg_error(sg(page, ~0ull - page + 1, 0)), -EINVAL);
}

TEST(SgRequest, RejectsMoreThanTheDriverLimitWithENOMEM)
{
	const u64 limit = crono::limits::max_sg_buffer_bytes;
	EXPECT_EQ(sg_error(sg(0x10000, limit, crono::u32(limit / page))), 0);
	EXPECT_EQ(sg_error(sg(0x10000, limit + page,
			      crono::u32(limit / page + 1))),
		  -ENOMEM);
	EXPECT_EQ(
		sg_error(sg(0x10000, limit + 1, crono::u32(limit / page + 1))),
		-ENOMEM);
	/* Whatever the limit, its page table must fit pages_count. */
	EXPECT_LE(limit / page, 0xffffffffull);
	/* The largest buffer pages_count can describe. */
	EXPECT_EQ(sg_error(sg(0x10000, 0xffffffffull * page, 0xffffffffu)),
		  -ENOMEM);
}

TEST(SgRequest, InvalidInputIsReportedBeforeTheLimit)
{
	/* A size over the limit with a wrong count is EINVAL, not ENOMEM. */
	const u64 limit = crono::limits::max_sg_buffer_bytes;
	EXPECT_EQ(sg_error(sg(0x10000, 2 * limit, 1)), -EINVAL);
	EXPECT_EQ(
		sg_error(sg(0x10001, 2 * limit, crono::u32(2 * limit / page))),
		-EINVAL);
}

TEST(ContigRequest, RejectsSizeZero)
{
	EXPECT_EQ(contig_error(0), -EINVAL);
}

TEST(ContigRequest, RejectsMoreThanTheLimitWithENOMEM)
{
	const u64 limit = crono::limits::max_contig_buffer_bytes;
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
