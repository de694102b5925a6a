// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <gtest/gtest.h>

#include "crono/pci_address.hpp"

namespace crono {
namespace {

TEST(PciAddress, ParsesSysfsAndLspciForms)
{
	auto a = PciAddress::parse("0000:03:00.0");
	ASSERT_TRUE(a);
	EXPECT_EQ(a->domain, 0u);
	EXPECT_EQ(a->bus, 3u);
	EXPECT_EQ(a->slot, 0u);
	EXPECT_EQ(a->function, 0u);

	auto b = PciAddress::parse("00:1f.7");
	ASSERT_TRUE(b);
	EXPECT_EQ(b->domain, 0u);
	EXPECT_EQ(b->bus, 0u);
	EXPECT_EQ(b->slot, 0x1fu);
	EXPECT_EQ(b->function, 7u);

	auto c = PciAddress::parse("10000:Ab:03.1");
	ASSERT_TRUE(c);
	EXPECT_EQ(c->domain, 0x10000u);
	EXPECT_EQ(c->bus, 0xabu);
	EXPECT_EQ(c->to_string(), "10000:ab:03.1");
}

TEST(PciAddress, RefusesWhatIsNoAddress)
{
	for (const char *text :
	     { "", "0", "bind", "new_id", "crono_06_0003000", "0000:03:00",
	       "0000:03:00.8", "0000:03:20.0", "0000:003:00.0", "0000:03:00.0 ",
	       "0000:03:00.00", "g000:03:00.0", "0000::00.0", ":03:00.0",
	       "1:2:3:4.0", "0000:03.00.0" })
		EXPECT_FALSE(PciAddress::parse(text).has_value()) << text;
}

TEST(PciAddress, PrintsAsSysfsNamesIt)
{
	PciAddress a{ 0, 3, 0, 0 };
	EXPECT_EQ(a.to_string(), "0000:03:00.0");
	EXPECT_EQ((PciAddress{ 0x12, 0xff, 0x1f, 7 }).to_string(),
		  "0012:ff:1f.7");
}

TEST(PciAddress, OrdersByDomainBusSlotFunction)
{
	EXPECT_LT((PciAddress{ 0, 0, 3, 0 }), (PciAddress{ 0, 0, 4, 0 }));
	EXPECT_LT((PciAddress{ 0, 0, 31, 7 }), (PciAddress{ 0, 1, 0, 0 }));
	EXPECT_LT((PciAddress{ 0, 9, 0, 0 }), (PciAddress{ 1, 0, 0, 0 }));
	EXPECT_LT((PciAddress{ 0, 0, 3, 0 }), (PciAddress{ 0, 0, 3, 1 }));
	EXPECT_EQ((PciAddress{ 1, 2, 3, 4 }), (PciAddress{ 1, 2, 3, 4 }));
	EXPECT_NE((PciAddress{ 1, 2, 3, 4 }), (PciAddress{ 1, 2, 3, 5 }));
}

} // namespace
} // namespace crono
