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

#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>

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

inline const std::string kModDir = "/sys/module/" CRONO_MODULE_NAME;
inline const std::string kDrvDir = "/sys/bus/pci/drivers/" CRONO_DRIVER_NAME;

struct Env {
	unsigned setup = 0;
	std::string setup_name;
	std::string module_path;
	std::vector<Board> boards;
	bool module_loaded = false;
	bool bound = false;    // every board bound to the driver
	bool bars = false;     // every board's BAR0 mapped through resource0
	bool unloaded = false; // UnloadNoLeak removed the module
	bool debug_kernel =
		false; // checkers and fault injection (--debug-kernel)
	size_t expected_boards() const
	{
		return setup == SWIOTLB ? 1 : setup == MANY ? kManyBoards : 2;
	}
	bool swiotlb() const { return setup == SWIOTLB; }
	bool installed() const { return setup == INSTALLED; }
};
extern Env g; // main.cpp

inline Board &board(size_t i)
{
	return g.boards.at(i);
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

inline Fd open_node(const Board &b, int flags = O_RDWR)
{
	return open_fd(b.node(), flags);
}

// Opens board i's node, recording a failure when it cannot.
inline Fd open_node_checked(size_t i)
{
	Fd fd = open_node(board(i));
	EXPECT_TRUE(succeeds(fd.err())) << "open " << board(i).node();
	return fd;
}

// finit_module(2) of the file: 0 or the errno.
inline int load_module(const std::string &path)
{
	Fd fd = open_fd(path, O_RDONLY);
	if (!fd.valid())
		return fd.err();
	return errno_of(syscall(SYS_finit_module, fd.get(), "", 0));
}

inline std::string module_refcnt()
{
	return read_text(kModDir + "/refcnt");
}

inline int bind_new_id()
{
	return write_file(kDrvDir + "/new_id",
			  hex(EDU_VENDOR_ID) + " " + hex(EDU_DEVICE_ID));
}

inline size_t count_crono_nodes()
{
	const std::vector<std::string> names = list_dir("/dev");
	return std::count_if(names.begin(), names.end(),
			     [](auto &n) { return n.rfind("crono_", 0) == 0; });
}

// In a child: RLIMIT_MEMLOCK of `bytes` and no CAP_IPC_LOCK, so the driver's
// charges are limited as for an ordinary user.
inline void become_memlock_limited(rlim_t bytes)
{
	const struct rlimit rl = { bytes, bytes };
	ASSERT_TRUE(succeeds(errno_of(setrlimit(RLIMIT_MEMLOCK, &rl))))
		<< "setrlimit";
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3,
						0 };
	struct __user_cap_data_struct data[2] = {};
	ASSERT_TRUE(succeeds(errno_of(syscall(SYS_capget, &hdr, data))))
		<< "capget";
	const uint32_t bit = 1u << CAP_IPC_LOCK; // CAP_IPC_LOCK (14): word 0
	data[0].effective &= ~bit;
	data[0].permitted &= ~bit;
	data[0].inheritable &= ~bit;
	ASSERT_TRUE(succeeds(errno_of(syscall(SYS_capset, &hdr, data))))
		<< "capset";
	ASSERT_EQ(syscall(SYS_capget, &hdr, data), 0);
	ASSERT_FALSE(data[0].effective & bit) << "CAP_IPC_LOCK still effective";
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
inline AssertionResult stats_are(const Board &b, long long locked,
				 long long pinned, long long coherent)
{
	const long long want[] = { locked, pinned, coherent };
	std::string got;
	bool same = true;
	for (size_t k = 0; k < 3; k++) {
		const std::string v = read_text(stat_path(b, kStatNames[k]));
		got += cat(" ", kStatNames[k], "=", v);
		same = same && v == std::to_string(want[k]);
	}
	if (same)
		return AssertionSuccess();
	return AssertionFailure()
	       << "sysfs statistics" << got
	       << ", expected locked_buffers=" << locked
	       << " pinned_bytes=" << pinned << " coherent_bytes=" << coherent;
}

// Statistic `name` of board b, -1 when it cannot be read.
inline long long read_stat(const Board &b, const char *name)
{
	const std::string v = read_text(stat_path(b, name));
	return isdigit(v[0]) ? atoll(v.c_str()) : -1;
}

// Unbinds board b through sysfs (the driver's .remove runs): true when done.
inline bool unbind(const Board &b)
{
	const int e = write_file(kDrvDir + "/unbind", b.pci);
	EXPECT_TRUE(succeeds(e)) << "unbind " << b.pci;
	return e == 0;
}

// Binds board b again: false, and the later tests told why they cannot run,
// when its node did not come back.
inline bool rebind(const Board &b)
{
	const int e = write_file(kDrvDir + "/bind", b.pci);
	if (e == 0 && wait_until(5.0, [&] { return exists(b.node()); }))
		return true;
	g.bound = false;
	ADD_FAILURE() << "rebind " << b.pci << " through " << kDrvDir
		      << "/bind: "
		      << (e ? errno_name(e) : "the node did not come back");
	return false;
}

// EXPECT_TRUE(bound_both_ways(b)): b's driver is ours, and the driver's
// directory links to b.
inline AssertionResult bound_both_ways(const Board &b)
{
	const std::string drv = link_name(b.sysfs() + "/driver");
	const bool link = exists(kDrvDir + "/" + b.pci);
	if (drv == CRONO_DRIVER_NAME && link)
		return AssertionSuccess();
	return AssertionFailure()
	       << b.pci << " is not bound to " CRONO_DRIVER_NAME " (driver: '"
	       << drv << "', link in " << kDrvDir << ": " << link << ")";
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
