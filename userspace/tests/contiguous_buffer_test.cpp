// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <cerrno>
#include <cstring>
#include <type_traits>

#include "crono/contiguous_buffer.hpp"
#include "crono/scatter_gather_buffer.hpp"
#include "fake_system.hpp"

namespace crono::test {
namespace {

static_assert(!std::is_copy_constructible_v<ContiguousBuffer>);
static_assert(std::is_nothrow_move_constructible_v<ContiguousBuffer>);

using ContigBufferTest = OpenBoardTest;

TEST_F(ContigBufferTest, LocksAndMapsAtIdPages)
{
	auto buffer = ContiguousBuffer::lock(*device, 10000);
	ASSERT_TRUE(buffer) << buffer.error().message();
	EXPECT_EQ(buffer->size(), 12288u);
	EXPECT_EQ(buffer->id(), 0);
	EXPECT_EQ(buffer->device_address(), 0x80000000u);
	std::memset(buffer->data(), 1, buffer->size());
	EXPECT_EQ(os.events_matching({ "ioctl", "mmap" }),
		  (std::vector<std::string>{ "ioctl LOCK_CONTIG_BUFFER id=0",
					     "mmap contig id=0" }));
	auto sg = ScatterGatherBuffer::lock(*device, 4096);
	ASSERT_TRUE(sg);
	auto second = ContiguousBuffer::lock(*device, 4096);
	ASSERT_TRUE(second);
	EXPECT_EQ(second->id(), 2);
	EXPECT_EQ(os.events_matching({ "mmap contig" }).back(),
		  "mmap contig id=2");
}

TEST_F(ContigBufferTest, UnmapsThenUnlocks)
{
	{
		auto buffer = ContiguousBuffer::lock(*device, 4096);
		ASSERT_TRUE(buffer);
	}
	EXPECT_EQ(os.events_matching({ "ioctl", "mmap", "munmap" }),
		  (std::vector<std::string>{
			  "ioctl LOCK_CONTIG_BUFFER id=0", "mmap contig id=0",
			  "munmap contig id=0",
			  "ioctl UNLOCK_CONTIG_BUFFER id=0" }));
	EXPECT_EQ(os.open_mappings(), 0u);
}

TEST_F(ContigBufferTest, UnlocksWhenTheMappingFails)
{
	os.fail_device_mmap(ENOMEM);
	auto buffer = ContiguousBuffer::lock(*device, 4096);
	ASSERT_FALSE(buffer);
	EXPECT_EQ(buffer.error().code(), ENOMEM);
	EXPECT_TRUE(
		contains(buffer.error().message(), "map contiguous buffer 0"));
	EXPECT_EQ(os.events_matching({ "ioctl" }),
		  (std::vector<std::string>{
			  "ioctl LOCK_CONTIG_BUFFER id=0",
			  "ioctl UNLOCK_CONTIG_BUFFER id=0" }));
	EXPECT_EQ(device->stats()->locked_buffers, 0u);
}

TEST_F(ContigBufferTest, ExplainsLockErrors)
{
	auto empty = ContiguousBuffer::lock(*device, 0);
	ASSERT_FALSE(empty);
	EXPECT_EQ(empty.error().code(), EINVAL);
	auto huge = ContiguousBuffer::lock(*device, SIZE_MAX);
	ASSERT_FALSE(huge);
	EXPECT_EQ(huge.error().code(), EINVAL);

	os.fail_ioctl(0xC0086303u, ENOMEM);
	auto nomem = ContiguousBuffer::lock(*device, 1 << 20);
	ASSERT_FALSE(nomem);
	EXPECT_TRUE(contains(nomem.error().message(),
			     "cannot lock a 1 MiB contiguous buffer"));
	EXPECT_TRUE(contains(nomem.error().message(), "RLIMIT_MEMLOCK"));

	os.fail_ioctl(0xC0086303u, ENODEV);
	auto removed = ContiguousBuffer::lock(*device, 4096);
	ASSERT_FALSE(removed);
	EXPECT_TRUE(contains(removed.error().message(), "removed"));
	EXPECT_TRUE(os.events_matching({ "mmap" }).empty());
}

TEST_F(ContigBufferTest, ReportsUnlockErrors)
{
	auto buffer = ContiguousBuffer::lock(*device, 4096);
	ASSERT_TRUE(buffer);
	os.fail_ioctl(0xC0086304u, EINVAL);
	auto failed = buffer->unlock();
	ASSERT_FALSE(failed);
	EXPECT_TRUE(contains(failed.error().message(),
			     "unlock contiguous buffer 0"));
	EXPECT_FALSE(buffer->locked());
	EXPECT_TRUE(buffer->unlock());
	EXPECT_EQ(os.open_mappings(), 0u);
}

TEST_F(ContigBufferTest, MovesWithoutUnlockingTwice)
{
	auto locked = ContiguousBuffer::lock(*device, 4096);
	ASSERT_TRUE(locked);
	const std::uint64_t address = locked->device_address();
	ContiguousBuffer a = std::move(*locked);
	EXPECT_FALSE(locked->locked());
	EXPECT_EQ(locked->device_address(), 0u);
	ContiguousBuffer b = std::move(a);
	EXPECT_EQ(b.device_address(), address);
	auto other = ContiguousBuffer::lock(*device, 4096);
	ASSERT_TRUE(other);
	b = std::move(*other);
	EXPECT_EQ(b.id(), 1);
	EXPECT_EQ(os.events_matching({ "ioctl UNLOCK", "munmap" }),
		  (std::vector<std::string>{
			  "munmap contig id=0",
			  "ioctl UNLOCK_CONTIG_BUFFER id=0" }));
}

TEST_F(ContigBufferTest, NeedsAnOpenDevice)
{
	device->close();
	auto buffer = ContiguousBuffer::lock(*device, 4096);
	ASSERT_FALSE(buffer);
	EXPECT_EQ(buffer.error().code(), EBADF);
}

TEST_F(ContigBufferTest, TheStatisticsFollowLocks)
{
	auto buffer = ContiguousBuffer::lock(*device, 5000);
	ASSERT_TRUE(buffer);
	EXPECT_EQ(device->stats()->coherent_bytes, 8192u);
	EXPECT_EQ(device->stats()->locked_buffers, 1u);
}

} // namespace
} // namespace crono::test
