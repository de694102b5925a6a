// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <gtest/gtest.h>

#include "crono/units.hpp"

namespace crono {
namespace {

TEST(FormatBytes, PicksTheLargestWholeUnit)
{
	EXPECT_EQ(format_bytes(0), "0 bytes");
	EXPECT_EQ(format_bytes(1), "1 byte");
	EXPECT_EQ(format_bytes(1023), "1023 bytes");
	EXPECT_EQ(format_bytes(4096), "4 KiB");
	EXPECT_EQ(format_bytes(64u << 20), "64 MiB");
	EXPECT_EQ(format_bytes(3ull << 29), "1.5 GiB");
	EXPECT_EQ(format_bytes(256ull << 30), "256 GiB");
	EXPECT_EQ(format_bytes(5ull << 40), "5 TiB");
	EXPECT_EQ(format_bytes(4097), "4.0 KiB");
}

TEST(ParseBytes, TakesBinarySuffixes)
{
	EXPECT_EQ(parse_bytes("4096"), 4096u);
	EXPECT_EQ(parse_bytes("64K"), 64u << 10);
	EXPECT_EQ(parse_bytes("64k"), 64u << 10);
	EXPECT_EQ(parse_bytes("4M"), 4u << 20);
	EXPECT_EQ(parse_bytes("2MiB"), 2u << 20);
	EXPECT_EQ(parse_bytes("1G"), 1u << 30);
	EXPECT_EQ(parse_bytes("1T"), 1ull << 40);
	EXPECT_EQ(parse_bytes("12B"), 12u);
}

TEST(ParseBytes, RefusesGarbageAndOverflow)
{
	for (const char *text : { "", "M", "-4M", "4Q", "4 M", "0x10", "4MB",
				  "99999999999999999999", "17179869184G" })
		EXPECT_FALSE(parse_bytes(text).has_value()) << text;
}

} // namespace
} // namespace crono
