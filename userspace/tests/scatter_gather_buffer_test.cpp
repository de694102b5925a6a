// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "crono/scatter_gather_buffer.hpp"
#include "fake_system.hpp"

namespace crono::test {
namespace {

static_assert(std::is_same_v<decltype(std::declval<ScatterGatherBuffer>()
					      .page_table()),
			     Span<const std::uint64_t>>,
	      "the page table is read-only");
static_assert(!std::is_copy_constructible_v<ScatterGatherBuffer>);
static_assert(std::is_nothrow_move_constructible_v<ScatterGatherBuffer>);

using SgBufferTest = OpenBoardTest;

TEST_F(SgBufferTest, LocksAndReturnsThePageTable)
{
	auto buffer = ScatterGatherBuffer::lock(*device, 16384);
	ASSERT_TRUE(buffer) << buffer.error().message();
	EXPECT_TRUE(buffer->locked());
	EXPECT_EQ(buffer->size(), 16384u);
	EXPECT_EQ(buffer->id(), 0);
	EXPECT_EQ(buffer->backing(), PageBacking::small_pages);
	EXPECT_EQ(reinterpret_cast<std::uintptr_t>(buffer->data()) % 4096, 0u);
	auto table = buffer->page_table();
	ASSERT_EQ(table.size(), 4u);
	/* The fake driver swaps pairs of pages. */
	EXPECT_EQ(table[0], 0x200001000u);
	EXPECT_EQ(table[1], 0x200000000u);
	EXPECT_EQ(table[3], 0x200002000u);
	std::memset(buffer->data(), 0x5a, buffer->size());
	EXPECT_EQ(
		os.events_matching({ "mmap", "ioctl" }),
		(std::vector<std::string>{ "mmap anonymous",
					   "ioctl LOCK_BUFFER id=0 pages=4" }));
}

TEST_F(SgBufferTest, RoundsTheSizeUpToWholePages)
{
	auto buffer = ScatterGatherBuffer::lock(*device, 5000);
	ASSERT_TRUE(buffer);
	EXPECT_EQ(buffer->size(), 8192u);
	EXPECT_EQ(buffer->page_table().size(), 2u);
	auto one = ScatterGatherBuffer::lock(*device, 1);
	ASSERT_TRUE(one);
	EXPECT_EQ(one->page_table().size(), 1u);
	EXPECT_EQ(one->id(), 1);
}

TEST_F(SgBufferTest, RefusesNothing)
{
	auto empty = ScatterGatherBuffer::lock(*device, 0);
	ASSERT_FALSE(empty);
	EXPECT_EQ(empty.error().code(), EINVAL);
	auto huge = ScatterGatherBuffer::lock(*device, SIZE_MAX);
	ASSERT_FALSE(huge);
	EXPECT_EQ(huge.error().code(), EINVAL);
	EXPECT_TRUE(os.events_matching({ "ioctl", "mmap" }).empty());
}

TEST_F(SgBufferTest, UnlocksBeforeFreeingTheMemory)
{
	{
		auto buffer = ScatterGatherBuffer::lock(*device, 8192);
		ASSERT_TRUE(buffer);
	}
	EXPECT_EQ(os.events_matching({ "ioctl", "munmap" }),
		  (std::vector<std::string>{ "ioctl LOCK_BUFFER id=0 pages=2",
					     "ioctl UNLOCK_BUFFER id=0",
					     "munmap sg id=0" }));
}

TEST_F(SgBufferTest, ExplicitUnlockReportsAndIsNotRepeated)
{
	auto buffer = ScatterGatherBuffer::lock(*device, 8192);
	ASSERT_TRUE(buffer);
	EXPECT_TRUE(buffer->unlock());
	EXPECT_FALSE(buffer->locked());
	EXPECT_EQ(buffer->page_table().size(), 0u);
	EXPECT_TRUE(buffer->unlock());
	EXPECT_EQ(os.events_matching({ "ioctl UNLOCK" }).size(), 1u);

	auto second = ScatterGatherBuffer::lock(*device, 8192);
	ASSERT_TRUE(second);
	os.fail_ioctl(0xC0086301u, ENODEV);
	auto failed = second->unlock();
	ASSERT_FALSE(failed);
	EXPECT_EQ(failed.error().code(), ENODEV);
	EXPECT_TRUE(contains(failed.error().message(), "unlock buffer 1"));
	EXPECT_TRUE(contains(failed.error().message(), "removed"));
	/* The memory is freed all the same. */
	EXPECT_EQ(os.events_matching({ "munmap" }).back(), "munmap sg id=1");
}

TEST_F(SgBufferTest, ExplainsRlimitMemlockOnEnomem)
{
	os.fail_ioctl(0xC0086300u, ENOMEM);
	auto buffer = ScatterGatherBuffer::lock(*device, 64 << 20);
	ASSERT_FALSE(buffer);
	EXPECT_EQ(buffer.error().code(), ENOMEM);
	const std::string &m = buffer.error().message();
	EXPECT_TRUE(contains(m, "cannot lock a 64 MiB scatter/gather buffer"))
		<< m;
	EXPECT_TRUE(contains(m, "RLIMIT_MEMLOCK is 8 MiB (hard limit 8 MiB)"))
		<< m;
	EXPECT_TRUE(contains(m, "ulimit -l")) << m;
	EXPECT_TRUE(contains(m, "/etc/security/limits.conf")) << m;
	EXPECT_TRUE(contains(m, "CAP_IPC_LOCK")) << m;
	/* Nothing stays allocated. */
	EXPECT_EQ(
		os.events_matching({ "mmap", "munmap" }),
		(std::vector<std::string>{ "mmap anonymous", "munmap other" }));

	os.memlock = { UINT64_MAX, UINT64_MAX, false };
	os.fail_ioctl(0xC0086300u, ENOMEM);
	auto unlimited = ScatterGatherBuffer::lock(*device, 64 << 20);
	ASSERT_FALSE(unlimited);
	EXPECT_TRUE(contains(unlimited.error().message(),
			     "does not limit this process (unlimited)"));

	os.memlock = { 8 << 20, 8 << 20, true };
	os.fail_ioctl(0xC0086300u, ENOMEM);
	auto capable = ScatterGatherBuffer::lock(*device, 64 << 20);
	ASSERT_FALSE(capable);
	EXPECT_TRUE(contains(capable.error().message(), "(CAP_IPC_LOCK)"));
	EXPECT_TRUE(contains(capable.error().message(), "256 GiB"));
}

TEST_F(SgBufferTest, ExplainsTheDriversOtherErrors)
{
	const std::pair<int, const char *> cases[] = {
		{ EFAULT, "could not access the memory" },
		{ ENODEV, "board was removed" },
		{ EOPNOTSUPP, "swiotlb" },
		{ EINVAL, "refused the request" },
		{ ENOTTY, "does not know this request" },
		{ EIO, "EIO" },
	};
	for (const auto &[code, text] : cases) {
		os.fail_ioctl(0xC0086300u, code);
		auto buffer = ScatterGatherBuffer::lock(*device, 4096);
		ASSERT_FALSE(buffer) << code;
		EXPECT_EQ(buffer.error().code(), code);
		EXPECT_TRUE(contains(buffer.error().message(), text))
			<< buffer.error().message();
	}
	EXPECT_EQ(os.events_matching({ "mmap" }).size(),
		  os.events_matching({ "munmap" }).size());
}

TEST_F(SgBufferTest, ReportsAFailedAllocation)
{
	os.fail_anonymous_mmap(ENOMEM);
	auto buffer = ScatterGatherBuffer::lock(*device, 4096);
	ASSERT_FALSE(buffer);
	EXPECT_EQ(buffer.error().code(), ENOMEM);
	EXPECT_TRUE(
		contains(buffer.error().message(), "cannot allocate 4 KiB"));
	EXPECT_TRUE(os.events_matching({ "ioctl" }).empty());
}

TEST_F(SgBufferTest, UsesHugeTlbPagesWhenThereAreSome)
{
	os.hugetlb_available = true;
	ScatterGatherOptions huge;
	huge.huge_pages = true;
	auto buffer = ScatterGatherBuffer::lock(*device, 3 << 20, huge);
	ASSERT_TRUE(buffer) << buffer.error().message();
	EXPECT_EQ(buffer->backing(), PageBacking::huge_pages);
	EXPECT_EQ(buffer->size(), 4u << 20);
	EXPECT_EQ(buffer->page_table().size(), 1024u);
	EXPECT_EQ(os.events_matching({ "mmap" }),
		  std::vector<std::string>{ "mmap hugetlb" });
}

TEST_F(SgBufferTest, FallsBackToTransparentHugePages)
{
	ScatterGatherOptions huge;
	huge.huge_pages = true;
	auto buffer = ScatterGatherBuffer::lock(*device, 2 << 20, huge);
	ASSERT_TRUE(buffer) << buffer.error().message();
	EXPECT_EQ(buffer->backing(), PageBacking::transparent_huge_pages);
	EXPECT_EQ(reinterpret_cast<std::uintptr_t>(buffer->data()) %
			  kHugePageSize,
		  0u);
	EXPECT_EQ(buffer->size(), 2u << 20);
	auto events = os.events_matching({ "mmap", "madvise" });
	ASSERT_GE(events.size(), 3u);
	EXPECT_EQ(events[0], "mmap hugetlb ENOMEM");
	EXPECT_EQ(events[1], "mmap anonymous");
	EXPECT_EQ(events.back(), "madvise hugepage");

	os.thp_available = false;
	auto small = ScatterGatherBuffer::lock(*device, 2 << 20, huge);
	ASSERT_TRUE(small);
	EXPECT_EQ(small->backing(), PageBacking::small_pages);
	EXPECT_STREQ(to_string(small->backing()), "4 KiB pages");
}

TEST_F(SgBufferTest, MovesWithoutUnlockingTwice)
{
	auto locked = ScatterGatherBuffer::lock(*device, 8192);
	ASSERT_TRUE(locked);
	void *data = locked->data();
	ScatterGatherBuffer a = std::move(*locked);
	EXPECT_FALSE(locked->locked());
	EXPECT_EQ(locked->page_table().size(), 0u);
	EXPECT_EQ(a.data(), data);
	EXPECT_EQ(a.page_table().size(), 2u);
	ScatterGatherBuffer b = std::move(a);
	EXPECT_EQ(b.id(), 0);
	EXPECT_EQ(a.id(), -1);

	auto other = ScatterGatherBuffer::lock(*device, 4096);
	ASSERT_TRUE(other);
	b = std::move(*other); /* unlocks id 0 first */
	EXPECT_EQ(b.id(), 1);
	EXPECT_EQ(os.events_matching({ "ioctl UNLOCK", "munmap" }),
		  (std::vector<std::string>{ "ioctl UNLOCK_BUFFER id=0",
					     "munmap sg id=0" }));
	b = std::move(b);
	EXPECT_EQ(b.id(), 1);
}

TEST_F(SgBufferTest, NeedsAnOpenDevice)
{
	Device moved = std::move(*device);
	auto buffer = ScatterGatherBuffer::lock(*device, 4096);
	ASSERT_FALSE(buffer);
	EXPECT_EQ(buffer.error().code(), EBADF);
}

TEST_F(SgBufferTest, DestroyingTheDeviceFirstIsSafe)
{
	auto buffer = ScatterGatherBuffer::lock(*device, 4096);
	ASSERT_TRUE(buffer);
	device.reset();
	EXPECT_TRUE(os.node_is_open(node));
	buffer = Error(0, "replaced");
	EXPECT_FALSE(os.node_is_open(node));
	EXPECT_EQ(os.events_matching({ "ioctl UNLOCK", "munmap", "close" }),
		  (std::vector<std::string>{ "ioctl UNLOCK_BUFFER id=0",
					     "munmap sg id=0",
					     "close " + node }));
}

TEST_F(SgBufferTest, TheStatisticsFollowLocks)
{
	auto buffer = ScatterGatherBuffer::lock(*device, 3 * 4096);
	ASSERT_TRUE(buffer);
	auto stats = device->stats();
	ASSERT_TRUE(stats);
	EXPECT_EQ(stats->locked_buffers, 1u);
	EXPECT_EQ(stats->pinned_bytes, 3u * 4096);
	ASSERT_TRUE(buffer->unlock());
	EXPECT_EQ(device->stats()->pinned_bytes, 0u);
}

} // namespace
} // namespace crono::test
