// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <cerrno>

#include "cronoctl_harness.hpp"

namespace crono::test {
namespace {

class CronoctlList : public CronoctlTest {
protected:
	void add_two_boards()
	{
		tree.load_driver();
		tree.add_board({ "0000:00:03.0", 0x1234, 0x11e8 });
		tree.add_board({ "0000:03:00.0", 0x1A13, 0x0c });
		tree.write("class/misc/crono_0C_0003000/locked_buffers", "2\n");
		tree.write("class/misc/crono_0C_0003000/pinned_bytes",
			   "1073741824\n");
		tree.write("class/misc/crono_0C_0003000/coherent_bytes",
			   "65536\n");
	}
};

TEST_F(CronoctlList, PrintsATable)
{
	add_two_boards();
	CliRun r = run({ "list" });
	EXPECT_EQ(r.status, 0) << r.err;
	EXPECT_EQ(r.err, "");
	const std::string dev = tree.dev();
	EXPECT_EQ(r.out,
		  "PCI ADDRESS   ID         MODEL                   NODE" +
			  std::string(dev.size() + 17, ' ') +
			  "BUFFERS   PINNED\n"
			  "0000:00:03.0  1234:11e8  QEMU edu (test device)  " +
			  dev +
			  "/crono_11E8_0000030        0  0 bytes\n"
			  "0000:03:00.0  1a13:000c  xHPTDC8                 " +
			  dev + "/crono_0C_0003000          2    1 GiB\n");
}

TEST_F(CronoctlList, PrintsJson)
{
	add_two_boards();
	CliRun r = run({ "list", "--json" });
	EXPECT_EQ(r.status, 0) << r.err;
	const std::string dev = tree.dev();
	EXPECT_EQ(r.out,
		  "[\n"
		  "  {\"pci_address\": \"0000:00:03.0\", \"vendor_id\": "
		  "\"0x1234\", \"device_id\": \"0x11e8\", \"model\": \"QEMU "
		  "edu (test device)\", \"node\": \"crono_11E8_0000030\", "
		  "\"node_path\": \"" +
			  dev +
			  "/crono_11E8_0000030\", \"node_registered\": true, "
			  "\"locked_buffers\": 0, \"pinned_bytes\": 0, "
			  "\"coherent_bytes\": 0},\n"
			  "  {\"pci_address\": \"0000:03:00.0\", "
			  "\"vendor_id\": \"0x1a13\", \"device_id\": "
			  "\"0x000c\", \"model\": \"xHPTDC8\", \"node\": "
			  "\"crono_0C_0003000\", \"node_path\": \"" +
			  dev +
			  "/crono_0C_0003000\", \"node_registered\": true, "
			  "\"locked_buffers\": 2, \"pinned_bytes\": "
			  "1073741824, \"coherent_bytes\": 65536}\n"
			  "]\n");
}

TEST_F(CronoctlList, ShowsUnknownModelsUnregisteredNodesAndUnreadableStats)
{
	tree.load_driver();
	BoardSpec spec;
	spec.device = 0x1f;
	spec.registered = false;
	tree.add_board(spec);
	CliRun r = run({ "list" });
	EXPECT_EQ(r.status, 0);
	EXPECT_TRUE(contains(r.out, "1a13:001f  -      "));
	EXPECT_TRUE(contains(r.out, "/crono_1F_0003000 (not registered)"));
	EXPECT_TRUE(contains(r.out, "?       ?\n")) << r.out;
	CliRun json = run({ "list", "--json" });
	EXPECT_TRUE(contains(json.out, "\"model\": null"));
	EXPECT_TRUE(contains(json.out, "\"node_registered\": false"));
	EXPECT_TRUE(contains(json.out, "\"locked_buffers\": null"));
}

TEST_F(CronoctlList, SaysWhenNoBoardIsBound)
{
	tree.load_driver();
	CliRun r = run({ "list" });
	EXPECT_EQ(r.status, 0);
	EXPECT_TRUE(contains(r.out, "No boards: the driver is loaded"));
	EXPECT_TRUE(contains(r.out, "new_id"));
	CliRun json = run({ "list", "--json" });
	EXPECT_EQ(json.out, "[]\n");
}

TEST_F(CronoctlList, SaysWhenTheDriverIsNotLoaded)
{
	for (auto args : { std::vector<std::string>{ "list" },
			   std::vector<std::string>{ "list", "--json" } }) {
		CliRun r = run(args);
		EXPECT_EQ(r.status, 1);
		EXPECT_EQ(r.out, "");
		EXPECT_EQ(r.err, "cronoctl: the crono_pci_drvmod driver is not "
				 "loaded (there is no " +
					 tree.sys() +
					 "/bus/pci/drivers/crono_pci_driver); "
					 "load it with: sudo modprobe "
					 "crono_pci_drvmod\n");
	}
}

TEST_F(CronoctlList, ReportsABrokenTree)
{
	tree.load_driver();
	tree.add_board({});
	tree.write(FakeSysfs::device_dir("0000:03:00.0") + "/device", "six\n");
	CliRun r = run({ "list" });
	EXPECT_EQ(r.status, 1);
	EXPECT_TRUE(contains(r.err, "unexpected contents in"));
	EXPECT_TRUE(contains(r.err, "\"six\""));
}

TEST_F(CronoctlList, RefusesUnknownOptions)
{
	tree.load_driver();
	CliRun r = run({ "list", "--jsn" });
	EXPECT_EQ(r.status, 2);
	EXPECT_TRUE(contains(r.err, "list: unknown option '--jsn'"));
}

} // namespace
} // namespace crono::test
