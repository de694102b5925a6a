// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// crono_vmtest: the in-guest integration test of crono_pci_drvmod.
//
// Runs as root inside the busybox initramfs of tests/vm (QEMU, TCG, Debian
// kernels), with QEMU edu devices (tests/edu/edu_regs.h) standing in for
// boards:
//
//     /crono_vmtest --setup=plain|iommu|swiotlb|many|hotplug
//                   --module=/crono_pci_drvmod.ko [GoogleTest flags]
//
// It loads the module itself (finit_module), binds the edu devices through
// new_id, drives every request of uapi/crono_pci_drvmod.h (docs/abi.md) and
// checks the results end to end: the edu DMA engine reads and writes the
// locked pages at the device addresses of the page table, and the CPU checks
// the bytes. The output is GoogleTest's; tests/vm/run counts its
// `[       OK ]` lines against the list of --gtest_list_tests.
//
// Setup installed is a real Debian system where the module was installed
// through DKMS, loaded by modprobe and the one edu device bound by the
// system; the program runs as an UNPRIVILEGED member of group crono with the
// default RLIMIT_MEMLOCK of 8 MiB (tests/guest):
//
//     crono_vmtest --setup=installed
//
// There the tests that need neither root, nor a second board, nor more than
// 4 MiB pinned at once run; the module is neither unloaded nor rebound. Since
// /proc/sys/vm/stat_refresh is root only, the pin counters come from a root
// helper or are read once they have settled (pins.h).
#include "fixture.h"

namespace vt {

Env g;

namespace {

Pins last_reading; // the closing reading of the last test

// The setups in the order of their SetupBits, as suite names spell them.
const std::vector<std::string> kSetups = { "Plain", "Iommu",   "Swiotlb",
					   "Many",  "Hotplug", "Installed" };

// The last word of SETUPS may be "OnDebugKernel": the suite runs only on the
// debug kernel (tests/vm/debug_kernel.sh), which alone has its checkers.
const std::string kDebugWord = "OnDebugKernel";
constexpr unsigned kDebugOnly = 1u << 31;

// The setups a suite runs in, from its name AREA_SETUPS, with kDebugOnly; 0
// when the name has no such part.
unsigned suite_setups(std::string suite)
{
	unsigned debug_only = 0;
	if (suite.size() > kDebugWord.size() &&
	    suite.compare(suite.size() - kDebugWord.size(), kDebugWord.size(),
			  kDebugWord) == 0) {
		suite.resize(suite.size() - kDebugWord.size());
		debug_only = kDebugOnly;
	}
	const size_t us = suite.rfind('_');
	unsigned bits = 0;
	for (size_t at = us + 1;
	     us != std::string::npos && at < suite.size();) {
		size_t k = 0;
		while (k < kSetups.size() &&
		       suite.compare(at, kSetups[k].size(), kSetups[k]) != 0)
			k++;
		if (k == kSetups.size())
			return 0;
		bits |= 1u << k;
		at += kSetups[k].size();
	}
	return bits ? bits | debug_only : 0;
}

// The GoogleTest filter that selects the suites of this setup, or "" with
// *bad naming a suite whose name gives no setups.
std::string setup_filter(std::string *bad)
{
	std::string filter;
	const testing::UnitTest &all = *testing::UnitTest::GetInstance();
	for (int i = 0; i < all.total_test_suite_count(); i++) {
		const std::string name = all.GetTestSuite(i)->name();
		const unsigned bits = suite_setups(name);
		if (!bits) {
			*bad = name;
			return "";
		}
		if ((bits & g.setup) &&
		    (!(bits & kDebugOnly) || g.debug_kernel))
			filter += (filter.empty() ? "" : ":") + name + ".*";
	}
	return filter;
}

[[noreturn]] void usage(const std::string &why)
{
	std::fprintf(
		stderr,
		"crono_vmtest: %s\n"
		"usage: crono_vmtest --setup=plain|iommu|swiotlb|many|"
		"hotplug --module=PATH [--debug-kernel] [GoogleTest flags]\n"
		"       crono_vmtest --setup=installed [GoogleTest flags]\n",
		why.c_str());
	std::exit(2);
}

} // namespace

std::string unmet_needs(unsigned needs)
{
	const char *load = g.installed() ? "InstalledModule" : "LoadModule";
	const char *bind = g.installed() ? "InstalledModule" : "BindNewId";
	if ((needs & NEED_MODULE) && !g.module_loaded)
		return cat("the module is not loaded (", load, " failed)");
	if ((needs & NEED_BOUND) && !g.bound)
		return cat("the edu devices are not all bound (", bind,
			   " failed)");
	if ((needs & NEED_BARS) && !g.bars)
		return "BAR0 not mapped through resource0 (BarAccess failed)";
	if ((needs & NEED_TWO) && g.boards.size() < 2)
		return cat("needs two edu devices, found ", g.boards.size());
	if ((needs & NEED_UNLOADED) && !g.unloaded)
		return "the module was not unloaded (UnloadNoLeak failed)";
	return "";
}

void VmTestBase::SetUp()
{
	const std::string unmet = unmet_needs(needs_);
	ASSERT_TRUE(unmet.empty()) << "cannot run: " << unmet;
	// Installed, a reading takes seconds (read_pins_settled), and nothing
	// pins between one test's closing reading and the next one's start.
	before_ =
		g.installed() && last_reading.ok() ? last_reading : read_pins();
	started_ = true;
}

void VmTestBase::TearDown()
{
	kill_live_children();
	if (!started_)
		return;
	const Pins after = last_reading = read_pins();
	ASSERT_TRUE(before_.ok() && after.ok())
		<< "pin counters: " << (before_.ok() ? after.err : before_.err);
	EXPECT_EQ(after.outstanding(), before_.outstanding())
		<< "pages left pinned by this test (" << after.str() << ")";
}

} // namespace vt

int main(int argc, char **argv)
{
	using namespace vt;
	testing::InitGoogleTest(&argc, argv);
	std::string setup;
	for (int i = 1; i < argc; i++) {
		const std::string a = argv[i];
		if (a.rfind("--setup=", 0) == 0)
			setup = a.substr(8);
		else if (a.rfind("--module=", 0) == 0)
			g.module_path = a.substr(9);
		else if (a == "--debug-kernel")
			g.debug_kernel = true;
		else
			usage("unknown argument '" + a + "'");
	}
	for (size_t k = 0; k < kSetups.size(); k++)
		if (setup == lower(kSetups[k]))
			g.setup = 1u << k, g.setup_name = setup;
	if (!g.setup)
		usage("unknown or missing --setup '" + setup + "'");
	if (!g.installed() && g.module_path.empty())
		usage("missing --module");

	std::string bad;
	const std::string filter = setup_filter(&bad);
	if (!bad.empty())
		usage("suite " + bad + " does not name its setups");
	GTEST_FLAG_SET(filter, filter);
	// The serial console is a terminal: keep escape codes out of the logs.
	GTEST_FLAG_SET(color, "no");
	// Death tests fork and run their statement at once: re-running this
	// program for them (threadsafe) would run it with another filter.
	GTEST_FLAG_SET(death_test_style, "fast");

	signal(SIGPIPE, SIG_IGN);
	g.boards = discover_edu();
	std::string names;
	for (const Board &b : g.boards)
		names += " " + b.pci;
	note("crono_vmtest: setup ", g.setup_name,
	     g.debug_kernel ? " on the debug kernel" : "", ", module ",
	     g.installed() ? "(installed, " CRONO_MODULE_NAME ")"
			   : g.module_path,
	     ", edu devices:", names.empty() ? " none" : names);
	return RUN_ALL_TESTS();
}
