// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "cronoctl_harness.hpp"

namespace crono::test {
namespace {

using CronoctlInfo = CronoctlTest;

TEST_F(CronoctlInfo, ShowsIdsBarsNodeAndBuffers)
{
	tree.load_driver();
	tree.add_board({});
	tree.write("class/misc/crono_06_0003000/locked_buffers", "1\n");
	tree.write("class/misc/crono_06_0003000/pinned_bytes", "4194304\n");
	CliRun r = run({ "info", "03:00.0" });
	EXPECT_EQ(r.status, 0) << r.err;
	EXPECT_EQ(r.out,
		  "crono_06_0003000\n"
		  "  PCI address     0000:03:00.0\n"
		  "  vendor:device   1a13:0006 (xTDC4)\n"
		  "  node            " +
			  tree.dev() +
			  "/crono_06_0003000\n"
			  "  sysfs           " +
			  tree.sys() +
			  "/bus/pci/devices/0000:03:00.0\n"
			  "  BAR0            0xfea00000, 1 MiB, mem 32-bit\n"
			  "  locked buffers  1\n"
			  "  pinned bytes    4194304 (4 MiB)\n"
			  "  coherent bytes  0 (0 bytes)\n");
}

TEST_F(CronoctlInfo, ReportsWhatItCannotRead)
{
	tree.load_driver();
	BoardSpec spec;
	spec.registered = false;
	tree.add_board(spec);
	tree.write(FakeSysfs::device_dir("0000:03:00.0") + "/resource", "?");
	CliRun r = run({ "info", "crono_06_0003000" });
	EXPECT_EQ(r.status, 1);
	EXPECT_TRUE(contains(r.out, "(not registered by the driver)"));
	EXPECT_TRUE(contains(r.out, "BARs            ? (unexpected line 1"));
	EXPECT_TRUE(contains(r.out, "buffers         ? (cannot read"));
}

TEST_F(CronoctlInfo, NamesTheMistake)
{
	CliRun none = run({ "info" });
	EXPECT_EQ(none.status, 2);
	EXPECT_TRUE(contains(none.err, "info: which board?"));
	CliRun two = run({ "info", "a", "b" });
	EXPECT_EQ(two.status, 2);
	EXPECT_TRUE(contains(two.err, "one board at a time"));
	CliRun unloaded = run({ "info", "0000:03:00.0" });
	EXPECT_EQ(unloaded.status, 1);
	EXPECT_TRUE(contains(unloaded.err, "not loaded"));
	tree.load_driver();
	CliRun absent = run({ "info", "crono_06_0003000" });
	EXPECT_EQ(absent.status, 1);
	EXPECT_TRUE(contains(absent.err, "no board has the node"));
}

} // namespace
} // namespace crono::test
