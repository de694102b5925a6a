// SPDX-License-Identifier: GPL-2.0
/* kernel/misc_name.*: "crono_%02X_%02X%02X%02X%01X". */
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "crono_pci_drvmod.h"
#include "cxxrt/errno.h"
#include "misc_name.h"

using crono::PciAddress;

namespace {

struct Named {
	int err;
	std::string name;
};

Named name_of(const PciAddress &a, size_t size = CRONO_DEV_NAME_MAX_SIZE)
{
	char buf[64];
	std::memset(buf, 'x', sizeof(buf));
	const int err = crono::format_misc_name(a, crono::Span<char>(buf, size))
				.to_errno();
	if (size == 0) {
		EXPECT_EQ(buf[0], 'x') << "nothing written to an empty buffer";
		return { err, std::string() };
	}
	EXPECT_NE(std::memchr(buf, '\0', size), nullptr)
		<< "the result must be NUL-terminated inside the buffer";
	return { err, std::string(buf) };
}

} // namespace

TEST(MiscName, TheAbiExample)
{
	/* device 0x06 at 0000:03:00.0 */
	EXPECT_EQ(name_of({ 0x06, 0, 3, 0, 0 }).name, "crono_06_0003000");
}

TEST(MiscName, SmallValuesArePaddedToTheirMinimumWidth)
{
	EXPECT_EQ(name_of({ 0x1, 0, 0, 0, 0 }).name, "crono_01_0000000");
	EXPECT_EQ(name_of({ 0xd, 0x1, 0xa, 0x1f, 7 }).name, "crono_0D_010A1F7");
	EXPECT_EQ(name_of({ 0x0, 0, 0, 0, 0 }).name, "crono_00_0000000");
}

TEST(MiscName, HexDigitsAreUpperCase)
{
	EXPECT_EQ(name_of({ 0xab, 0xcd, 0xef, 0x1b, 0xf }).name,
		  "crono_AB_CDEF1BF");
}

TEST(MiscName, WideDeviceIdPrintsAllItsDigits)
{
	/* QEMU's edu device, bound through new_id. */
	EXPECT_EQ(name_of({ 0x11E8, 0, 0, 4, 0 }).name, "crono_11E8_0000040");
	EXPECT_EQ(name_of({ 0x100, 0, 0, 0, 0 }).name, "crono_100_0000000");
}

TEST(MiscName, DomainAboveFFPrintsAllItsDigits)
{
	EXPECT_EQ(name_of({ 0x06, 0x100, 3, 0, 0 }).name, "crono_06_10003000");
	EXPECT_EQ(name_of({ 0x06, 0x10000, 0, 0, 1 }).name,
		  "crono_06_1000000001");
	EXPECT_EQ(name_of({ 0xffffffff, 0xffffffff, 0xff, 0x1f, 7 }, 64).name,
		  "crono_FFFFFFFF_FFFFFFFFFF1F7");
}

TEST(MiscName, ExactFitIncludingTheNul)
{
	/* "crono_06_0003000" is 16 characters. */
	const auto fits = name_of({ 0x06, 0, 3, 0, 0 }, 17);
	EXPECT_EQ(fits.err, 0);
	EXPECT_EQ(fits.name, "crono_06_0003000");
}

TEST(MiscName, BufferTooSmallIsAnErrorWithAnEmptyString)
{
	for (size_t size : { 1, 2, 6, 15, 16 }) {
		const auto r = name_of({ 0x06, 0, 3, 0, 0 }, size);
		EXPECT_EQ(r.err, -ENAMETOOLONG) << size;
		EXPECT_EQ(r.name, "") << size;
	}
	EXPECT_EQ(name_of({ 0x06, 0, 3, 0, 0 }, 0).err, -ENAMETOOLONG);
	/* The widest values do not fit the ABI's 32 bytes. */
	const auto wide = name_of(
		{ 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff });
	EXPECT_EQ(wide.err, -ENAMETOOLONG);
	EXPECT_EQ(wide.name, "");
}
