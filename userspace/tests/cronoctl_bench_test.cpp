// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <cerrno>

#include "cronoctl_harness.hpp"

namespace crono::test {
namespace {

class CronoctlBench : public CronoctlTest {
protected:
	void SetUp() override
	{
		tree.load_driver();
		node = tree.add_board({});
		os.memlock = { UINT64_MAX, UINT64_MAX, false };
	}
	std::string node;

	static std::size_t lines(const std::string &text)
	{
		return static_cast<std::size_t>(
			std::count(text.begin(), text.end(), '\n'));
	}
};

TEST_F(CronoctlBench, PrintsATableWithoutProgressOffATerminal)
{
	CliRun r = run({ "bench", node, "--max", "16M", "--repeat", "2" });
	EXPECT_EQ(r.status, 0) << r.err;
	EXPECT_FALSE(contains(r.out, "\r"));
	EXPECT_FALSE(contains(r.out, "\033"));
	EXPECT_TRUE(contains(r.out, "bench of " + tree.dev() +
					    "/crono_06_0003000: lock and "
					    "unlock 4 KiB-page scatter/gather "
					    "buffers, best of 2\n"));
	EXPECT_TRUE(contains(r.out, "  SIZE  PAGES  LOCK MS  UNLOCK MS  "
				    "LOCK GiB/s  UNLOCK GiB/s\n"))
		<< r.out;
	EXPECT_TRUE(contains(r.out, "\n 4 MiB   1024 "));
	EXPECT_TRUE(contains(r.out, "\n 8 MiB   2048 "));
	EXPECT_TRUE(contains(r.out, "\n16 MiB   4096 "));
	EXPECT_EQ(lines(r.out), 5u);
	EXPECT_EQ(os.events_matching({ "ioctl LOCK" }).size(), 6u);
	EXPECT_EQ(os.events_matching({ "ioctl UNLOCK" }).size(), 6u);
}

TEST_F(CronoctlBench, DrawsAProgressBarOnATerminal)
{
	CliRun r = run({ "bench", node, "--max", "8M", "--repeat", "1" }, true);
	EXPECT_EQ(r.status, 0) << r.err;
	EXPECT_TRUE(contains(r.out, "\r\033[K[               "
				    "               ] 0/2 4 MiB"));
	EXPECT_TRUE(contains(r.out, "] 2/2 done"));
	/* Erased before the table. */
	EXPECT_TRUE(contains(r.out, "done\r\033[K SIZE  PAGES"));
}

TEST_F(CronoctlBench, StopsAtTheMemlockLimitAndSaysSo)
{
	os.memlock = { 8 << 20, 8 << 20, false };
	CliRun r = run({ "bench", node, "--max", "64M", "--repeat", "1" });
	EXPECT_EQ(r.status, 0) << r.err;
	EXPECT_TRUE(
		contains(r.out, "note: sizes stop at RLIMIT_MEMLOCK (8 MiB)"));
	EXPECT_FALSE(contains(r.out, "16 MiB"));
	os.memlock = { 2 << 20, 2 << 20, false };
	CliRun none = run({ "bench", node });
	EXPECT_EQ(none.status, 1);
	EXPECT_TRUE(contains(none.err, "no size between --min (4 MiB)"));
}

TEST_F(CronoctlBench, ExplainsAFailedLock)
{
	os.fail_ioctl(0xC0086300u, ENOMEM, 100);
	os.memlock = { 64 << 20, 64 << 20, false };
	CliRun r = run({ "bench", node, "--max", "8M" });
	EXPECT_EQ(r.status, 1);
	EXPECT_TRUE(contains(r.err, "RLIMIT_MEMLOCK is 64 MiB"));
	EXPECT_TRUE(contains(r.out, "SIZE  PAGES")); /* empty table */
}

TEST_F(CronoctlBench, ExplainsABusyBoardAndBadOptions)
{
	os.fail_open(tree.dev() + "/" + node, EBUSY);
	CliRun busy = run({ "bench", node });
	EXPECT_EQ(busy.status, 1);
	EXPECT_TRUE(contains(busy.err, "is busy: another process has it open"));
	EXPECT_EQ(run({ "bench", node, "--min", "8M", "--max", "4M" }).status,
		  1);
	EXPECT_EQ(run({ "bench", node, "--repeat", "0" }).status, 2);
	EXPECT_EQ(run({ "bench", node, "--max" }).status, 2);
	EXPECT_EQ(run({ "bench" }).status, 2);
	EXPECT_EQ(run({ "bench", node, node }).status, 2);
	EXPECT_EQ(run({ "bench", node, "-x" }).status, 2);
}

} // namespace
} // namespace crono::test
