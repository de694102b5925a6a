// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <gtest/gtest.h>

#include <cerrno>
#include <vector>

#include "crono/cleanup_program.hpp"

namespace crono {
namespace {

constexpr std::uint64_t kBar0 = 1 << 20;

Result<void> validate(const std::vector<RegisterWrite> &writes,
		      std::uint64_t bar0 = kBar0)
{
	return validate_cleanup_program(writes, bar0);
}

TEST(CleanupProgram, AcceptsNothingToSixteenAlignedWritesInsideBar0)
{
	EXPECT_TRUE(validate({}));
	std::vector<RegisterWrite> writes;
	for (std::uint32_t i = 0; i < 16; i++)
		writes.push_back({ i * 4, i });
	EXPECT_TRUE(validate(writes));
	EXPECT_TRUE(validate({ { static_cast<std::uint32_t>(kBar0 - 4), 0 } }));
	EXPECT_TRUE(validate({ { 0, 0 } }, 4));
}

TEST(CleanupProgram, RefusesSeventeenWrites)
{
	std::vector<RegisterWrite> writes(17, RegisterWrite{ 0, 0 });
	auto r = validate(writes);
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().code(), EINVAL);
	EXPECT_NE(r.error().message().find("at most 16"), std::string::npos);
}

TEST(CleanupProgram, RefusesUnalignedOffsetsNamingTheWrite)
{
	for (std::uint32_t offset : { 1u, 2u, 3u, 6u, 0xfffffu }) {
		auto r = validate({ { 0, 0 }, { offset, 0 } });
		ASSERT_FALSE(r) << offset;
		EXPECT_EQ(r.error().code(), EINVAL);
		EXPECT_NE(r.error().message().find("write 1"),
			  std::string::npos);
		EXPECT_NE(r.error().message().find("aligned"),
			  std::string::npos);
	}
}

TEST(CleanupProgram, RefusesOffsetsOutsideBar0)
{
	for (std::uint32_t offset :
	     { std::uint32_t(kBar0), 0x7ffffffcu, 0xfffffffcu }) {
		auto r = validate({ { offset, 0 } });
		ASSERT_FALSE(r) << offset;
		EXPECT_NE(r.error().message().find("outside BAR0"),
			  std::string::npos);
	}
	/* No BAR0 (or not a memory BAR): nothing can be written. */
	EXPECT_FALSE(validate({ { 0, 0 } }, 0));
	EXPECT_FALSE(validate({ { 0, 0 } }, 3));
	/* 0xfffffffc + 4 does not wrap in 64 bits. */
	EXPECT_TRUE(validate({ { 0xfffffffcu, 0 } }, 1ull << 32));
}

} // namespace
} // namespace crono
