// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <gtest/gtest.h>

#include "crono/models.hpp"

namespace crono {
namespace {

TEST(Models, NamesEveryKnownCronologicBoard)
{
	const std::pair<std::uint16_t, const char *> known[] = {
		{ 0x01, "HPTDC" },	 { 0x02, "Ndigo5G-10" },
		{ 0x03, "Ndigo AVRG" },	 { 0x04, "Ndigo250M" },
		{ 0x06, "xTDC4" },	 { 0x07, "FMC-TDC10" },
		{ 0x08, "TimeTagger4" }, { 0x09, "D-AVE12" },
		{ 0x0a, "D-AVE14" },	 { 0x0b, "Ndigo2G-14" },
		{ 0x0c, "xHPTDC8" },	 { 0x0d, "Ndigo6G-12" },
	};
	for (const auto &[id, name] : known)
		EXPECT_EQ(model_name(0x1A13, id), name) << id;
}

TEST(Models, UnknownIdsHaveNoName)
{
	EXPECT_EQ(model_name(0x1A13, 0x05), "");
	EXPECT_EQ(model_name(0x1A13, 0x20), "");
	EXPECT_EQ(model_name(0x8086, 0x06), "");
	EXPECT_EQ(model_name(0x1234, 0x11e9), "");
}

TEST(Models, KnowsQemuEdu)
{
	EXPECT_TRUE(is_edu(0x1234, 0x11e8));
	EXPECT_FALSE(is_edu(0x1A13, 0x11e8));
	EXPECT_EQ(model_name(0x1234, 0x11e8), "QEMU edu (test device)");
}

TEST(MiscNodeName, FormatsAsTheDriverDoes)
{
	/* The examples of docs/abi.md, Device nodes. */
	EXPECT_EQ(misc_node_name(0x06, { 0, 3, 0, 0 }), "crono_06_0003000");
	EXPECT_EQ(misc_node_name(0x11e8, { 0, 0, 3, 0 }), "crono_11E8_0000030");
	EXPECT_EQ(misc_node_name(0x0d, { 0x12, 0xab, 0x1f, 7 }),
		  "crono_0D_12AB1F7");
	/* Minimum widths, not maximum. */
	EXPECT_EQ(misc_node_name(0x0c, { 0x10000, 1, 2, 3 }),
		  "crono_0C_1000001023");
}

} // namespace
} // namespace crono
