// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <cerrno>

#include "crono/discovery.hpp"
#include "fake_system.hpp"

namespace crono::test {
namespace {

using Discovery = FakeSystemTest;

TEST_F(Discovery, SaysTheDriverIsNotLoaded)
{
	auto boards = list_boards(context);
	ASSERT_FALSE(boards);
	EXPECT_EQ(boards.error().code(), ENOENT);
	EXPECT_TRUE(contains(boards.error().message(),
			     "crono_pci_drvmod driver is not loaded"));
	EXPECT_TRUE(contains(boards.error().message(),
			     "sudo modprobe crono_pci_drvmod"));
}

TEST_F(Discovery, ListsNothingWhenNothingIsBound)
{
	tree.load_driver();
	tree.add_board({ "0000:05:00.0", 0x1A13, 0x06, false });
	auto boards = list_boards(context);
	ASSERT_TRUE(boards) << boards.error().message();
	EXPECT_TRUE(boards->empty());
}

TEST_F(Discovery, ListsBoundBoardsSortedWithIdsModelAndNode)
{
	tree.load_driver();
	tree.add_board({ "0000:0a:00.0", 0x1A13, 0x0c });
	tree.add_board({ "0000:00:03.0", 0x1234, 0x11e8 });
	tree.add_board({ "0000:03:00.0", 0x1A13, 0x1f });
	auto boards = list_boards(context);
	ASSERT_TRUE(boards) << boards.error().message();
	ASSERT_EQ(boards->size(), 3u);

	const BoardInfo &edu = (*boards)[0];
	EXPECT_EQ(edu.address.to_string(), "0000:00:03.0");
	EXPECT_EQ(edu.vendor_id, 0x1234);
	EXPECT_EQ(edu.device_id, 0x11e8);
	EXPECT_EQ(edu.model, "QEMU edu (test device)");
	EXPECT_EQ(edu.node, "crono_11E8_0000030");
	EXPECT_TRUE(edu.node_registered);
	EXPECT_EQ(edu.node_path, tree.dev() + "/crono_11E8_0000030");
	EXPECT_EQ(edu.sysfs_dir, tree.sys() + "/bus/pci/devices/0000:00:03.0");

	EXPECT_EQ((*boards)[1].model, ""); /* cronologic, unknown id */
	EXPECT_EQ((*boards)[1].node, "crono_1F_0003000");
	EXPECT_EQ((*boards)[2].model, "xHPTDC8");
	EXPECT_EQ((*boards)[2].node, "crono_0C_000A000");
}

TEST_F(Discovery, TellsWhetherTheDriverRegisteredTheNode)
{
	tree.load_driver();
	BoardSpec spec;
	spec.registered = false;
	tree.add_board(spec);
	auto boards = list_boards(context);
	ASSERT_TRUE(boards);
	ASSERT_EQ(boards->size(), 1u);
	EXPECT_FALSE((*boards)[0].node_registered);
	EXPECT_EQ((*boards)[0].node, "crono_06_0003000");
}

TEST_F(Discovery, ReportsAnUnreadableDriverDirectory)
{
	tree.load_driver();
	os.fail_list(context.driver_dir(), EACCES);
	auto boards = list_boards(context);
	ASSERT_FALSE(boards);
	EXPECT_EQ(boards.error().code(), EACCES);
	EXPECT_TRUE(contains(boards.error().message(), "cannot list"));
	EXPECT_TRUE(contains(boards.error().message(), "EACCES"));
}

TEST_F(Discovery, ReportsUnreadableIdFilesWithTheirPath)
{
	tree.load_driver();
	tree.add_board({});
	const std::string vendor =
		context.driver_dir() + "/0000:03:00.0/vendor";
	os.fail_open(vendor, EACCES);
	auto boards = list_boards(context);
	ASSERT_FALSE(boards);
	EXPECT_EQ(boards.error().code(), EACCES);
	EXPECT_TRUE(
		contains(boards.error().message(), "cannot read " + vendor));

	os.fail_read(context.driver_dir() + "/0000:03:00.0/device", EIO);
	boards = list_boards(context);
	ASSERT_FALSE(boards);
	EXPECT_EQ(boards.error().code(), EIO);

	tree.remove(FakeSysfs::device_dir("0000:03:00.0") + "/device");
	boards = list_boards(context);
	ASSERT_FALSE(boards);
	EXPECT_EQ(boards.error().code(), ENOENT);
}

TEST_F(Discovery, RefusesGarbageInIdFiles)
{
	tree.load_driver();
	tree.add_board({});
	const std::string vendor =
		FakeSysfs::device_dir("0000:03:00.0") + "/vendor";
	for (const char *garbage :
	     { "", "\n", "1a13\n", "0x\n", "0x1a13x\n", "0x123456\n", "0xzz\n",
	       "0x1a13 0x1a13\n", "\x01\x02\x03" }) {
		tree.write(vendor, garbage);
		auto boards = list_boards(context);
		ASSERT_FALSE(boards) << garbage;
		EXPECT_EQ(boards.error().code(), EINVAL);
		EXPECT_TRUE(contains(boards.error().message(),
				     "unexpected contents in"));
		EXPECT_TRUE(contains(boards.error().message(), "hex id"));
	}
	tree.write(vendor, std::string(100000, 'x'));
	auto boards = list_boards(context);
	ASSERT_FALSE(boards);
	EXPECT_EQ(boards.error().code(), EFBIG);
}

TEST_F(Discovery, IgnoresTheDriverDirectorysOtherFiles)
{
	tree.load_driver();
	tree.write("bus/pci/drivers/crono_pci_driver/0000:zz:00.0", "");
	tree.add_board({});
	auto boards = list_boards(context);
	ASSERT_TRUE(boards) << boards.error().message();
	EXPECT_EQ(boards->size(), 1u);
}

TEST_F(Discovery, FindsABoardByAddressNodeOrPath)
{
	tree.load_driver();
	tree.add_board({});
	tree.add_board({ "0000:00:03.0", 0x1234, 0x11e8 });
	for (const std::string &name : std::vector<std::string>{
		     "0000:03:00.0", "03:00.0", "crono_06_0003000",
		     "/dev/crono_06_0003000",
		     tree.dev() + "/crono_06_0003000" }) {
		auto board = find_board(name, context);
		ASSERT_TRUE(board) << name << ": " << board.error().message();
		EXPECT_EQ(board->node, "crono_06_0003000") << name;
		EXPECT_EQ(board->model, "xTDC4");
	}
}

TEST_F(Discovery, ExplainsBoardsItCannotFind)
{
	auto absent = find_board("0000:03:00.0", context);
	ASSERT_FALSE(absent);
	EXPECT_TRUE(contains(absent.error().message(), "not loaded"));

	tree.load_driver();
	tree.add_board({ "0000:05:00.0", 0x8086, 0x1533, false });
	auto unbound = find_board("05:00.0", context);
	ASSERT_FALSE(unbound);
	EXPECT_EQ(unbound.error().code(), ENODEV);
	EXPECT_TRUE(contains(unbound.error().message(),
			     "not bound to crono_pci_driver"));
	EXPECT_TRUE(contains(unbound.error().message(), "new_id"));

	auto nothing = find_board("0000:07:00.0", context);
	ASSERT_FALSE(nothing);
	EXPECT_EQ(nothing.error().code(), ENOENT);
	EXPECT_TRUE(contains(nothing.error().message(), "no PCI device"));

	auto node = find_board("crono_06_0009000", context);
	ASSERT_FALSE(node);
	EXPECT_EQ(node.error().code(), ENOENT);
	EXPECT_TRUE(contains(node.error().message(), "cronoctl list"));

	auto garbage = find_board("eth0", context);
	ASSERT_FALSE(garbage);
	EXPECT_EQ(garbage.error().code(), EINVAL);
	EXPECT_TRUE(contains(garbage.error().message(), "PCI address"));
}

} // namespace
} // namespace crono::test
