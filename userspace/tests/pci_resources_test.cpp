// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <gtest/gtest.h>

#include <cerrno>

#include "crono/pci_resources.hpp"

namespace crono {
namespace {

const char kSample[] =
	"0x00000000fea00000 0x00000000feafffff 0x0000000000040200\n"
	"0x000000000000c000 0x000000000000c03f 0x0000000000040101\n"
	"0x0000004000000000 0x000000400007ffff 0x000000000014220c\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x00000000feb00000 0x00000000feb3ffff 0x0000000000046200\n";

TEST(PciResources, ParsesTheKernelsFormat)
{
	auto r = parse_pci_resources(kSample, "resource");
	ASSERT_TRUE(r) << r.error().message();
	ASSERT_EQ(r->size(), 7u);
	EXPECT_EQ((*r)[0].start, 0xfea00000u);
	EXPECT_EQ((*r)[0].size, 1u << 20);
	EXPECT_TRUE((*r)[0].is_memory());
	EXPECT_EQ((*r)[0].kind(), "mem 32-bit");
	EXPECT_EQ((*r)[1].kind(), "io");
	EXPECT_EQ((*r)[1].size, 64u);
	EXPECT_EQ((*r)[2].kind(), "mem 64-bit prefetchable");
	EXPECT_EQ((*r)[2].size, 512u << 10);
	EXPECT_FALSE((*r)[3].present());
	EXPECT_EQ((*r)[3].kind(), "unused");
	EXPECT_EQ((*r)[6].index, 6u);
}

TEST(PciResources, RefusesGarbageNamingFileAndLine)
{
	for (const char *text :
	     { "", "garbage\n", "0x0 0x1\n", "0x0 0x1 0x2 0x3\n",
	       "0x0 0x1 zz\n", "1 2 3\n",
	       "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	       "0x1 0x2\n",
	       "0x10000000000000000 0x1 0x0\n" }) {
		auto r = parse_pci_resources(text, "/sys/x/resource");
		ASSERT_FALSE(r) << text;
		EXPECT_EQ(r.error().code(), EINVAL);
		EXPECT_NE(r.error().message().find("/sys/x/resource"),
			  std::string::npos);
	}
	auto r = parse_pci_resources("0x0 0x1 0x0\n0x0 0x1 0x0\nbad\n", "f");
	ASSERT_FALSE(r);
	EXPECT_NE(r.error().message().find("line 3"), std::string::npos);
}

TEST(PciResources, RefusesARegionEndingBeforeItStarts)
{
	auto r = parse_pci_resources("0x2000 0x1000 0x200\n", "f");
	ASSERT_FALSE(r);
	EXPECT_NE(r.error().message().find("ends before it starts"),
		  std::string::npos);
}

} // namespace
} // namespace crono
