// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The edu DMA helper against a BAR0 that is a plain file: registers read
 * back what was written, so a transfer never completes, but what it wrote
 * (and what it refused to write) is visible. */
#include <cerrno>

#include "crono/bar_mapping.hpp"
#include "edu_dma.hpp"
#include "fake_system.hpp"

namespace crono::test {
namespace {

using cronoctl::EduDma;

TEST(EduDmaRange, StaysStrictlyInsideTheDeviceBuffer)
{
	EXPECT_TRUE(EduDma::inside_buffer(0x40000, 2048));
	EXPECT_TRUE(EduDma::inside_buffer(0x40000, 4095));
	EXPECT_FALSE(
		EduDma::inside_buffer(0x40000, 4096)); /* reaches 0x41000 */
	EXPECT_FALSE(EduDma::inside_buffer(0x40800, 2048));
	EXPECT_FALSE(EduDma::inside_buffer(0x40fff, 1));
	EXPECT_TRUE(EduDma::inside_buffer(0x40ffe, 1));
	EXPECT_FALSE(EduDma::inside_buffer(0x3ffff, 2));
	EXPECT_FALSE(EduDma::inside_buffer(0x41000, 1));
	EXPECT_FALSE(EduDma::inside_buffer(0x40000, 0));
	EXPECT_FALSE(EduDma::inside_buffer(UINT64_MAX, 4));
}

class EduDmaTest : public OneBoardTest {
protected:
	void SetUp() override
	{
		OneBoardTest::SetUp();
		auto mapped = BarMapping::map({ 0, 3, 0, 0 }, 0, context);
		ASSERT_TRUE(mapped) << mapped.error().message();
		bar.emplace(std::move(*mapped));
	}
	std::optional<BarMapping> bar;
};

TEST_F(EduDmaTest, RefusesTransfersReachingTheBufferEndWithoutTouchingIt)
{
	EduDma dma(*bar, std::chrono::milliseconds(5));
	auto whole = dma.ram_to_device(0x1000, 0x40000, 4096);
	ASSERT_FALSE(whole);
	EXPECT_EQ(whole.error().code(), EINVAL);
	EXPECT_TRUE(contains(whole.error().message(), "strictly inside"));
	EXPECT_FALSE(dma.device_to_ram(0x40800, 0x1000, 2048));
	EXPECT_FALSE(dma.device_to_ram(0x3f000, 0x1000, 16));
	for (std::uint64_t reg : { EduDma::kSource, EduDma::kDestination,
				   EduDma::kCount, EduDma::kCommand })
		EXPECT_EQ(*bar->read64(reg), 0u) << reg;
}

TEST_F(EduDmaTest, ProgramsTheEngineAndTimesOutWhenItNeverFinishes)
{
	EduDma dma(*bar, std::chrono::milliseconds(5));
	auto r = dma.device_to_ram(0x40000, 0x12345000, 2048);
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().code(), ETIMEDOUT);
	EXPECT_EQ(*bar->read64(EduDma::kSource), 0x40000u);
	EXPECT_EQ(*bar->read64(EduDma::kDestination), 0x12345000u);
	EXPECT_EQ(*bar->read32(EduDma::kCount), 2048u);
	EXPECT_EQ(*bar->read32(EduDma::kCommand),
		  EduDma::kStart | EduDma::kToRam);
	/* Still "running": the next transfer does not touch the registers. */
	auto next = dma.copy_page(0x1000, 0x2000);
	ASSERT_FALSE(next);
	EXPECT_EQ(*bar->read64(EduDma::kSource), 0x40000u);
}

TEST_F(EduDmaTest, IdentifiesTheDevice)
{
	EduDma dma(*bar);
	auto none = dma.identify();
	ASSERT_FALSE(none);
	EXPECT_EQ(none.error().code(), ENODEV);
	ASSERT_TRUE(bar->write32(EduDma::kIdentification, 0x010000ed));
	auto id = dma.identify();
	ASSERT_TRUE(id);
	EXPECT_EQ(*id, 0x010000edu);
}

TEST_F(EduDmaTest, CopiesAPageStartingWithItsFirstHalfIntoTheBufferStart)
{
	/* A file never finishes a transfer: the registers show the first
	 * step of the copy, RAM to 0x40000, 2048 bytes. */
	EduDma dma(*bar, std::chrono::milliseconds(5));
	auto r = dma.copy_page(0x10000, 0x20000);
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().code(), ETIMEDOUT);
	EXPECT_EQ(*bar->read64(EduDma::kSource), 0x10000u);
	EXPECT_EQ(*bar->read64(EduDma::kDestination), 0x40000u);
	EXPECT_EQ(*bar->read32(EduDma::kCount), 2048u);
	EXPECT_EQ(*bar->read32(EduDma::kCommand), EduDma::kStart);
}

} // namespace
} // namespace crono::test
