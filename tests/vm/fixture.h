// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// The shared fixture of crono_vmtest: the setup the guest was booted in, the
// boards, the module, and the base class of every test.
//
// A test's suite is named AREA_SETUPS, SETUPS being the setups it runs in
// (Plain, Iommu, Swiotlb, Many, Hotplug, Installed): main.cpp runs the suites
// that name the current setup and no other. The tests run in the order they
// are linked (tests/vm/lib.sh lists the files): the module is loaded and bound
// by the first, unloaded by the last, and what a test needs of that (the
// fixture it derives from) is checked before it starts, so that a test whose
// prerequisite failed fails too instead of running on a broken board.
#ifndef CRONO_VMTEST_FIXTURE_H
#define CRONO_VMTEST_FIXTURE_H

#include "child.h"
#include "driver.h"

#include <sys/syscall.h>
#include <sys/wait.h>

namespace vt {

enum SetupBits : unsigned {
	PLAIN = 1,
	IOMMU = 2,
	SWIOTLB = 4,
	MANY = 8,     // 40 boards behind PCI-PCI bridges
	HOTPLUG = 16, // one board in a hotpluggable slot
	// Installed through DKMS, loaded and bound by the system, run
	// unprivileged in group crono.
	INSTALLED = 32,
};

constexpr size_t kManyBoards = 40;

inline const std::string kModName = CRONO_MODULE_NAME;
inline const std::string kModDir = "/sys/module/" CRONO_MODULE_NAME;
inline const std::string kDrvDir = "/sys/bus/pci/drivers/" CRONO_DRIVER_NAME;

struct Env {
	unsigned setup = 0;
	std::string setup_name;
	std::string module_path;
	std::vector<std::unique_ptr<Board>> boards;
	bool module_loaded = false;
	bool bound = false;    // every board bound to the driver
	bool bars = false;     // every board's BAR0 mapped through resource0
	bool unloaded = false; // UnloadNoLeak removed the module
	size_t expected_boards() const
	{
		switch (setup) {
		case SWIOTLB:
			return 1;
		case MANY:
			return kManyBoards;
		default:
			return 2;
		}
	}
	bool swiotlb() const { return setup == SWIOTLB; }
	bool installed() const { return setup == INSTALLED; }
};
extern Env g; // main.cpp

inline Board &board(size_t i)
{
	return *g.boards.at(i);
}

// Errors a bad-range LOCK_BUFFER may give. Under swiotlb=force the ABI does not
// say whether the swiotlb refusal (EOPNOTSUPP) or the range check (EFAULT)
// comes first, so both are accepted there; elsewhere only EFAULT.
inline std::vector<int> fault_errs()
{
	if (g.swiotlb())
		return { EFAULT, EOPNOTSUPP };
	return { EFAULT };
}

inline Fd open_node(const Board &b, int *err = nullptr, int flags = O_RDWR)
{
	return open_fd(b.node(), flags, err);
}

// Open board i's node or record a failure.
inline Fd open_node_checked(size_t i)
{
	int e = 0;
	Fd fd = open_node(board(i), &e);
	if (!fd.valid()) {
		ADD_FAILURE() << strf("open %s: %s", board(i).node().c_str(),
				      errno_name(e).c_str());
	}
	return fd;
}

inline SysRes finit_module_path(const std::string &path)
{
	int e = 0;
	Fd fd = open_fd(path, O_RDONLY, &e);
	if (!fd.valid())
		return SysRes{ -1, e };
	return sys(syscall(SYS_finit_module, fd.get(), "", 0));
}

// delete_module with O_NONBLOCK; retried for a while when the module is still
// in use (a file released by an exiting child is let go asynchronously at
// worst).
inline SysRes delete_module_retry(double timeout_s)
{
	double end = now_s() + timeout_s;
	for (;;) {
		SysRes r = sys(syscall(SYS_delete_module, kModName.c_str(),
				       O_NONBLOCK));
		if (r.ok() || (r.err != EAGAIN && r.err != EBUSY) ||
		    now_s() > end)
			return r;
		sleep_ms(50);
	}
}

inline std::string module_refcnt()
{
	std::string s;
	if (!read_file(kModDir + "/refcnt", &s))
		return "?";
	return trim(s);
}

inline int bind_new_id()
{
	return write_file(kDrvDir + "/new_id",
			  strf("%04x %04x", EDU_VENDOR_ID, EDU_DEVICE_ID));
}

inline std::vector<std::string> crono_nodes()
{
	std::vector<std::string> v;
	DIR *d = opendir("/dev");
	if (!d)
		return v;
	while (struct dirent *e = readdir(d))
		if (strncmp(e->d_name, "crono_", 6) == 0)
			v.push_back(e->d_name);
	closedir(d);
	return v;
}

// The statistics of board b's misc device (docs/abi.md).
inline const char *const kStatNames[] = { "locked_buffers", "pinned_bytes",
					  "coherent_bytes" };

inline std::string stat_path(const Board &b, const char *attr)
{
	return "/sys/class/misc/" + b.node_name() + "/" + attr;
}

// EXPECT_TRUE(stats_are(b, locked, pinned, coherent)): board b's statistics
// are exactly these.
inline ::testing::AssertionResult stats_are(const Board &b, long long locked,
					    long long pinned,
					    long long coherent)
{
	const long long want[3] = { locked, pinned, coherent };
	std::string got, bad;
	for (size_t k = 0; k < 3; k++) {
		std::string s;
		int e = 0;
		if (!read_file(stat_path(b, kStatNames[k]), &s, &e))
			s = "(" + errno_name(e) + ")";
		s = trim(s);
		got += strf("%s%s=%s", k ? " " : "", kStatNames[k], s.c_str());
		if (s != strf("%lld", want[k]))
			bad += strf("%s%s", bad.empty() ? "" : ", ",
				    kStatNames[k]);
	}
	if (bad.empty())
		return ::testing::AssertionSuccess();
	return ::testing::AssertionFailure()
	       << strf("sysfs statistics %s, expected locked_buffers=%lld "
		       "pinned_bytes=%lld coherent_bytes=%lld (wrong: %s)",
		       got.c_str(), locked, pinned, coherent, bad.c_str());
}

inline long long read_stat(const Board &b, const char *name)
{
	std::string s;
	return read_file(stat_path(b, name), &s) ? atoll(trim(s).c_str()) : -1;
}

// Binding boards to the driver and back.
// Unbinds board b through sysfs (the driver's .remove runs); rebind() binds
// it again, false (and later tests told why they cannot run) when its
// node did not come back.
inline bool unbind(const Board &b)
{
	int e = write_file(kDrvDir + "/unbind", b.pci);
	EXPECT_TRUE(no_error(e)) << strf("unbind %s", b.pci.c_str());
	return e == 0;
}

inline bool rebind(const Board &b)
{
	int e = write_file(kDrvDir + "/bind", b.pci);
	bool back = e == 0 && wait_until(5.0, [&] { return exists(b.node()); });
	if (!back) {
		g.bound = false;
		ADD_FAILURE() << strf(
			"rebind %s through %s/bind: %s%s", b.pci.c_str(),
			kDrvDir.c_str(), errno_name(e).c_str(),
			e == 0 ? ", but the node did not come back" : "");
	}
	return back;
}

inline bool bound_to_us(const Board &b)
{
	return basename_of(readlink_str(b.sysfs() + "/driver")) ==
	       CRONO_DRIVER_NAME;
}

// EXPECT_TRUE(bound_both_ways(b)): b's driver is ours, and the driver's
// directory links to b.
inline ::testing::AssertionResult bound_both_ways(const Board &b)
{
	const std::string drv =
		basename_of(readlink_str(b.sysfs() + "/driver"));
	const bool link = exists(kDrvDir + "/" + b.pci);
	if (drv == CRONO_DRIVER_NAME && link)
		return ::testing::AssertionSuccess();
	return ::testing::AssertionFailure()
	       << strf("%s is not bound to " CRONO_DRIVER_NAME
		       " (driver: '%s', link in %s: %s)",
		       b.pci.c_str(), drv.empty() ? "none" : drv.c_str(),
		       kDrvDir.c_str(), link ? "yes" : "no");
}

// What a test needs of the tests before it.
enum Needs : unsigned {
	NEED_MODULE = 1,   // loaded (LoadModule or, installed, the system)
	NEED_BOUND = 2,	   // every edu device bound to the driver
	NEED_BARS = 4,	   // every board's BAR0 mapped (BarAccess)
	NEED_TWO = 8,	   // two boards
	NEED_UNLOADED = 16 // removed again (UnloadNoLeak)
};
constexpr unsigned NEED_BOARD = NEED_MODULE | NEED_BOUND | NEED_BARS;

// Why a test with these needs cannot run, or "".
std::string unmet_needs(unsigned needs);

// The base of every test: fails it at once when a prerequisite is missing,
// and fails it when it left pages pinned.
class VmTestBase : public ::testing::Test {
protected:
	explicit VmTestBase(unsigned needs) : needs_(needs) {}
	void SetUp() override;
	void TearDown() override;

private:
	unsigned needs_;
	bool started_ = false;
	Pins before_;
};

template <unsigned N> class VmTest : public VmTestBase {
protected:
	VmTest() : VmTestBase(N) {}
};

using FrameTest = VmTest<0>;
using ModuleTest = VmTest<NEED_MODULE>;
using BoundTest = VmTest<NEED_MODULE | NEED_BOUND>;
using BoardTest = VmTest<NEED_BOARD>;
using TwoBoardTest = VmTest<NEED_BOARD | NEED_TWO>;
using UnloadedTest = VmTest<NEED_UNLOADED>;

} // namespace vt

#endif // CRONO_VMTEST_FIXTURE_H
