// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <sys/stat.h>

#include <cerrno>

#include "crono/device.hpp"
#include "cronoctl_harness.hpp"

namespace crono::test {
namespace {

class CronoctlSelftest : public CronoctlTest {
protected:
	void SetUp() override
	{
		tree.load_driver();
		node = tree.add_board({});
	}
	std::string node;
};

TEST_F(CronoctlSelftest, PassesOnAWorkingBoardAndSkipsDmaWithoutEdu)
{
	CliRun r = run({ "selftest", node, "--size", "64K" });
	EXPECT_EQ(r.status, 0) << r.out << r.err;
	EXPECT_EQ(r.out,
		  "selftest of " + tree.dev() +
			  "/crono_06_0003000 (0000:03:00.0, 1a13:0006, xTDC4)\n"
			  "  ok    open " +
			  tree.dev() +
			  "/crono_06_0003000\n"
			  "  ok    lock a 64 KiB scatter/gather buffer (id 0, "
			  "4 KiB pages)\n"
			  "  ok    page table: 16 entries from 0x200001000 to "
			  "0x20000e000, 4 KiB aligned, none 0, all distinct "
			  "(16 contiguous runs)\n"
			  "  ok    sysfs after lock: locked_buffers 1, "
			  "pinned_bytes 65536, coherent_bytes 0\n"
			  "  skip  DMA through the page table: only on QEMU's "
			  "edu device (1234:11e8), whose DMA engine is known\n"
			  "  ok    lock a 64 KiB contiguous buffer (id 1, "
			  "device address 0x80100000)\n"
			  "  ok    sysfs with both buffers: locked_buffers 2, "
			  "pinned_bytes 65536, coherent_bytes 65536\n"
			  "  ok    unmap and unlock the contiguous buffer\n"
			  "  ok    unlock the scatter/gather buffer\n"
			  "  ok    sysfs after unlock: locked_buffers 0, "
			  "pinned_bytes 0, coherent_bytes 0\n"
			  "selftest passed: 9 checks, 1 skipped\n");
	EXPECT_FALSE(os.node_is_open(node));
}

TEST_F(CronoctlSelftest, FailsOnABrokenPageTable)
{
	os.duplicate_page_table_entries = true;
	CliRun r = run({ "selftest", node });
	EXPECT_EQ(r.status, 1);
	EXPECT_TRUE(contains(r.out, "FAIL  page table: 1024 entries"));
	EXPECT_TRUE(contains(r.out, "appears twice"));
	EXPECT_TRUE(contains(r.out, "selftest FAILED: 1 of"));
}

TEST_F(CronoctlSelftest, FailsWhenTheStatisticsDoNotMove)
{
	os.freeze_statistics = true;
	CliRun r = run({ "selftest", node });
	EXPECT_EQ(r.status, 1);
	EXPECT_TRUE(contains(r.out,
			     "FAIL  sysfs after lock: locked_buffers 0, "
			     "pinned_bytes 0, coherent_bytes 0: expected "
			     "locked_buffers 1, pinned_bytes 4194304"));
}

TEST_F(CronoctlSelftest, ExplainsABusyBoard)
{
	auto holder = Device::open(node, context);
	ASSERT_TRUE(holder);
	CliRun r = run({ "selftest", node });
	EXPECT_EQ(r.status, 1);
	EXPECT_TRUE(contains(r.out, "FAIL  open: " + tree.dev() +
					    "/crono_06_0003000 is busy"));
	EXPECT_TRUE(contains(r.out, "selftest FAILED: 1 of 1 checks failed"));
}

TEST_F(CronoctlSelftest, NamesTheGroupWhenTheNodeIsNotOpenToUs)
{
	const std::string path = tree.dev() + "/" + node;
	os.fail_open(path, EACCES);
	os.stat_overrides[path] = { S_IFCHR | 0660, 0, 990, 0 };
	os.groups[990] = "crono";
	CliRun r = run({ "selftest", node });
	EXPECT_EQ(r.status, 1);
	EXPECT_TRUE(contains(r.out, "FAIL  open: no permission to open " +
					    path +
					    " (mode 0660, group crono): join "
					    "the group crono (sudo usermod -aG "
					    "crono $USER), then log in again"))
		<< r.out;
}

TEST_F(CronoctlSelftest, SaysWhenTheDriverIsNotLoaded)
{
	tree.remove("bus/pci/drivers/crono_pci_driver");
	for (const char *command : { "selftest", "bench", "info" }) {
		CliRun r = run({ command, node });
		EXPECT_EQ(r.status, 1) << command;
		EXPECT_TRUE(contains(r.err, "driver is not loaded")) << command;
		EXPECT_TRUE(contains(r.err, "sudo modprobe crono_pci_drvmod"));
	}
}

TEST_F(CronoctlSelftest, ExplainsTheMemlockLimit)
{
	os.fail_ioctl(0xC0086300u, ENOMEM);
	CliRun r = run({ "selftest", node });
	EXPECT_EQ(r.status, 1);
	EXPECT_TRUE(contains(r.out, "FAIL  cannot lock a 4 MiB scatter/gather "
				    "buffer: out of memory (ENOMEM)"));
	EXPECT_TRUE(contains(r.out, "RLIMIT_MEMLOCK is 8 MiB"));
	EXPECT_TRUE(contains(r.out, "ulimit -l"));
}

TEST_F(CronoctlSelftest, StopsCleanlyWhenAnEduBoardIsNotOne)
{
	/* edu ids, but BAR0 is a plain file: register 0 reads 0. */
	tree.add_board({ "0000:00:03.0", 0x1234, 0x11e8 });
	CliRun r = run({ "selftest", "00:03.0", "--size", "16K" });
	EXPECT_EQ(r.status, 1);
	EXPECT_TRUE(contains(r.out,
			     "FAIL  edu identification register 0x00000000: "
			     "BAR0 register 0 reads 0x00000000"));
	EXPECT_FALSE(contains(r.out, "DMA page"));
	EXPECT_FALSE(os.node_is_open("crono_11E8_0000030"));
}

TEST_F(CronoctlSelftest, ChecksItsOptions)
{
	CliRun small = run({ "selftest", node, "--size", "8K" });
	EXPECT_EQ(small.status, 1);
	EXPECT_TRUE(contains(small.err, "at least 16 KiB"));
	CliRun bad = run({ "selftest", node, "--size", "lots" });
	EXPECT_EQ(bad.status, 2);
	EXPECT_TRUE(contains(bad.err, "--size needs a size such as 4M"));
	CliRun seed = run({ "selftest", node, "--seed" });
	EXPECT_EQ(seed.status, 2);
	CliRun which = run({ "selftest" });
	EXPECT_EQ(which.status, 2);
	EXPECT_TRUE(contains(which.err, "which board?"));
	CliRun unknown = run({ "selftest", node, "--fast" });
	EXPECT_EQ(unknown.status, 2);
	EXPECT_TRUE(contains(unknown.err, "unknown option '--fast'"));
}

TEST_F(CronoctlSelftest, UsesHugePagesOnRequest)
{
	CliRun r = run({ "selftest", node, "--huge", "--size", "2M" });
	EXPECT_EQ(r.status, 0) << r.out;
	EXPECT_TRUE(contains(r.out, "lock a 2 MiB scatter/gather buffer (id 0, "
				    "transparent huge pages (advised))"));
}

} // namespace
} // namespace crono::test
