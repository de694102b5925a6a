// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// cronoctl, the user-space tool (userspace/), packed as /cronoctl: list,
// selftest and bench on the real driver.
#include "fixture.h"

using namespace vt;

namespace {

class Cronoctl_PlainIommuInstalled : public BoardTest {};
class Cronoctl_PlainIommu : public BoardTest {};

const char kCronoctl[] = "/cronoctl";

// Runs /cronoctl ARGS, its output into a pipe (not a terminal: no progress
// bar) and echoed.
ProgramRun run_cronoctl(std::vector<std::string> args)
{
	args.insert(args.begin(), kCronoctl);
	return run_program(args);
}

bool has(const std::string &text, const std::string &part)
{
	return text.find(part) != std::string::npos;
}

// The tool's files are released as it exits: the pins come back.
void check_cronoctl_unpinned(const Pins &base)
{
	EXPECT_TRUE(pins_back_to(base)) << "after cronoctl exited";
}

// `cronoctl list` and `list --json` show every bound board, found through
// sysfs as the driver names it.
TEST_F(Cronoctl_PlainIommuInstalled, CronoctlList)
{
	ProgramRun table = run_cronoctl({ "list" });
	EXPECT_TRUE(exited_ok(table)) << strf(
		"cronoctl list %s", wait_status_str(table.status).c_str());
	ProgramRun json = run_cronoctl({ "list", "--json" });
	EXPECT_TRUE(exited_ok(json))
		<< strf("cronoctl list --json %s",
			wait_status_str(json.status).c_str());
	for (const auto &b : g.boards) {
		EXPECT_TRUE(
			has(table.output,
			    b->pci + "  1234:11e8  QEMU edu (test device)  " +
				    b->node()))
			<< strf("the table has no row for %s (%s)",
				b->pci.c_str(), b->node().c_str());
		EXPECT_TRUE(has(json.output,
				"{\"pci_address\": \"" + b->pci + "\"") &&
			    has(json.output,
				"\"node_path\": \"" + b->node() +
					"\", \"node_registered\": true"))
			<< strf("the JSON has no object for %s",
				b->pci.c_str());
	}
}

// `cronoctl selftest` locks buffers and makes the edu device copy first, last
// and random pages through the page table, then checks the cleanup program.
TEST_F(Cronoctl_PlainIommuInstalled, CronoctlSelftest)
{
	const Board &b = board(0);
	Pins base = read_pins();
	ProgramRun run = run_cronoctl({ "selftest", b.node() });
	EXPECT_TRUE(exited_ok(run)) << strf(
		"cronoctl selftest %s", wait_status_str(run.status).c_str());
	EXPECT_TRUE(has(run.output, "selftest passed"))
		<< "no 'selftest passed' line";
	EXPECT_TRUE(!has(run.output, "FAIL")) << "a check failed";
	EXPECT_TRUE(has(run.output,
			"ok    DMA page 0 -> page 1023 through the device"))
		<< "no DMA round trip through the first and last page";
	EXPECT_TRUE(has(run.output,
			"ok    cleanup program: on close the driver wrote"))
		<< "the cleanup program was not checked";
	check_cronoctl_unpinned(base);
}

// A short `cronoctl bench`: 4, 8 and 16 MiB, once each, no progress bar off a
// terminal.
TEST_F(Cronoctl_PlainIommu, CronoctlBench)
{
	Pins base = read_pins();
	ProgramRun run = run_cronoctl(
		{ "bench", board(0).pci, "--max", "16M", "--repeat", "1" });
	EXPECT_TRUE(exited_ok(run)) << strf(
		"cronoctl bench %s", wait_status_str(run.status).c_str());
	for (const char *row :
	     { "4 MiB   1024", "8 MiB   2048", "16 MiB   4096" })
		EXPECT_TRUE(has(run.output, row)) << strf("no row '%s'", row);
	EXPECT_TRUE(!has(run.output, "\033"))
		<< "a progress bar off a terminal";
	check_cronoctl_unpinned(base);
}

} // namespace
