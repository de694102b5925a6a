// SPDX-License-Identifier: GPL-2.0 OR MIT
/* BAR access through resource0, here a sparse regular file of the BAR's
 * size, so every write can be checked in the file afterwards. */
#include <cerrno>
#include <cstdint>
#include <fstream>

#include "crono/bar_mapping.hpp"
#include "crono/device.hpp"
#include "fake_system.hpp"

namespace crono::test {
namespace {

class BarMappingTest : public OneBoardTest {
protected:
	PciAddress address{ 0, 3, 0, 0 };
	/* As the library names it, through bus/pci/devices. */
	std::string resource0 =
		tree.path("bus/pci/devices/0000:03:00.0/resource0");

	std::uint32_t file_word(std::uint64_t offset)
	{
		std::ifstream in(resource0, std::ios::binary);
		in.seekg(static_cast<std::streamoff>(offset));
		std::uint32_t word = 0;
		in.read(reinterpret_cast<char *>(&word), sizeof word);
		return word;
	}
};

TEST_F(BarMappingTest, ReadsAndWritesRegisters)
{
	auto bar = BarMapping::map(address, 0, context);
	ASSERT_TRUE(bar) << bar.error().message();
	EXPECT_EQ(bar->size(), 1u << 20);
	ASSERT_TRUE(bar->write32(0x04, 0xdeadbeef));
	EXPECT_EQ(*bar->read32(0x04), 0xdeadbeefu);
	ASSERT_TRUE(bar->write64(0x80, 0x0123456789abcdefull));
	EXPECT_EQ(*bar->read64(0x80), 0x0123456789abcdefull);
	EXPECT_EQ(*bar->read32(0x80), 0x89abcdefu);
	ASSERT_TRUE(bar->write32((1 << 20) - 4, 0x55aa55aa));
	ASSERT_TRUE(bar->write64((1 << 20) - 8, 0x1111222233334444ull));
	EXPECT_EQ(file_word(0x04), 0xdeadbeefu);
	EXPECT_EQ(file_word((1 << 20) - 4), 0x11112222u);
}

TEST_F(BarMappingTest, ChecksBoundsAndAlignment)
{
	auto bar = BarMapping::map(address, 0, context);
	ASSERT_TRUE(bar);
	const std::uint64_t size = bar->size();
	struct Case {
		std::uint64_t offset;
		unsigned width;
		int code;
	} cases[] = {
		{ size, 4, ERANGE },
		{ size - 2, 4, EINVAL },
		{ size - 4, 8, EINVAL },
		{ size, 8, ERANGE },
		{ size + 4096, 4, ERANGE },
		{ UINT64_MAX - 3, 4, ERANGE }, /* offset + 4 wraps to 0 */
		{ UINT64_MAX - 7, 8, ERANGE },
		{ UINT64_MAX, 4, EINVAL },
		{ 2, 4, EINVAL },
		{ 4, 8, EINVAL },
	};
	for (const Case &c : cases) {
		Result<void> write = c.width == 4 ? bar->write32(c.offset, 1)
						  : bar->write64(c.offset, 1);
		ASSERT_FALSE(write) << c.offset;
		EXPECT_EQ(write.error().code(), c.code) << c.offset;
		auto read = c.width == 4 ? bar->read32(c.offset).ok()
					 : bar->read64(c.offset).ok();
		EXPECT_FALSE(read) << c.offset;
	}
	auto out = bar->read32(size);
	EXPECT_TRUE(contains(out.error().message(), "outside the BAR"));
	auto unaligned = bar->read32(2);
	EXPECT_TRUE(contains(unaligned.error().message(), "aligned"));
}

TEST_F(BarMappingTest, ExplainsWhyItCannotMap)
{
	auto bar5 = BarMapping::map(address, 5, context);
	ASSERT_FALSE(bar5);
	EXPECT_EQ(bar5.error().code(), ENOENT);
	EXPECT_TRUE(contains(bar5.error().message(), "has no BAR5"));

	auto bar9 = BarMapping::map(address, 9, context);
	ASSERT_FALSE(bar9);
	EXPECT_EQ(bar9.error().code(), EINVAL);

	os.fail_open(resource0, EACCES);
	auto denied = BarMapping::map(address, 0, context);
	ASSERT_FALSE(denied);
	EXPECT_EQ(denied.error().code(), EACCES);
	EXPECT_TRUE(contains(denied.error().message(), "needs root"));

	tree.write(FakeSysfs::device_dir("0000:03:00.0") + "/resource0", "");
	auto empty = BarMapping::map(address, 0, context);
	ASSERT_FALSE(empty);
	EXPECT_EQ(empty.error().code(), ENODEV);
}

TEST_F(BarMappingTest, MovesTheMappingAndUnmapsItOnce)
{
	auto mapped = BarMapping::map(address, 0, context);
	ASSERT_TRUE(mapped);
	BarMapping a = std::move(*mapped);
	EXPECT_FALSE(mapped->mapped());
	BarMapping b = std::move(a);
	EXPECT_FALSE(a.mapped());
	EXPECT_TRUE(b.mapped());
	auto moved = a.read32(0);
	ASSERT_FALSE(moved);
	EXPECT_EQ(moved.error().code(), EBADF);
	EXPECT_TRUE(b.write32(0, 5));
	auto second = BarMapping::map(address, 0, context);
	ASSERT_TRUE(second);
	b = std::move(*second);
	EXPECT_EQ(*b.read32(0), 5u);
	EXPECT_EQ(os.events_matching({ "munmap" }),
		  std::vector<std::string>{ "munmap file" });
}

TEST_F(BarMappingTest, TheDeviceMapsItsBar0)
{
	auto device = Device::open(node, context);
	ASSERT_TRUE(device);
	auto bar = device->map_bar0();
	ASSERT_TRUE(bar);
	EXPECT_EQ(bar->size(), device->bar0_size());
}

} // namespace
} // namespace crono::test
