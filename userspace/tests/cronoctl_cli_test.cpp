// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "cronoctl_harness.hpp"

namespace crono::test {
namespace {

using CronoctlCli = CronoctlTest;

TEST_F(CronoctlCli, PrintsUsageWithoutACommand)
{
	CliRun r = run({});
	EXPECT_EQ(r.status, 2);
	EXPECT_TRUE(contains(r.err, "usage: cronoctl"));
	EXPECT_EQ(r.out, "");
	for (const char *help : { "--help", "-h", "help" }) {
		CliRun h = run({ help });
		EXPECT_EQ(h.status, 0);
		EXPECT_TRUE(contains(h.out, "list [--json]"));
		EXPECT_TRUE(contains(h.out, "selftest DEV"));
		EXPECT_TRUE(contains(h.out, "bench DEV"));
	}
}

TEST_F(CronoctlCli, NamesAnUnknownCommand)
{
	CliRun r = run({ "lst" });
	EXPECT_EQ(r.status, 2);
	EXPECT_EQ(r.err, "cronoctl: unknown command 'lst' (commands: list, "
			 "info, selftest, bench)\n"
			 "Run 'cronoctl --help' for the commands.\n");
}

TEST_F(CronoctlCli, PrintsTheVersion)
{
	CliRun r = run({ "--version" });
	EXPECT_EQ(r.status, 0);
	EXPECT_EQ(r.out, "cronoctl 0.1.0\n");
}

TEST_F(CronoctlCli, ReadsAnotherTreeWhenTold)
{
	/* The context's roots point nowhere; the options put them back. */
	context.sysfs_root = "/nonexistent";
	context.dev_root = "/nonexistent";
	tree.load_driver();
	CliRun lost = run({ "list" });
	EXPECT_EQ(lost.status, 1);
	CliRun found = run({ "--sysfs-root", tree.sys(), "--dev-root",
			     tree.dev(), "list" });
	EXPECT_EQ(found.status, 0) << found.err;
	CliRun missing = run({ "--sysfs-root" });
	EXPECT_EQ(missing.status, 2);
	EXPECT_TRUE(contains(missing.err, "--sysfs-root needs a directory"));
}

} // namespace
} // namespace crono::test
