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

TEST(MiscName, FormatsEachLocation)
{
	const size_t abi = CRONO_DEV_NAME_MAX_SIZE;
	struct Case {
		PciAddress addr;
		size_t size;
		const char *name;
	} cases[] = {
		/* The ABI's example: device 0x06 at 0000:03:00.0. */
		{ { 0x06, 0, 3, 0, 0 }, abi, "crono_06_0003000" },
		/* Small values are padded to their minimum width. */
		{ { 0x1, 0, 0, 0, 0 }, abi, "crono_01_0000000" },
		{ { 0xd, 0x1, 0xa, 0x1f, 7 }, abi, "crono_0D_010A1F7" },
		{ { 0x0, 0, 0, 0, 0 }, abi, "crono_00_0000000" },
		/* Hex digits are upper case. */
		{ { 0xab, 0xcd, 0xef, 0x1b, 0xf }, abi, "crono_AB_CDEF1BF" },
		/* A wide device id (QEMU's edu device, bound through new_id)
		 * prints all its digits. */
		{ { 0x11E8, 0, 0, 4, 0 }, abi, "crono_11E8_0000040" },
		{ { 0x100, 0, 0, 0, 0 }, abi, "crono_100_0000000" },
		/* So does a domain above 0xFF. */
		{ { 0x06, 0x100, 3, 0, 0 }, abi, "crono_06_10003000" },
		{ { 0x06, 0x10000, 0, 0, 1 }, abi, "crono_06_1000000001" },
		{ { 0xffffffff, 0xffffffff, 0xff, 0x1f, 7 },
		  64,
		  "crono_FFFFFFFF_FFFFFFFFFF1F7" },
		/* An exact fit: 16 characters and the NUL. */
		{ { 0x06, 0, 3, 0, 0 }, 17, "crono_06_0003000" },
	};
	for (const Case &c : cases) {
		const auto named = name_of(c.addr, c.size);
		EXPECT_EQ(named.err, 0) << c.name;
		EXPECT_EQ(named.name, c.name);
	}
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
