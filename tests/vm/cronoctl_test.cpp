// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// cronoctl, the user-space tool (userspace/), packed as /cronoctl: list,
// selftest and bench on the real driver.
#include "fixture.h"

using namespace vt;

namespace {

class Cronoctl_PlainIommuInstalled : public BoardTest {};
class Cronoctl_PlainIommu : public BoardTest {};

// Runs /cronoctl ARGS, its output into a pipe (not a terminal: no progress
// bar) and echoed; expects it to succeed.
ProgramRun cronoctl(std::vector<std::string> args)
{
	args.insert(args.begin(), "/cronoctl");
	ProgramRun run = run_program(args);
	EXPECT_EQ(status_str(run.status), "exited with status 0")
		<< "cronoctl " << args[1];
	return run;
}

bool has(const std::string &text, const std::string &part)
{
	return text.find(part) != std::string::npos;
}

// `cronoctl list` and `list --json` show every bound board, found through
// sysfs as the driver names it.
TEST_F(Cronoctl_PlainIommuInstalled, CronoctlList)
{
	const ProgramRun table = cronoctl({ "list" });
	const ProgramRun json = cronoctl({ "list", "--json" });
	for (const Board &b : g.boards) {
		EXPECT_TRUE(has(table.output, b.pci +
						      "  1234:11e8  QEMU edu "
						      "(test device)  " +
						      b.node()))
			<< "the table has no row for " << b.pci;
		EXPECT_TRUE(has(json.output,
				"{\"pci_address\": \"" + b.pci + "\"") &&
			    has(json.output, "\"node_path\": \"" + b.node() +
						     "\", \"node_registered\": "
						     "true"))
			<< "the JSON has no object for " << b.pci;
	}
}

// `cronoctl selftest` locks buffers and makes the edu device copy first, last
// and random pages through the page table, then checks the cleanup program.
TEST_F(Cronoctl_PlainIommuInstalled, CronoctlSelftest)
{
	const Pins base = read_pins();
	const ProgramRun run = cronoctl({ "selftest", board(0).node() });
	EXPECT_TRUE(has(run.output, "selftest passed"))
		<< "no 'selftest passed' line";
	EXPECT_FALSE(has(run.output, "FAIL")) << "a check failed";
	EXPECT_TRUE(has(run.output,
			"ok    DMA page 0 -> page 1023 through the device"))
		<< "no DMA round trip through the first and last page";
	EXPECT_TRUE(has(run.output,
			"ok    cleanup program: on close the driver wrote"))
		<< "the cleanup program was not checked";
	// The tool's files are released as it exits.
	EXPECT_TRUE(pins_back_to(base)) << "after cronoctl exited";
}

// A short `cronoctl bench`: 4, 8 and 16 MiB, once each, no progress bar off a
// terminal.
TEST_F(Cronoctl_PlainIommu, CronoctlBench)
{
	const Pins base = read_pins();
	const ProgramRun run = cronoctl(
		{ "bench", board(0).pci, "--max", "16M", "--repeat", "1" });
	for (const char *row :
	     { "4 MiB   1024", "8 MiB   2048", "16 MiB   4096" })
		EXPECT_TRUE(has(run.output, row)) << "no row '" << row << "'";
	EXPECT_FALSE(has(run.output, "\033"))
		<< "a progress bar off a terminal";
	EXPECT_TRUE(pins_back_to(base)) << "after cronoctl exited";
}

} // namespace
