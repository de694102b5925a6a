// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// crono_vmtest: the in-guest integration test of crono_pci_drvmod.
//
// Runs as root inside the busybox initramfs of tests/vm (QEMU, TCG, Debian
// kernels), with QEMU `edu` devices (PCI 1234:11e8) standing in for cronologic
// boards:
//
//     /crono_vmtest --setup=plain|iommu|swiotlb|many|hotplug
//                   --module=/crono_pci_drvmod.ko
//
// (and --setup=installed on an installed system, see below)
//
// It loads the module itself (finit_module), binds the edu devices through
// new_id, drives every ioctl of uapi/crono_pci_drvmod.h and checks the results
// end to end: the edu DMA engine reads and writes the locked pages at the
// device addresses from the page table, and the CPU checks the bytes. It prints
// `ok - NAME` or `not ok - NAME: reason` per scenario and, as its last line,
// `crono_vmtest: N passed, N failed`; the exit status is non-zero when anything
// failed.
//
// Build: g++ -std=gnu++17 -O2 -static -Wall -Wextra -Werror -Iuapi
// tests/vm/crono_vmtest.cpp
//        -pthread  (the helpers are header-only, so `tests/vm/*.cpp` builds the
//        same program)
//
// Scenario compat_32bit runs /crono_compat32 (tests/vm/compat32.c, built with
// gcc -m32) against board 0, so that the driver is also called by a 32-bit
// process, through its compat_ioctl.
//
// Scenarios cronoctl_list, cronoctl_selftest and cronoctl_bench run /cronoctl
// (userspace/tools/cronoctl, built -static) as a child and check its exit
// status and output, which they echo to the console under `#`.
//
// Setups many and hotplug run only their own scenario (many_boards, hot_unplug)
// between loading and unloading the module. In setup hotplug the program
// prints `CRONO-HOTPLUG device_del e1` on the console and the harness sends
// that command to QEMU's monitor (tests/vm/lib.sh, run_qemu_monitored).
//
// Setup installed is different: a real Debian system where the module was
// installed through DKMS, loaded by modprobe and the one edu device bound by
// the system, the program run as an UNPRIVILEGED member of group crono (the
// udev rule gives /dev/crono_* and the bound device's resource files group
// crono, mode 0660) with the default RLIMIT_MEMLOCK of 8 MiB:
//
//     crono_vmtest --setup=installed
//
// No --module: installed_module checks what the system did instead of
// load_module and bind_new_id (and fails when run as root),
// installed_permission checks the permission model from the member's side, and
// then the scenarios that need neither root, nor a second board, nor more than
// 4 MiB pinned at once run as usual. The module is neither unloaded nor
// rebound. Since /proc/sys/vm/stat_refresh is root only, the pin counters are
// read once they have settled (vmtest.h, read_pins_settled): slower, so the
// watchdogs are four times as long in this setup.
//
// Rules the program keeps:
// - A scenario that cannot run (its prerequisite failed, or the setup lacks
// what it needs) is
//   reported `not ok`, never skipped. The list of scenarios depends only on
//   --setup.
// - After every scenario the pinned-page counters must be where they were
// before it, so a leak
//   fails the scenario that caused it; pins_balanced checks the absolute
//   balance at the end.
// - An alarm() watchdog per scenario: if one hangs, it is reported `not ok`,
// the rest as not run,
//   the summary is printed and the program exits. SIGSEGV/SIGBUS in a scenario
//   fail that scenario only (its files and mappings are closed) and the run
//   goes on.
// - Every edu transfer is at most 2048 bytes at device address 0x40000 (QEMU
// aborts the VM on
//   an out-of-range transfer); see edu.h.

#include "edu.h"
#include "vmtest.h"

#include <atomic>
#include <climits>
#include <cstddef>
#include <elf.h>
#include <linux/capability.h>
#include <linux/ioctl.h>
#include <linux/userfaultfd.h>
#include <mutex>
#include <poll.h>
#include <set>
#include <setjmp.h>
#include <sstream>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <thread>

using namespace vt;

// =============================================================================================
// Compile-time ABI checks: a struct laid out the way the vendor's header does
// it (real pointer types, plain C types) must have the same size and offsets as
// ours (u64 integers), and the vendor's way of spelling the requests (_IOWR
// with a pointer type) must give our literals.

namespace vendor {
typedef struct {
	uint32_t addr;
	uint32_t data;
} CRONO_KERNEL_CMD;
typedef struct {
	void *addr;
	size_t size;
	uint64_t *pages;
	uint64_t upages;
	uint32_t pages_count;
	int id;
} CRONO_SG_BUFFER_INFO;
typedef struct {
	size_t size;
	void *addr;
	void *pUserAddr;
	uint64_t dma_handle;
	int id;
} CRONO_CONTIG_BUFFER_INFO;
typedef struct {
	CRONO_KERNEL_CMD *cmds;
	uint64_t ucmds;
	uint32_t count;
} CRONO_KERNEL_CMDS_INFO;
struct crono_dev_DBDF {
	unsigned int domain;
	unsigned int bus;
	unsigned int dev;
	unsigned int func;
};
} // namespace vendor

#define SAME_FIELD(T, f)                                                       \
	static_assert(                                                         \
		offsetof(::T, f) == offsetof(vendor::T, f) &&                  \
			sizeof(static_cast<::T *>(nullptr)->f) ==              \
				sizeof(static_cast<vendor::T *>(nullptr)->f),  \
		"vendor layout differs: " #T "." #f)
#define SAME_SIZE(T)                                                           \
	static_assert(sizeof(::T) == sizeof(vendor::T),                        \
		      "vendor size differs: " #T)

SAME_SIZE(CRONO_SG_BUFFER_INFO);
SAME_FIELD(CRONO_SG_BUFFER_INFO, addr);
SAME_FIELD(CRONO_SG_BUFFER_INFO, size);
SAME_FIELD(CRONO_SG_BUFFER_INFO, pages);
SAME_FIELD(CRONO_SG_BUFFER_INFO, upages);
SAME_FIELD(CRONO_SG_BUFFER_INFO, pages_count);
SAME_FIELD(CRONO_SG_BUFFER_INFO, id);
SAME_SIZE(CRONO_CONTIG_BUFFER_INFO);
SAME_FIELD(CRONO_CONTIG_BUFFER_INFO, size);
SAME_FIELD(CRONO_CONTIG_BUFFER_INFO, addr);
SAME_FIELD(CRONO_CONTIG_BUFFER_INFO, pUserAddr);
SAME_FIELD(CRONO_CONTIG_BUFFER_INFO, dma_handle);
SAME_FIELD(CRONO_CONTIG_BUFFER_INFO, id);
SAME_SIZE(CRONO_KERNEL_CMD);
SAME_FIELD(CRONO_KERNEL_CMD, addr);
SAME_FIELD(CRONO_KERNEL_CMD, data);
SAME_SIZE(CRONO_KERNEL_CMDS_INFO);
SAME_FIELD(CRONO_KERNEL_CMDS_INFO, cmds);
SAME_FIELD(CRONO_KERNEL_CMDS_INFO, ucmds);
SAME_FIELD(CRONO_KERNEL_CMDS_INFO, count);
SAME_SIZE(crono_dev_DBDF);
SAME_FIELD(crono_dev_DBDF, domain);
SAME_FIELD(crono_dev_DBDF, bus);
SAME_FIELD(crono_dev_DBDF, dev);
SAME_FIELD(crono_dev_DBDF, func);
static_assert(sizeof(CRONO_SG_BUFFER_INFO) == 40 &&
		      sizeof(CRONO_CONTIG_BUFFER_INFO) == 40 &&
		      sizeof(CRONO_KERNEL_CMDS_INFO) == 24 &&
		      sizeof(CRONO_KERNEL_CMD) == 8,
	      "ABI sizes");

static_assert(_IOWR('c', 0, void *) == IOCTL_CRONO_LOCK_BUFFER,
	      "LOCK_BUFFER number");
static_assert(_IOWR('c', 1, void *) == IOCTL_CRONO_UNLOCK_BUFFER,
	      "UNLOCK_BUFFER number");
static_assert(_IOWR('c', 2, void *) == IOCTL_CRONO_CLEANUP_SETUP,
	      "CLEANUP_SETUP number");
static_assert(_IOWR('c', 3, void *) == IOCTL_CRONO_LOCK_CONTIG_BUFFER,
	      "LOCK_CONTIG number");
static_assert(_IOWR('c', 4, void *) == IOCTL_CRONO_UNLOCK_CONTIG_BUFFER,
	      "UNLOCK_CONTIG number");
static_assert(_IOWR('c', 5, void *) == IOCTL_CRONO_RESERVED_HUGE_LOCK_BUFFER,
	      "reserved nr 5");
// The vendor header passes a pointer to the argument's type: still size 8.
static_assert(_IOWR('c', 0, vendor::CRONO_SG_BUFFER_INFO *) ==
		      IOCTL_CRONO_LOCK_BUFFER,
	      "sg *");
static_assert(_IOWR('c', 2, vendor::CRONO_KERNEL_CMDS_INFO *) ==
		      IOCTL_CRONO_CLEANUP_SETUP,
	      "cmds *");
static_assert(_IOWR('c', 3, vendor::CRONO_CONTIG_BUFFER_INFO *) ==
		      IOCTL_CRONO_LOCK_CONTIG_BUFFER,
	      "contig *");
static_assert(IOCTL_CRONO_LOCK_BUFFER == 0xC0086300u &&
		      IOCTL_CRONO_UNLOCK_BUFFER == 0xC0086301u &&
		      IOCTL_CRONO_CLEANUP_SETUP == 0xC0086302u &&
		      IOCTL_CRONO_LOCK_CONTIG_BUFFER == 0xC0086303u &&
		      IOCTL_CRONO_UNLOCK_CONTIG_BUFFER == 0xC0086304u,
	      "ABI.md request values");

// =============================================================================================
// Environment

namespace {

enum SetupBits : unsigned {
	PLAIN = 1,
	IOMMU = 2,
	SWIOTLB = 4,
	MANY = 8,     // 40 boards behind PCI-PCI bridges: only many_boards
	HOTPLUG = 16, // one board in a hotpluggable slot: only hot_unplug
	// Installed through DKMS, loaded and bound by the system, run
	// unprivileged in group crono.
	INSTALLED = 32,
};
constexpr unsigned ALL = PLAIN | IOMMU | SWIOTLB; // the full setups
constexpr unsigned DMA_OK = PLAIN | IOMMU; // setups where LOCK_BUFFER can work
// The load/bind/unload frame around every setup's scenarios.
constexpr unsigned FRAME = ALL | MANY | HOTPLUG;

constexpr size_t kManyBoards = 40;

const std::string kModName = CRONO_MODULE_NAME;
const std::string kModDir = "/sys/module/" CRONO_MODULE_NAME;
const std::string kDrvDir = "/sys/bus/pci/drivers/" CRONO_DRIVER_NAME;

struct Env {
	unsigned setup = 0;
	std::string setup_name;
	std::string module_path;
	std::vector<std::unique_ptr<Board>> boards;
	bool module_loaded = false;
	bool bound = false;    // every board bound to the driver
	bool bars = false;     // every board's BAR0 mapped through resource0
	bool unloaded = false; // unload_no_leak removed the module
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
Env g;

Board &board(size_t i)
{
	return *g.boards.at(i);
}

// Errors a bad-range LOCK_BUFFER may give. Under swiotlb=force the ABI does not
// say whether the swiotlb refusal (EOPNOTSUPP) or the range check (EFAULT)
// comes first, so both are accepted there; elsewhere only EFAULT.
std::vector<int> fault_errs()
{
	if (g.swiotlb())
		return { EFAULT, EOPNOTSUPP };
	return { EFAULT };
}

Fd open_node(const Board &b, int *err = nullptr, int flags = O_RDWR)
{
	return open_fd(b.node(), flags, err);
}

// Open board i's node or record a failure.
Fd open_node_checked(size_t i)
{
	int e = 0;
	Fd fd = open_node(board(i), &e);
	if (!fd.valid())
		VT_FAIL("open %s: %s", board(i).node().c_str(),
			errno_name(e).c_str());
	return fd;
}

SysRes finit_module_path(const std::string &path)
{
	int e = 0;
	Fd fd = open_fd(path, O_RDONLY, &e);
	if (!fd.valid())
		return SysRes{ -1, e };
	return VT_SYS(syscall(SYS_finit_module, fd.get(), "", 0));
}

// delete_module with O_NONBLOCK; retried for a while when the module is still
// in use (a file released by an exiting child is let go asynchronously at
// worst).
SysRes delete_module_retry(double timeout_s)
{
	double end = now_s() + timeout_s;
	for (;;) {
		SysRes r = VT_SYS(syscall(SYS_delete_module, kModName.c_str(),
					  O_NONBLOCK));
		if (r.ok() || (r.err != EAGAIN && r.err != EBUSY) ||
		    now_s() > end)
			return r;
		sleep_ms(50);
	}
}

std::string module_refcnt()
{
	std::string s;
	if (!read_file(kModDir + "/refcnt", &s))
		return "?";
	return trim(s);
}

int bind_new_id()
{
	return write_file(kDrvDir + "/new_id",
			  strf("%04x %04x", kEduVendor, kEduDevice));
}

std::vector<std::string> crono_nodes()
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

// Groups read from /etc/group directly: getgrgid/getgrnam in a static program
// need the NSS modules at run time (and the linker warns about it). The
// package creates group crono with addgroup --system, i.e. in /etc/group.
struct GroupEntry {
	std::string name;
	gid_t gid = 0;
};

std::vector<GroupEntry> etc_group()
{
	std::vector<GroupEntry> v;
	std::string text;
	if (!read_file("/etc/group", &text))
		return v;
	size_t pos = 0;
	while (pos < text.size()) {
		size_t nl = text.find('\n', pos);
		if (nl == std::string::npos)
			nl = text.size();
		std::string line = text.substr(pos, nl - pos);
		pos = nl + 1;
		// name:password:gid:members
		std::vector<std::string> f;
		size_t a = 0;
		for (;;) {
			size_t c = line.find(':', a);
			f.push_back(line.substr(a, c == std::string::npos
							   ? std::string::npos
							   : c - a));
			if (c == std::string::npos)
				break;
			a = c + 1;
		}
		if (f.size() < 3 || f[0].empty() || f[2].empty())
			continue;
		char *end = nullptr;
		unsigned long gid = strtoul(f[2].c_str(), &end, 10);
		if (*end)
			continue;
		GroupEntry e;
		e.name = f[0];
		e.gid = static_cast<gid_t>(gid);
		v.push_back(e);
	}
	return v;
}

// The name of group gid in /etc/group, or "" when it has none.
std::string group_name(gid_t gid)
{
	for (auto &e : etc_group())
		if (e.gid == gid)
			return e.name;
	return "";
}

// The gid of group `name` in /etc/group.
bool group_gid(const std::string &name, gid_t *gid)
{
	for (auto &e : etc_group())
		if (e.name == name) {
			*gid = e.gid;
			return true;
		}
	return false;
}

const char kCronoGroup[] = "crono";

// Whether the process has gid among its effective or supplementary groups.
bool in_group(gid_t gid)
{
	if (getegid() == gid)
		return true;
	int n = getgroups(0, nullptr);
	if (n <= 0)
		return false;
	std::vector<gid_t> v(static_cast<size_t>(n));
	n = getgroups(n, v.data());
	for (int i = 0; i < n; i++)
		if (v[static_cast<size_t>(i)] == gid)
			return true;
	return false;
}

// "crono (gid 107)" for messages.
std::string group_str(gid_t gid)
{
	std::string n = group_name(gid);
	return strf("%s (gid %u)",
		    n.empty() ? "(no name in /etc/group)" : n.c_str(),
		    static_cast<unsigned>(gid));
}

// The strings of the .modinfo section of an ELF64 module file.
bool modinfo_strings(const std::string &path, std::vector<std::string> *outv,
		     std::string *err)
{
	std::string data;
	int e = 0;
	if (!read_file(path, &data, &e)) {
		*err = "read " + path + ": " + errno_name(e);
		return false;
	}
	Elf64_Ehdr eh;
	if (data.size() < sizeof eh) {
		*err = "module file too short";
		return false;
	}
	memcpy(&eh, data.data(), sizeof eh);
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64) {
		*err = "module file is not ELF64";
		return false;
	}
	if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff == 0 ||
	    eh.e_shoff + static_cast<uint64_t>(eh.e_shnum) *
				    sizeof(Elf64_Shdr) >
		    data.size() ||
	    eh.e_shstrndx >= eh.e_shnum) {
		*err = "bad ELF section header table";
		return false;
	}
	std::vector<Elf64_Shdr> sh(eh.e_shnum);
	memcpy(sh.data(), data.data() + eh.e_shoff,
	       eh.e_shnum * sizeof(Elf64_Shdr));
	const Elf64_Shdr &strs = sh[eh.e_shstrndx];
	if (strs.sh_offset + strs.sh_size > data.size()) {
		*err = "bad ELF section name table";
		return false;
	}
	for (auto &s : sh) {
		if (s.sh_name >= strs.sh_size)
			continue;
		const char *name = data.data() + strs.sh_offset + s.sh_name;
		if (strnlen(name, strs.sh_size - s.sh_name) ==
			    strs.sh_size - s.sh_name ||
		    strcmp(name, ".modinfo") != 0)
			continue;
		if (s.sh_offset + s.sh_size > data.size()) {
			*err = ".modinfo outside the file";
			return false;
		}
		std::string mi(data.data() + s.sh_offset, s.sh_size);
		size_t pos = 0;
		while (pos < mi.size()) {
			size_t z = mi.find('\0', pos);
			if (z == std::string::npos)
				z = mi.size();
			if (z > pos)
				outv->push_back(mi.substr(pos, z - pos));
			pos = z + 1;
		}
		return true;
	}
	*err = "no .modinfo section";
	return false;
}

// =============================================================================================
// Scenarios: module, binding, node

void s_load_module()
{
	if (is_dir(kModDir)) {
		VT_FAIL("module was already loaded before the test (refcnt %s)",
			module_refcnt().c_str());
		g.module_loaded = true;
		return;
	}
	if (!EXPECT_OK("finit_module(" + g.module_path + ")",
		       finit_module_path(g.module_path).rc))
		return;
	g.module_loaded = is_dir(kModDir);
	CHECK_MSG(g.module_loaded, "%s missing after finit_module",
		  kModDir.c_str());
	std::string st;
	CHECK_MSG(read_file(kModDir + "/initstate", &st) && trim(st) == "live",
		  "module initstate is '%s', expected 'live'",
		  trim(st).c_str());
	CHECK_MSG(is_dir(kDrvDir),
		  "%s missing: pci_driver.name is not " CRONO_DRIVER_NAME "?",
		  kDrvDir.c_str());
}

// What can really be verified without modinfo (/lib/modules is absent in the
// guest): the alias that modpost generated from the driver's PCI id table, read
// straight from the .ko's .modinfo section (this is what `modinfo` prints and
// what udev's autoload matches), and that the loaded module owns the
// pci_driver. The id table itself is not visible in sysfs, and QEMU has no
// 0x1A13 device to bind, so the table's effect is checked only through this
// alias.
void s_modalias()
{
	std::vector<std::string> mi;
	std::string err;
	REQUIRE_MSG(modinfo_strings(g.module_path, &mi, &err), "%s",
		    err.c_str());
	const std::string want = "alias=pci:v00001A13d*sv*sd*bc*sc*i*";
	bool found = false;
	std::string aliases;
	for (auto &s : mi) {
		if (s.compare(0, 6, "alias=") != 0)
			continue;
		aliases += (aliases.empty() ? "" : ", ") + s.substr(6);
		if (s == want)
			found = true;
		CHECK_MSG(lower(s).find("v00001234") == std::string::npos,
			  "module claims the QEMU test device statically: %s",
			  s.c_str());
	}
	CHECK_MSG(found, "no '%s' in .modinfo (aliases: %s)", want.c_str(),
		  aliases.empty() ? "none" : aliases.c_str());
	CHECK_MSG(exists(kModDir + "/drivers/pci:" CRONO_DRIVER_NAME),
		  "%s/drivers/pci:" CRONO_DRIVER_NAME " missing",
		  kModDir.c_str());
	std::string mod = basename_of(readlink_str(kDrvDir + "/module"));
	CHECK_MSG(mod == kModName, "%s/module points to '%s'", kDrvDir.c_str(),
		  mod.c_str());
}

void s_bind_new_id()
{
	REQUIRE_MSG(!g.boards.empty(),
		    "no edu device (1234:11e8) in /sys/bus/pci/devices");
	CHECK_MSG(g.boards.size() == g.expected_boards(),
		  "found %zu edu devices, setup %s should have %zu",
		  g.boards.size(), g.setup_name.c_str(), g.expected_boards());
	for (auto &b : g.boards) {
		std::string drv =
			basename_of(readlink_str(b->sysfs() + "/driver"));
		CHECK_MSG(drv.empty(), "%s was bound to '%s' before new_id",
			  b->pci.c_str(), drv.c_str());
	}
	int e = bind_new_id();
	REQUIRE_MSG(e == 0, "write %s/new_id: %s", kDrvDir.c_str(),
		    errno_name(e).c_str());
	bool all = true;
	for (auto &b : g.boards) {
		bool link = exists(kDrvDir + "/" + b->pci);
		std::string drv =
			basename_of(readlink_str(b->sysfs() + "/driver"));
		if (!link || drv != CRONO_DRIVER_NAME) {
			VT_FAIL("%s not bound after new_id (link in driver "
				"dir: %s, driver: '%s')",
				b->pci.c_str(), link ? "yes" : "no",
				drv.c_str());
			all = false;
		}
	}
	g.bound = all;
}

// Setup installed, instead of load_module and bind_new_id: what DKMS, modprobe
// and the system's binding did, seen by an unprivileged process. Sets
// g.module_loaded and g.bound only when every check passed.
void s_installed_module()
{
	const uid_t euid = geteuid();
	CHECK_MSG(euid != 0,
		  "running as root (euid 0): setup installed checks the "
		  "driver as an unprivileged member of group %s; run it as "
		  "such a user (e.g. setpriv --reuid=USER --regid=GROUP "
		  "--init-groups)",
		  kCronoGroup);
	REQUIRE_MSG(is_dir(kModDir),
		    "%s missing: the module is not loaded (installed through "
		    "DKMS and loaded by modprobe?)",
		    kModDir.c_str());
	std::string ver, st;
	int e = 0;
	bool have_ver = read_file(kModDir + "/version", &ver, &e);
	ver = trim(ver);
	CHECK_MSG(have_ver && !ver.empty(), "%s/version: %s", kModDir.c_str(),
		  have_ver ? "empty" : errno_name(e).c_str());
	CHECK_MSG(read_file(kModDir + "/initstate", &st) && trim(st) == "live",
		  "module initstate is '%s', expected 'live'",
		  trim(st).c_str());
	REQUIRE_MSG(is_dir(kDrvDir),
		    "%s missing: pci_driver.name is not " CRONO_DRIVER_NAME "?",
		    kDrvDir.c_str());
	REQUIRE_MSG(!g.boards.empty(),
		    "no edu device (1234:11e8) in /sys/bus/pci/devices");
	std::string bound;
	for (auto &b : g.boards) {
		std::string drv =
			basename_of(readlink_str(b->sysfs() + "/driver"));
		bool link = exists(kDrvDir + "/" + b->pci);
		CHECK_MSG(drv == CRONO_DRIVER_NAME && link,
			  "%s is not bound to " CRONO_DRIVER_NAME
			  " (driver: '%s', link in %s: %s)",
			  b->pci.c_str(), drv.empty() ? "none" : drv.c_str(),
			  kDrvDir.c_str(), link ? "yes" : "no");
		bound += " " + b->pci;
	}
	out(strf("# installed_module: %s version %s, euid %u egid %u, edu "
		 "devices:%s\n",
		 kModName.c_str(), ver.empty() ? "?" : ver.c_str(),
		 static_cast<unsigned>(euid), static_cast<unsigned>(getegid()),
		 bound.c_str()));
	if (!cur().failed())
		g.module_loaded = g.bound = true;
}

// Setup installed: the permission model from the member's side. The process
// is in group crono, the node and BAR0's resource file belong to group crono
// with mode 0660 exactly (not to us, and nothing for others), and the node
// opens read-write.
void s_installed_permission()
{
	gid_t crono = 0;
	REQUIRE_MSG(group_gid(kCronoGroup, &crono),
		    "no group %s in /etc/group (does the package create it?)",
		    kCronoGroup);
	CHECK_MSG(in_group(crono),
		  "the process (euid %u, egid %u) is not in group %s (gid %u)",
		  static_cast<unsigned>(geteuid()),
		  static_cast<unsigned>(getegid()), kCronoGroup,
		  static_cast<unsigned>(crono));
	REQUIRE_MSG(!g.boards.empty(), "no edu device");
	const uid_t euid = geteuid();
	auto check_file = [&](const std::string &path, bool chr) {
		struct stat st;
		if (stat(path.c_str(), &st) != 0) {
			VT_FAIL("stat %s: %s", path.c_str(),
				errno_name(errno).c_str());
			return;
		}
		CHECK_MSG(chr ? S_ISCHR(st.st_mode) : S_ISREG(st.st_mode),
			  "%s is not a %s", path.c_str(),
			  chr ? "character device" : "regular file");
		CHECK_MSG(st.st_gid == crono,
			  "%s has group %s, expected %s (gid %u)", path.c_str(),
			  group_str(st.st_gid).c_str(), kCronoGroup,
			  static_cast<unsigned>(crono));
		CHECK_MSG((st.st_mode & 07777) == 0660,
			  "%s has mode %04o, expected 0660", path.c_str(),
			  st.st_mode & 07777);
		// So the access below is through the group, not ownership.
		CHECK_MSG(st.st_uid != euid,
			  "%s is owned by the test user (uid %u): access would "
			  "not prove the group rule",
			  path.c_str(), static_cast<unsigned>(st.st_uid));
	};
	for (size_t i = 0; i < g.boards.size(); i++) {
		const Board &b = board(i);
		check_file(b.node(), true);
		int e = 0;
		Fd fd = open_node(b, &e);
		CHECK_MSG(fd.valid(), "open %s O_RDWR: %s", b.node().c_str(),
			  errno_name(e).c_str());
		if (fd.valid())
			CHECK_MSG(fd.reset() == 0, "close %s: %s",
				  b.node().c_str(), errno_name(errno).c_str());
		const std::string res = b.sysfs() + "/resource0";
		check_file(res, false);
		Fd r = open_fd(res, O_RDWR, &e);
		CHECK_MSG(r.valid(), "open %s O_RDWR: %s", res.c_str(),
			  errno_name(e).c_str());
	}
}

void s_node_name_mode()
{
	for (auto &b : g.boards) {
		std::string name = b->node_name(), path = b->node();
		CHECK_MSG(name.size() + 1 <= CRONO_DEV_NAME_MAX_SIZE,
			  "name %s longer than %d", name.c_str(),
			  CRONO_DEV_NAME_MAX_SIZE);
		// devtmpfs creates the node during device_add; allow a moment
		// anyway.
		wait_until(2.0, [&] { return exists(path); });
		struct stat st;
		if (stat(path.c_str(), &st) != 0) {
			VT_FAIL("%s for %s: %s (nodes present: %zu)",
				path.c_str(), b->pci.c_str(),
				errno_name(errno).c_str(),
				crono_nodes().size());
			continue;
		}
		CHECK_MSG(S_ISCHR(st.st_mode), "%s is not a character device",
			  path.c_str());
		CHECK_MSG((st.st_mode & 07777) == 0660,
			  "%s has mode %04o, expected 0660", path.c_str(),
			  st.st_mode & 07777);
		// Installed, the udev rule gives the node to group crono (the
		// initramfs has no udev: there it stays root's).
		if (g.installed())
			CHECK_MSG(group_name(st.st_gid) == kCronoGroup,
				  "%s has group %s, expected %s (the udev "
				  "rule of the package)",
				  path.c_str(), group_str(st.st_gid).c_str(),
				  kCronoGroup);
		CHECK_MSG(major(st.st_rdev) == 10,
			  "%s has major %u, expected 10 (misc)", path.c_str(),
			  major(st.st_rdev));
		std::string dev;
		CHECK_MSG(read_file("/sys/class/misc/" + name + "/dev", &dev) &&
				  trim(dev) == strf("%u:%u", major(st.st_rdev),
						    minor(st.st_rdev)),
			  "/sys/class/misc/%s/dev is '%s'", name.c_str(),
			  trim(dev).c_str());
	}
	auto nodes = crono_nodes();
	CHECK_MSG(nodes.size() == g.boards.size(),
		  "%zu /dev/crono_* nodes for %zu boards", nodes.size(),
		  g.boards.size());
}

// BAR0 through resource0 while the driver is bound and the node is open (the
// driver must not keep the region requested), config space readable, bus
// mastering on.
void s_bar_access()
{
	bool all = true;
	for (size_t i = 0; i < g.boards.size(); i++) {
		Board &b = board(i);
		Fd fd = open_node_checked(i);
		if (!fd.valid()) {
			all = false;
			continue;
		}
		std::string err;
		if (!b.bar.open_bar(b.sysfs(), &err)) {
			VT_FAIL("%s: %s", b.pci.c_str(), err.c_str());
			all = false;
			continue;
		}
		CHECK_MSG(b.bar.size() == kEduBarLen,
			  "%s: BAR0 is %zu bytes, expected %llu", b.pci.c_str(),
			  b.bar.size(),
			  static_cast<unsigned long long>(kEduBarLen));
		uint32_t id = b.bar.r32(REG_ID);
		if (id != kEduIdValue) {
			VT_FAIL("%s: BAR0 id register reads 0x%08x",
				b.pci.c_str(), id);
			all = false;
		}
		uint32_t v = 0x13572468u + static_cast<uint32_t>(i);
		b.bar.w32(REG_LIVE, v);
		CHECK_MSG(b.bar.r32(REG_LIVE) == ~v,
			  "%s: liveness register does not invert",
			  b.pci.c_str());
		uint8_t cfg[64] = {};
		Fd c = open_fd(b.sysfs() + "/config", O_RDONLY);
		ssize_t n = c.valid() ? pread(c.get(), cfg, sizeof cfg, 0) : -1;
		if (n != static_cast<ssize_t>(sizeof cfg)) {
			VT_FAIL("%s: reading config space: %s", b.pci.c_str(),
				errno_name(errno).c_str());
			all = false;
			continue;
		}
		unsigned ven = cfg[0] | cfg[1] << 8, dev = cfg[2] | cfg[3] << 8,
			 cmd = cfg[4];
		CHECK_MSG(ven == kEduVendor && dev == kEduDevice,
			  "%s: config reads %04x:%04x", b.pci.c_str(), ven,
			  dev);
		CHECK_MSG(cmd & 0x4,
			  "%s: bus mastering is off while the device is open "
			  "(command "
			  "0x%02x)",
			  b.pci.c_str(), cmd);
		CHECK_MSG(cmd & 0x2,
			  "%s: memory decoding is off (command 0x%02x)",
			  b.pci.c_str(), cmd);
	}
	// The DMA scenarios need the mappings; the other checks here fail this
	// scenario only.
	g.bars = all && !g.boards.empty();
}

void s_second_open_ebusy()
{
	const Board &b = board(0);
	Fd a = open_node_checked(0);
	REQUIRE(a.valid());
	int e = 0;
	Fd x = open_node(b, &e);
	CHECK_MSG(!x.valid() && e == EBUSY,
		  "second open O_RDWR: expected EBUSY, got %s",
		  x.valid() ? "success" : errno_name(e).c_str());
	x.reset();
	Fd y = open_node(b, &e, O_RDONLY);
	CHECK_MSG(!y.valid() && e == EBUSY,
		  "second open O_RDONLY: expected EBUSY, got %s",
		  y.valid() ? "success" : errno_name(e).c_str());
	y.reset();
	if (g.boards.size() >= 2) {
		// One open file per device, not per driver.
		Fd other = open_node(board(1), &e);
		CHECK_MSG(
			other.valid(),
			"open of the second board while the first is open: %s",
			errno_name(e).c_str());
	}
	CHECK(a.reset() == 0);
	Fd z = open_node(b, &e);
	CHECK_MSG(z.valid(), "open after the first file was closed: %s",
		  errno_name(e).c_str());
}

// =============================================================================================
// Scenarios: scatter/gather buffers and DMA

void sg_lock_scenario(size_t size, size_t nrandom, uint64_t seed)
{
	const Board &b = board(0);
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	Pins base = read_pins();
	SgBuf buf;
	bool ok = sg_lock_checked(fd.get(), size, &buf);
	// DMA only into a table that passed the checks: the device writes
	// wherever it says.
	if (ok)
		sg_dma_check(b.bar, buf, pick_pairs(buf.count, nrandom, seed));
	if (buf.locked) {
		int e = buf.unlock();
		CHECK_MSG(e == 0, "UNLOCK_BUFFER(%d): %s", buf.id,
			  errno_name(e).c_str());
	}
	CHECK_PINS(base, 0, "after UNLOCK_BUFFER, file still open");
}

void s_sg_lock_4k()
{
	sg_lock_scenario(4096, 0, 1);
}
void s_sg_lock_64k()
{
	sg_lock_scenario(64 << 10, 2, 2);
}
void s_sg_lock_4m()
{
	sg_lock_scenario(4 << 20, 2, 3);
}
void s_sg_lock_256m()
{
	sg_lock_scenario(256 << 20, 4, 4);
}

// Several buffers in one file: distinct ids, unlocking one leaves the others
// intact, and closing the file releases what is still locked.
void s_sg_multi_close()
{
	const Board &b = board(0);
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	Pins base = read_pins();
	SgBuf x, y, z;
	bool ok = sg_lock_checked(fd.get(), 64 << 10, &x);
	ok = sg_lock_checked(fd.get(), 64 << 10, &y) && ok;
	ok = sg_lock_checked(fd.get(), 64 << 10, &z) && ok;
	REQUIRE(ok);
	CHECK_MSG(x.id != y.id && y.id != z.id && x.id != z.id,
		  "ids not distinct: %d %d %d", x.id, y.id, z.id);
	CHECK_PINS(base, 48, "with three 64 KiB buffers locked");
	int e = y.unlock();
	CHECK_MSG(e == 0, "UNLOCK_BUFFER(%d): %s", y.id, errno_name(e).c_str());
	CHECK_PINS(base, 32, "after unlocking the middle buffer");
	// From a page of the first buffer to a page of the third: both tables
	// still valid.
	std::string err;
	CHECK_MSG(dma_check_pair(b.bar, x.page(3), x.table[3], z.page(7),
				 z.table[7], &err),
		  "DMA check buffer 1 page 3 -> buffer 3 page 7 after "
		  "unlocking buffer 2: %s",
		  err.c_str());
	CHECK_MSG(fd.reset() == 0, "close: %s", errno_name(errno).c_str());
	x.locked = z.locked = false;
	CHECK_PINS(base, 0, "after closing the file with two buffers locked");
}

void s_dma_addr_phys()
{
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	SgBuf buf;
	if (sg_lock_checked(fd.get(), 64 << 10, &buf)) {
		for (size_t i = 0; i < buf.count; i++) {
			std::string err;
			uint64_t pa = phys_addr_of(buf.page(i), &err);
			if (!pa) {
				VT_FAIL("page %zu: %s", i, err.c_str());
				break;
			}
			CHECK_MSG(
				buf.table[i] == pa,
				"without an IOMMU entry %zu should be the "
				"physical "
				"address 0x%llx, "
				"is 0x%llx",
				i, static_cast<unsigned long long>(pa),
				static_cast<unsigned long long>(buf.table[i]));
		}
	}
	int e = buf.unlock();
	CHECK_MSG(e == 0, "UNLOCK_BUFFER: %s", errno_name(e).c_str());
}

void s_iommu_active()
{
	size_t groups = 0;
	if (DIR *d = opendir("/sys/kernel/iommu_groups")) {
		while (struct dirent *e = readdir(d))
			if (e->d_name[0] != '.')
				groups++;
		closedir(d);
	}
	CHECK_MSG(groups > 0, "/sys/kernel/iommu_groups is empty or missing");
	for (auto &b : g.boards) {
		std::string t;
		bool have = read_file(b->sysfs() + "/iommu_group/type", &t);
		t = trim(t);
		CHECK_MSG(
			have && (t == "DMA" || t == "DMA-FQ"),
			"%s: iommu_group/type is '%s', expected DMA or DMA-FQ",
			b->pci.c_str(), have ? t.c_str() : "(missing)");
	}
}

// Behind the IOMMU the page table holds IOVAs, not physical addresses
// (pagemap): no entry may equal its page's physical address. (A coincidence is
// impossible here: the IOVA allocator works down from 4 GiB and the guest has 1
// GiB of RAM.) The DMA scenarios prove the IOVAs work.
void s_iommu_iova()
{
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	SgBuf buf;
	if (sg_lock_checked(fd.get(), 64 << 10, &buf)) {
		size_t same = 0;
		std::string sample;
		for (size_t i = 0; i < buf.count; i++) {
			std::string err;
			uint64_t pa = phys_addr_of(buf.page(i), &err);
			if (!pa) {
				VT_FAIL("page %zu: %s", i, err.c_str());
				break;
			}
			if (buf.table[i] == pa && !same++)
				sample = strf(
					"entry %zu = physical address 0x%llx",
					i, static_cast<unsigned long long>(pa));
		}
		CHECK_MSG(same == 0,
			  "%zu of %u entries equal the pages' physical "
			  "addresses, expected IOVAs "
			  "(%s)",
			  same, buf.count, sample.c_str());
	}
	int e = buf.unlock();
	CHECK_MSG(e == 0, "UNLOCK_BUFFER: %s", errno_name(e).c_str());
}

// =============================================================================================
// Scenarios: contiguous buffers

void s_contig_lock_mmap()
{
	const Board &b = board(0);
	for (size_t size : { size_t(64 << 10), size_t(4096) }) {
		Fd fd = open_node_checked(0);
		REQUIRE(fd.valid());
		ContigBuf c;
		if (!contig_lock_checked(fd.get(), size, &c)) {
			c.unlock();
			continue;
		}
		size_t last = size / kPage - 1;
		std::string err;
		CHECK_MSG(dma_check_pair(b.bar, c.page(0), c.dma, c.page(last),
					 c.dma + last * kPage, &err),
			  "%zu KiB buffer, DMA check page 0 -> page %zu: %s",
			  size >> 10, last, err.c_str());
		uint64_t t1 = next_tag(), t2 = next_tag();
		fill_pattern(c.map.data(), size, t1);
		// The library unlocks before it unmaps: the memory must stay
		// valid until munmap.
		int e = c.unlock();
		CHECK_MSG(e == 0, "UNLOCK_CONTIG_BUFFER(%d): %s", c.id,
			  errno_name(e).c_str());
		CHECK_MSG(find_mismatch(c.map.data(), size, t1) < 0,
			  "%zu KiB buffer: contents changed by "
			  "UNLOCK_CONTIG_BUFFER",
			  size >> 10);
		fill_pattern(c.map.data(), size, t2);
		CHECK_MSG(find_mismatch(c.map.data(), size, t2) < 0,
			  "%zu KiB buffer: mapping not writable after "
			  "UNLOCK_CONTIG_BUFFER",
			  size >> 10);
		// The id no longer names a buffer of this file.
		Mapping again = Mapping::map(
			size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(),
			static_cast<off_t>(c.id) * static_cast<off_t>(kPage));
		CHECK_MSG(!again.ok() && again.err() == EINVAL,
			  "mmap of an unlocked buffer's id: expected EINVAL, "
			  "got %s",
			  again.ok() ? "success"
				     : errno_name(again.err()).c_str());
		again.reset();
		CHECK_MSG(c.map.reset() == 0, "munmap: %s",
			  errno_name(errno).c_str());
	}
}

// Whether the device's DMA goes through an IOMMU translation: it is in an
// IOMMU group whose domain is not the identity (passthrough) one. Without one,
// DMA handles are physical addresses.
bool dma_translated(const Board &b)
{
	if (!exists(b.sysfs() + "/iommu_group"))
		return false;
	std::string t;
	if (!read_file(b.sysfs() + "/iommu_group/type", &t))
		return true; // grouped, domain type unknown: assume translated
	return trim(t) != "identity";
}

// Memory unlocked while still mapped is not freed under the mapping: new
// buffers allocated meanwhile do not alias it.
void s_contig_unlock_keeps_memory()
{
	const size_t size = 64 << 10;
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	ContigBuf a;
	REQUIRE(contig_lock_checked(fd.get(), size, &a));
	uint64_t ta = next_tag();
	fill_pattern(a.map.data(), size, ta);
	int e = a.unlock();
	CHECK_MSG(e == 0, "UNLOCK_CONTIG_BUFFER(%d): %s", a.id,
		  errno_name(e).c_str());
	ContigBuf more[4];
	uint64_t tb[4];
	for (int k = 0; k < 4; k++) {
		if (!contig_lock_checked(fd.get(), size, &more[k]))
			continue;
		tb[k] = next_tag();
		fill_pattern(more[k].map.data(), size, tb[k]);
		// Without an IOMMU the handle is the physical address:
		// overlapping ranges mean the unlocked memory was handed out
		// again while still mapped. (Installed, whether the guest
		// translates DMA is read from sysfs.)
		if (g.installed() ? !dma_translated(board(0))
				  : g.setup != IOMMU)
			CHECK_MSG(more[k].dma + size <= a.dma ||
					  a.dma + size <= more[k].dma,
				  "new buffer at 0x%llx overlaps the unlocked "
				  "but still mapped one "
				  "at 0x%llx",
				  static_cast<unsigned long long>(more[k].dma),
				  static_cast<unsigned long long>(a.dma));
	}
	CHECK_MSG(find_mismatch(a.map.data(), size, ta) < 0,
		  "unlocked-but-mapped buffer was overwritten by new "
		  "allocations");
	for (int k = 0; k < 4; k++) {
		if (!more[k].map.ok())
			continue;
		CHECK_MSG(find_mismatch(more[k].map.data(), size, tb[k]) < 0,
			  "buffer %d was overwritten through the unlocked "
			  "buffer's mapping",
			  k);
		e = more[k].unlock();
		CHECK_MSG(e == 0, "UNLOCK_CONTIG_BUFFER(%d): %s", more[k].id,
			  errno_name(e).c_str());
		more[k].map.reset();
	}
	a.map.reset();
}

// =============================================================================================
// Scenarios: cleanup programs

void s_cleanup_on_close()
{
	const EduBar &bar = board(0).bar;
	const uint32_t before = 0x11111111u, v = 0x5a5a0001u;
	bar.w32(REG_LIVE, before);
	REQUIRE_MSG(bar.r32(REG_LIVE) == ~before,
		    "liveness register does not work");
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	// The maximum of 16 writes, in order: the last one must win.
	std::vector<CRONO_KERNEL_CMD> cmds;
	for (uint32_t i = 0; i < 15; i++)
		cmds.push_back(kcmd(REG_LIVE, 0xa0000000u + i));
	cmds.push_back(kcmd(REG_LIVE, v));
	int e = cleanup_setup(fd.get(), cmds);
	REQUIRE_MSG(e == 0, "CLEANUP_SETUP with 16 writes: %s",
		    errno_name(e).c_str());
	CHECK_MSG(bar.r32(REG_LIVE) == ~before,
		  "CLEANUP_SETUP wrote to the device at once");
	CHECK(fd.reset() == 0);
	uint32_t got = bar.r32(REG_LIVE);
	CHECK_MSG(got == ~v,
		  "after close the liveness register reads 0x%08x, expected "
		  "~0x%08x%s",
		  got, v,
		  got == ~before
			  ? " (cleanup program did not run)"
			  : (got == ~0xa0000000u
				     ? " (writes replayed in reverse order?)"
				     : ""));
	// A new file starts without a program.
	const uint32_t later = 0x22222222u;
	bar.w32(REG_LIVE, later);
	Fd fd2 = open_node_checked(0);
	REQUIRE(fd2.valid());
	CHECK(fd2.reset() == 0);
	CHECK_MSG(bar.r32(REG_LIVE) == ~later,
		  "a close without CLEANUP_SETUP wrote to the device (0x%08x)",
		  bar.r32(REG_LIVE));
}

bool edu_fact_idle(const EduBar &bar)
{
	return wait_until(2.0, [&] { return !(bar.r32(REG_STATUS) & 1); });
}

// A second CLEANUP_SETUP replaces the first program: only the second runs on
// close. Seen through the factorial register, which the first program writes
// and the second does not.
void s_cleanup_replaces()
{
	const EduBar &bar = board(0).bar;
	REQUIRE_MSG(edu_fact_idle(bar), "edu factorial unit busy");
	bar.w32(REG_FACT, 3);
	REQUIRE_MSG(edu_fact_idle(bar) && bar.r32(REG_FACT) == 6,
		    "edu factorial register does not work (3! read as %u)",
		    bar.r32(REG_FACT));
	const uint32_t v = 0x5a5a0002u;
	bar.w32(REG_LIVE, 0);
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	int e = cleanup_setup(fd.get(), { kcmd(REG_FACT, 4) });
	CHECK_MSG(e == 0, "first CLEANUP_SETUP: %s", errno_name(e).c_str());
	e = cleanup_setup(fd.get(), { kcmd(REG_LIVE, v) });
	CHECK_MSG(e == 0, "second CLEANUP_SETUP: %s", errno_name(e).c_str());
	CHECK(fd.reset() == 0);
	CHECK_MSG(bar.r32(REG_LIVE) == ~v,
		  "second program did not run (0x%08x)", bar.r32(REG_LIVE));
	edu_fact_idle(bar);
	uint32_t f = bar.r32(REG_FACT);
	CHECK_MSG(f == 6,
		  "the replaced first program ran too (factorial register %u, "
		  "4! = 24)",
		  f);
}

// SIGKILL of a process that holds buffers and a cleanup program: the program
// runs, every pin is released, and the device can be opened again.
void s_cleanup_on_sigkill()
{
	const Board &b = board(0);
	const EduBar &bar = b.bar;
	const uint32_t before = 0x33333333u, v = 0x6b6b0003u;
	const size_t sg_size = 1 << 20, sg_pages = sg_size / kPage;
	const bool sg = !g.swiotlb();
	bar.w32(REG_LIVE, before);
	Pins base = read_pins();
	int p[2];
	REQUIRE_MSG(pipe2(p, O_CLOEXEC) == 0, "pipe: %s",
		    errno_name(errno).c_str());
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		child_init(80);
		auto die = [&](const std::string &m) {
			std::string s = "E" + m + "\n";
			if (write(p[1], s.data(), s.size()) < 0) {
			}
			_exit(1);
		};
		int fd = open(b.node().c_str(), O_RDWR);
		if (fd < 0)
			die("child: open: " + errno_name(errno));
		std::vector<uint64_t> table(sg_pages);
		if (sg) {
			void *m = mmap(nullptr, sg_size, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (m == MAP_FAILED)
				die("child: mmap: " + errno_name(errno));
			CRONO_SG_BUFFER_INFO info;
			memset(&info, 0, sizeof info);
			info.addr = reinterpret_cast<uint64_t>(m);
			info.size = sg_size;
			info.upages = info.pages =
				reinterpret_cast<uint64_t>(table.data());
			info.pages_count = static_cast<uint32_t>(sg_pages);
			int e = crono_ioctl(fd, IOCTL_CRONO_LOCK_BUFFER, &info);
			if (e)
				die("child: LOCK_BUFFER: " + errno_name(e));
		}
		CRONO_CONTIG_BUFFER_INFO ci;
		memset(&ci, 0, sizeof ci);
		ci.size = 64 << 10;
		int e = crono_ioctl(fd, IOCTL_CRONO_LOCK_CONTIG_BUFFER, &ci);
		if (e)
			die("child: LOCK_CONTIG_BUFFER: " + errno_name(e));
		void *cm = mmap(nullptr, ci.size, PROT_READ | PROT_WRITE,
				MAP_SHARED, fd,
				static_cast<off_t>(ci.id) *
					static_cast<off_t>(kPage));
		if (cm == MAP_FAILED)
			die("child: mmap contiguous buffer: " +
			    errno_name(errno));
		e = cleanup_setup(fd, { kcmd(REG_LIVE, v) });
		if (e)
			die("child: CLEANUP_SETUP: " + errno_name(e));
		if (write(p[1], "R", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	REQUIRE_MSG(pid > 0, "fork: %s", errno_name(errno).c_str());
	live_children().push_back(pid);
	Fd rd(p[0]);
	struct pollfd pfd = { rd.get(), POLLIN, 0 };
	std::string msg;
	if (poll(&pfd, 1, 60000) == 1) {
		char buf[512];
		ssize_t n = read(rd.get(), buf, sizeof buf);
		if (n > 0)
			msg.assign(buf, static_cast<size_t>(n));
	}
	bool ready = msg == "R";
	if (!ready)
		VT_FAIL("child not ready: %s",
			msg.empty() ? "no answer within 60 s"
				    : trim(msg.substr(1)).c_str());
	if (ready && sg)
		CHECK_PINS(base, static_cast<int64_t>(sg_pages),
			   "while the child holds its buffer");
	if (ready)
		CHECK_MSG(bar.r32(REG_LIVE) == ~before,
			  "cleanup program ran before the kill");
	kill(pid, SIGKILL);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
	forget_child(pid);
	REQUIRE(ready);
	CHECK_MSG(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child %s",
		  wait_status_str(st).c_str());
	// The file is released during the child's exit, before it becomes a
	// zombie; allow a moment all the same.
	bool ran = wait_until(2.0, [&] { return bar.r32(REG_LIVE) == ~v; });
	CHECK_MSG(ran,
		  "after SIGKILL the liveness register reads 0x%08x, expected "
		  "~0x%08x",
		  bar.r32(REG_LIVE), v);
	bool unpinned = wait_until(2.0, [&] {
		Pins n = read_pins();
		return n.ok && base.ok && n.outstanding() == base.outstanding();
	});
	if (!unpinned)
		CHECK_PINS(base, 0, "after the killed child was reaped");
	int e = 0;
	Fd again = open_node(b, &e);
	CHECK_MSG(again.valid(), "open after the killed child: %s",
		  errno_name(e).c_str());
}

// =============================================================================================
// Scenario: swiotlb

void s_swiotlb_refused()
{
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	Kmsg kmsg;
	std::string err;
	REQUIRE_MSG(kmsg.open_at_end(&err), "%s", err.c_str());
	Mapping mem = Mapping::anon(64 << 10);
	REQUIRE(mem.ok());
	std::vector<uint64_t> table(17, 0);
	table[16] = kSentinel;
	Pins base = read_pins();
	CRONO_SG_BUFFER_INFO info;
	memset(&info, 0, sizeof info);
	info.addr = mem.addr();
	info.size = mem.size();
	info.upages = info.pages = reinterpret_cast<uint64_t>(table.data());
	info.pages_count = 16;
	info.id = -1;
	bool refused =
		EXPECT_ERRNO(EOPNOTSUPP, "LOCK_BUFFER under swiotlb=force",
			     ioctl(fd.get(), IOCTL_CRONO_LOCK_BUFFER, &info));
	if (!refused && info.id >= 0)
		unlock_sg(fd.get(), info.id);
	CHECK_PINS(base, 0, "after the refused LOCK_BUFFER, file still open");
	bool found = false;
	auto lines = kmsg.read_new();
	for (auto &l : lines) {
		std::string s = lower(l);
		if (s.find("crono") != std::string::npos &&
		    (s.find("swiotlb") != std::string::npos ||
		     s.find("bounce") != std::string::npos))
			found = true;
	}
	CHECK_MSG(found,
		  "no kernel log line from the driver mentioning swiotlb or "
		  "bounce (%zu new "
		  "records%s%s)",
		  lines.size(), lines.empty() ? "" : ", last: ",
		  lines.empty() ? "" : lines.back().c_str());
}

// =============================================================================================
// Scenarios: bad input

// LOCK_BUFFER with these fields must fail with one of `want`, leaving nothing
// pinned while the file is still open.
void lock_expect(int fd, const std::string &what, uint64_t addr, uint64_t size,
		 uint64_t upages, uint32_t count, const std::vector<int> &want)
{
	Pins base = read_pins();
	CRONO_SG_BUFFER_INFO info;
	memset(&info, 0, sizeof info);
	info.addr = addr;
	info.size = size;
	info.pages = info.upages = upages;
	info.pages_count = count;
	info.id = -1;
	SysRes r = VT_SYS(ioctl(fd, IOCTL_CRONO_LOCK_BUFFER, &info));
	expect_errno_in(__LINE__, "LOCK_BUFFER " + what, r, want);
	if (r.ok() && info.id >= 0)
		unlock_sg(fd, info.id);
	CHECK_PINS(base, 0,
		   ("after LOCK_BUFFER " + what + ", file still open").c_str());
}

struct BadLockFixture {
	Fd fd;
	Mapping mem;		     // 4 writable pages
	std::vector<uint64_t> table; // writable page table
	bool ok = false;
	BadLockFixture()
	{
		fd = open_node_checked(0);
		mem = Mapping::anon(4 * kPage);
		table.assign(64, 0);
		if (mem.ok())
			memset(mem.data(), 1, mem.size());
		ok = fd.valid() && mem.ok();
	}
	uint64_t t() const { return reinterpret_cast<uint64_t>(table.data()); }
};

void s_lock_addr_zero()
{
	BadLockFixture f;
	REQUIRE(f.ok);
	lock_expect(f.fd.get(), "addr 0", 0, kPage, f.t(), 1, { EINVAL });
	lock_expect(f.fd.get(), "addr 0, 2 pages", 0, 2 * kPage, f.t(), 2,
		    { EINVAL });
}

void s_lock_addr_unaligned()
{
	BadLockFixture f;
	REQUIRE(f.ok);
	lock_expect(f.fd.get(), "addr+1", f.mem.addr() + 1, kPage, f.t(), 1,
		    { EINVAL });
	lock_expect(f.fd.get(), "addr+2048", f.mem.addr() + 2048, kPage, f.t(),
		    1, { EINVAL });
	lock_expect(f.fd.get(), "addr+8", f.mem.addr() + 8, 2 * kPage, f.t(), 2,
		    { EINVAL });
}

void s_lock_size_zero()
{
	BadLockFixture f;
	REQUIRE(f.ok);
	lock_expect(f.fd.get(), "size 0, pages_count 0", f.mem.addr(), 0, f.t(),
		    0, { EINVAL });
	lock_expect(f.fd.get(), "size 0, pages_count 1", f.mem.addr(), 0, f.t(),
		    1, { EINVAL });
}

void s_lock_count_small()
{
	BadLockFixture f;
	REQUIRE(f.ok);
	lock_expect(f.fd.get(), "size 8192, pages_count 1", f.mem.addr(),
		    2 * kPage, f.t(), 1, { EINVAL });
	lock_expect(f.fd.get(), "size 4097, pages_count 1 (ceil is 2)",
		    f.mem.addr(), kPage + 1, f.t(), 1, { EINVAL });
	lock_expect(f.fd.get(), "size 16384, pages_count 0", f.mem.addr(),
		    4 * kPage, f.t(), 0, { EINVAL });
}

void s_lock_count_large()
{
	BadLockFixture f;
	REQUIRE(f.ok);
	lock_expect(f.fd.get(), "size 8192, pages_count 3", f.mem.addr(),
		    2 * kPage, f.t(), 3, { EINVAL });
	lock_expect(f.fd.get(), "size 4096, pages_count 2", f.mem.addr(), kPage,
		    f.t(), 2, { EINVAL });
	lock_expect(f.fd.get(), "size 8192, pages_count 0xffffffff",
		    f.mem.addr(), 2 * kPage, f.t(), 0xffffffffu, { EINVAL });
}

void s_lock_wrap()
{
	BadLockFixture f;
	REQUIRE(f.ok);
	lock_expect(f.fd.get(), "addr 0xfffffffffffff000 size 8192",
		    0xfffffffffffff000ull, 2 * kPage, f.t(), 2, { EINVAL });
	lock_expect(f.fd.get(), "addr 0xffffffffffff0000 size 128 KiB",
		    0xffffffffffff0000ull, 32 * kPage, f.t(), 32, { EINVAL });
}

void s_lock_unmapped()
{
	BadLockFixture f;
	REQUIRE(f.ok);
	uint64_t hole = unmapped_address(4 * kPage);
	REQUIRE(hole != 0);
	lock_expect(f.fd.get(), "of an unmapped range", hole, 4 * kPage, f.t(),
		    4, fault_errs());
	// Pages 0, 1 and 3 mapped (and faulted in), page 2 not: the pins taken
	// for 0 and 1 must be dropped again.
	Mapping m = Mapping::anon(4 * kPage);
	REQUIRE(m.ok());
	memset(m.data(), 1, m.size());
	REQUIRE(munmap(m.page(2), kPage) == 0);
	lock_expect(f.fd.get(), "with an unmapped third page", m.addr(),
		    4 * kPage, f.t(), 4, fault_errs());
}

void s_lock_readonly()
{
	BadLockFixture f;
	REQUIRE(f.ok);
	Mapping ro = Mapping::anon(4 * kPage, PROT_READ);
	REQUIRE(ro.ok());
	volatile uint8_t sink = ro.data()[0]; // fault in (the zero page)
	(void)sink;
	lock_expect(f.fd.get(), "of a PROT_READ range", ro.addr(), 4 * kPage,
		    f.t(), 4, fault_errs());
	Mapping m = Mapping::anon(4 * kPage);
	REQUIRE(m.ok());
	memset(m.data(), 1, m.size());
	REQUIRE(mprotect(m.page(3), kPage, PROT_READ) == 0);
	lock_expect(f.fd.get(), "with a PROT_READ last page", m.addr(),
		    4 * kPage, f.t(), 4, fault_errs());
}

void s_lock_upages_readonly()
{
	BadLockFixture f;
	REQUIRE(f.ok);
	Mapping ro = Mapping::anon(kPage, PROT_READ);
	REQUIRE(ro.ok());
	lock_expect(f.fd.get(), "with upages in a PROT_READ mapping",
		    f.mem.addr(), 4 * kPage, ro.addr(), 4, fault_errs());
	uint64_t hole = unmapped_address(kPage);
	lock_expect(f.fd.get(), "with upages unmapped", f.mem.addr(), 4 * kPage,
		    hole, 4, fault_errs());
	// Two entries writable, the other two in a read-only page.
	Mapping half = Mapping::anon(2 * kPage);
	REQUIRE(half.ok());
	REQUIRE(mprotect(half.page(1), kPage, PROT_READ) == 0);
	lock_expect(f.fd.get(), "with upages half in a PROT_READ page",
		    f.mem.addr(), 4 * kPage, half.addr() + kPage - 16, 4,
		    fault_errs());
	lock_expect(f.fd.get(), "with upages NULL", f.mem.addr(), 4 * kPage, 0,
		    4, fault_errs());
	if (!g.swiotlb()) {
		// The same buffer locks fine with a good table afterwards.
		Pins base = read_pins();
		CRONO_SG_BUFFER_INFO info;
		memset(&info, 0, sizeof info);
		info.addr = f.mem.addr();
		info.size = 4 * kPage;
		info.pages = info.upages = f.t();
		info.pages_count = 4;
		if (EXPECT_OK("LOCK_BUFFER after the rejected ones",
			      ioctl(f.fd.get(), IOCTL_CRONO_LOCK_BUFFER,
				    &info))) {
			CHECK_PINS(base, 4, "after LOCK_BUFFER of 4 pages");
			CHECK(unlock_sg(f.fd.get(), info.id) == 0);
		}
	}
}

struct Req {
	unsigned long nr;
	const char *name;
};
const Req kRequests[] = {
	{ IOCTL_CRONO_LOCK_BUFFER, "LOCK_BUFFER" },
	{ IOCTL_CRONO_UNLOCK_BUFFER, "UNLOCK_BUFFER" },
	{ IOCTL_CRONO_CLEANUP_SETUP, "CLEANUP_SETUP" },
	{ IOCTL_CRONO_LOCK_CONTIG_BUFFER, "LOCK_CONTIG_BUFFER" },
	{ IOCTL_CRONO_UNLOCK_CONTIG_BUFFER, "UNLOCK_CONTIG_BUFFER" },
};

void s_ioctl_arg_null()
{
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	for (auto &r : kRequests)
		EXPECT_ERRNO(EFAULT,
			     std::string(r.name) + " with a NULL argument",
			     ioctl(fd.get(), r.nr, nullptr));
}

void s_ioctl_arg_unmapped()
{
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	uint64_t hole = unmapped_address();
	REQUIRE(hole != 0);
	for (auto &r : kRequests)
		EXPECT_ERRNO(
			EFAULT,
			std::string(r.name) + " with an unmapped argument",
			ioctl(fd.get(), r.nr, reinterpret_cast<void *>(hole)));
	// An argument that straddles into an unmapped page.
	Mapping m = Mapping::anon(2 * kPage);
	REQUIRE(m.ok());
	REQUIRE(munmap(m.page(1), kPage) == 0);
	void *straddle = m.page(1) - 16; // 16 of the 40 bytes readable
	EXPECT_ERRNO(
		EFAULT,
		"LOCK_BUFFER with an argument running into an unmapped page",
		ioctl(fd.get(), IOCTL_CRONO_LOCK_BUFFER, straddle));
	EXPECT_ERRNO(EFAULT,
		     "LOCK_CONTIG_BUFFER with an argument running into an "
		     "unmapped page",
		     ioctl(fd.get(), IOCTL_CRONO_LOCK_CONTIG_BUFFER, straddle));
}

// Argument structs readable but not writable: the result cannot be copied back,
// so the call fails with EFAULT and must not leave a buffer behind.
void s_lock_arg_readonly()
{
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	Mapping mem = Mapping::anon(4 * kPage);
	REQUIRE(mem.ok());
	std::vector<uint64_t> table(4);
	Mapping argpage = Mapping::anon(kPage);
	REQUIRE(argpage.ok());
	CRONO_SG_BUFFER_INFO info;
	memset(&info, 0, sizeof info);
	info.addr = mem.addr();
	info.size = 4 * kPage;
	info.pages = info.upages = reinterpret_cast<uint64_t>(table.data());
	info.pages_count = 4;
	memcpy(argpage.data(), &info, sizeof info);
	CRONO_CONTIG_BUFFER_INFO ci;
	memset(&ci, 0, sizeof ci);
	ci.size = kPage;
	memcpy(argpage.data() + 64, &ci, sizeof ci);
	REQUIRE(mprotect(argpage.data(), kPage, PROT_READ) == 0);
	Pins base = read_pins();
	EXPECT_ERRNO_IN(
		fault_errs(), "LOCK_BUFFER with a read-only argument",
		ioctl(fd.get(), IOCTL_CRONO_LOCK_BUFFER, argpage.data()));
	CHECK_PINS(
		base, 0,
		"after LOCK_BUFFER with a read-only argument, file still open");
	EXPECT_ERRNO(EFAULT, "LOCK_CONTIG_BUFFER with a read-only argument",
		     ioctl(fd.get(), IOCTL_CRONO_LOCK_CONTIG_BUFFER,
			   argpage.data() + 64));
	// No buffer may have been left behind under any small id.
	for (int id = 0; id < 64; id++) {
		Mapping m = Mapping::map(kPage, PROT_READ, MAP_SHARED, fd.get(),
					 static_cast<off_t>(id) *
						 static_cast<off_t>(kPage));
		if (m.ok()) {
			VT_FAIL("a contiguous buffer with id %d exists after "
				"the failed "
				"LOCK_CONTIG_BUFFER",
				id);
			unlock_contig(fd.get(), id);
			break;
		}
	}
}

void s_ioctl_unknown()
{
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	std::vector<uint8_t> arg(
		256, 0); // valid memory, so that only the number matters
	const unsigned long reqs[] = {
		0xC0086399ul, // unknown nr
		0xC0086305ul, // reserved by a vendor branch (2 MiB-page
			      // LOCK_BUFFER)
		0xC0086306ul, 0xC008630Ful,
		0xC0286300ul, // _IOWR('c', 0, CRONO_SG_BUFFER_INFO): the
			      // "fixed" size is not ours
		0xC0086400ul, // another magic
	};
	for (unsigned long r : reqs)
		EXPECT_ERRNO(ENOTTY, strf("ioctl 0x%08lx", r),
			     ioctl(fd.get(), r, arg.data()));
}

void s_unlock_unknown_id()
{
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	for (int id : { 0, 1, 2, 12345, -1, INT_MAX, INT_MIN }) {
		EXPECT_ERRNO(EINVAL,
			     strf("UNLOCK_BUFFER(%d) with nothing locked", id),
			     ioctl(fd.get(), IOCTL_CRONO_UNLOCK_BUFFER, &id));
		EXPECT_ERRNO(
			EINVAL,
			strf("UNLOCK_CONTIG_BUFFER(%d) with nothing locked",
			     id),
			ioctl(fd.get(), IOCTL_CRONO_UNLOCK_CONTIG_BUFFER, &id));
	}
	ContigBuf c;
	contig_lock_checked(fd.get(), kPage, &c, false);
	if (c.locked) {
		int other = c.id + 1000;
		EXPECT_ERRNO(EINVAL,
			     strf("UNLOCK_CONTIG_BUFFER(%d) next to buffer %d",
				  other, c.id),
			     ioctl(fd.get(), IOCTL_CRONO_UNLOCK_CONTIG_BUFFER,
				   &other));
		CHECK_MSG(c.unlock() == 0, "the real buffer no longer unlocks");
	}
}

void s_unlock_twice()
{
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	ContigBuf c;
	contig_lock_checked(fd.get(), kPage, &c, false);
	if (c.locked) {
		CHECK(c.unlock() == 0);
		EXPECT_ERRNO(EINVAL, "second UNLOCK_CONTIG_BUFFER",
			     ioctl(fd.get(), IOCTL_CRONO_UNLOCK_CONTIG_BUFFER,
				   &c.id));
	}
	if (!g.swiotlb()) {
		Pins base = read_pins();
		SgBuf s;
		sg_lock_checked(fd.get(), 2 * kPage, &s);
		if (s.locked) {
			CHECK(s.unlock() == 0);
			EXPECT_ERRNO(EINVAL, "second UNLOCK_BUFFER",
				     ioctl(fd.get(), IOCTL_CRONO_UNLOCK_BUFFER,
					   &s.id));
		}
		CHECK_PINS(base, 0, "after unlocking twice");
	}
}

// An id of one kind passed to the other kind's unlock, while no buffer of the
// other kind exists (ids may be shared between kinds or not: either way the
// call must fail and not release).
void s_unlock_wrong_kind()
{
	{
		Fd fd = open_node_checked(0);
		REQUIRE(fd.valid());
		ContigBuf c;
		contig_lock_checked(fd.get(), kPage, &c, false);
		if (c.locked) {
			EXPECT_ERRNO(
				EINVAL,
				"UNLOCK_BUFFER with a contiguous buffer's id",
				ioctl(fd.get(), IOCTL_CRONO_UNLOCK_BUFFER,
				      &c.id));
			CHECK_MSG(c.unlock() == 0,
				  "UNLOCK_CONTIG_BUFFER failed after the "
				  "wrong-kind unlock");
		}
	}
	if (!g.swiotlb()) {
		Fd fd = open_node_checked(0);
		REQUIRE(fd.valid());
		Pins base = read_pins();
		SgBuf s;
		sg_lock_checked(fd.get(), 2 * kPage, &s);
		if (s.locked) {
			EXPECT_ERRNO(
				EINVAL,
				"UNLOCK_CONTIG_BUFFER with a S/G buffer's id",
				ioctl(fd.get(),
				      IOCTL_CRONO_UNLOCK_CONTIG_BUFFER, &s.id));
			CHECK_PINS(base, 2,
				   "after the wrong-kind unlock (buffer still "
				   "locked)");
			CHECK_MSG(s.unlock() == 0, "UNLOCK_BUFFER failed after "
						   "the wrong-kind unlock");
		}
		CHECK_PINS(base, 0, "after UNLOCK_BUFFER");
	}
}

void s_cleanup_bad_count()
{
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	std::vector<CRONO_KERNEL_CMD> cmds(17, kcmd(REG_LIVE, 1));
	int e = cleanup_setup(fd.get(), cmds, 17);
	CHECK_MSG(e == EINVAL,
		  "CLEANUP_SETUP count 17: expected EINVAL, got %s",
		  errno_name(e).c_str());
	e = cleanup_setup(fd.get(), cmds, 0xffffffffu);
	CHECK_MSG(e == EINVAL,
		  "CLEANUP_SETUP count 0xffffffff: expected EINVAL, got %s",
		  errno_name(e).c_str());
}

void s_cleanup_unaligned()
{
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	for (uint32_t off : { 0x02u, 0x05u, 0x07u }) {
		int e = cleanup_setup(fd.get(), { kcmd(off, 0) });
		CHECK_MSG(e == EINVAL,
			  "CLEANUP_SETUP offset 0x%x: expected EINVAL, got %s",
			  off, errno_name(e).c_str());
	}
	int e = cleanup_setup(fd.get(), { kcmd(REG_LIVE, 1), kcmd(0x06, 0) });
	CHECK_MSG(e == EINVAL,
		  "CLEANUP_SETUP with a bad second offset 0x6: expected "
		  "EINVAL, got %s",
		  errno_name(e).c_str());
}

void s_cleanup_outside_bar()
{
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	const uint32_t len = static_cast<uint32_t>(board(0).bar.size());
	for (uint32_t off : { len, len + 4, 0xfffffffcu, len - 2 }) {
		int e = cleanup_setup(fd.get(), { kcmd(off, 0) });
		CHECK_MSG(e == EINVAL,
			  "CLEANUP_SETUP offset 0x%x (BAR0 is 0x%x bytes): "
			  "expected "
			  "EINVAL, got %s",
			  off, len, errno_name(e).c_str());
	}
	int e = cleanup_setup(fd.get(), { kcmd(REG_LIVE, 1), kcmd(len, 0) });
	CHECK_MSG(
		e == EINVAL,
		"CLEANUP_SETUP with the second offset at BAR0's end: expected "
		"EINVAL, got %s",
		errno_name(e).c_str());
	// The last word of BAR0 is inside (edu ignores writes there).
	e = cleanup_setup(fd.get(), { kcmd(len - 4, 0) });
	CHECK_MSG(e == 0, "CLEANUP_SETUP offset 0x%x (last word of BAR0): %s",
		  len - 4, errno_name(e).c_str());
}

void s_cleanup_cmds_efault()
{
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	CRONO_KERNEL_CMDS_INFO info;
	memset(&info, 0, sizeof info);
	info.count = 1;
	EXPECT_ERRNO(EFAULT, "CLEANUP_SETUP with ucmds NULL",
		     ioctl(fd.get(), IOCTL_CRONO_CLEANUP_SETUP, &info));
	info.cmds = info.ucmds = unmapped_address();
	EXPECT_ERRNO(EFAULT, "CLEANUP_SETUP with ucmds unmapped",
		     ioctl(fd.get(), IOCTL_CRONO_CLEANUP_SETUP, &info));
	Mapping m = Mapping::anon(2 * kPage);
	REQUIRE(m.ok());
	REQUIRE(munmap(m.page(1), kPage) == 0);
	CRONO_KERNEL_CMD c = kcmd(REG_LIVE, 7);
	memcpy(m.page(1) - sizeof c, &c, sizeof c);
	info.cmds = info.ucmds =
		reinterpret_cast<uint64_t>(m.page(1) - sizeof c);
	info.count = 2;
	EXPECT_ERRNO(EFAULT, "CLEANUP_SETUP with the second command unmapped",
		     ioctl(fd.get(), IOCTL_CRONO_CLEANUP_SETUP, &info));
}

// A rejected CLEANUP_SETUP keeps the previous program: none of the rejected
// programs' writes (some of which are valid entries before the bad one) may run
// on close.
void s_cleanup_keeps_previous()
{
	const EduBar &bar = board(0).bar;
	const uint32_t before = 0x44444444u, v1 = 0x5a5a0004u, v2 = 0x0bad0badu;
	bar.w32(REG_LIVE, before);
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	int e = cleanup_setup(fd.get(), { kcmd(REG_LIVE, v1) });
	REQUIRE_MSG(e == 0, "valid CLEANUP_SETUP: %s", errno_name(e).c_str());
	const uint32_t len = static_cast<uint32_t>(bar.size());
	e = cleanup_setup(fd.get(), std::vector<CRONO_KERNEL_CMD>(
					    17, kcmd(REG_LIVE, v2)));
	CHECK_MSG(e == EINVAL, "count 17: expected EINVAL, got %s",
		  errno_name(e).c_str());
	e = cleanup_setup(fd.get(), { kcmd(REG_LIVE, v2), kcmd(0x02, 0) });
	CHECK_MSG(e == EINVAL,
		  "unaligned second offset: expected EINVAL, got %s",
		  errno_name(e).c_str());
	e = cleanup_setup(fd.get(), { kcmd(REG_LIVE, v2), kcmd(len, 0) });
	CHECK_MSG(e == EINVAL,
		  "second offset at BAR0's end: expected EINVAL, got %s",
		  errno_name(e).c_str());
	CHECK(fd.reset() == 0);
	uint32_t got = bar.r32(REG_LIVE);
	CHECK_MSG(got == ~v1,
		  "after close the liveness register reads 0x%08x, expected "
		  "~0x%08x%s",
		  got, v1,
		  got == ~v2 ? " (a rejected program ran)"
			     : (got == ~before
					? " (the previous program was dropped)"
					: ""));
}

void s_mmap_bad_offset()
{
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	auto expect_einval = [&](int f, size_t len, off_t off,
				 const std::string &what) {
		Mapping m = Mapping::map(len, PROT_READ | PROT_WRITE,
					 MAP_SHARED, f, off);
		CHECK_MSG(!m.ok() && m.err() == EINVAL,
			  "mmap %s: expected EINVAL, got %s", what.c_str(),
			  m.ok() ? "success" : errno_name(m.err()).c_str());
	};
	expect_einval(fd.get(), kPage, 0, "at offset 0 with no buffer");
	expect_einval(fd.get(), kPage, kPage, "at offset 4096 with no buffer");
	ContigBuf c;
	contig_lock_checked(fd.get(), kPage, &c, false);
	if (c.locked) {
		const off_t id_off =
			static_cast<off_t>(c.id) * static_cast<off_t>(kPage);
		expect_einval(fd.get(), kPage,
			      id_off + static_cast<off_t>(kPage),
			      strf("at (id %d + 1) * 4096", c.id));
		expect_einval(fd.get(), kPage, static_cast<off_t>(1) << 40,
			      "at offset 1 TiB");
		Mapping good = Mapping::map(kPage, PROT_READ | PROT_WRITE,
					    MAP_SHARED, fd.get(), id_off);
		CHECK_MSG(good.ok(), "mmap of the buffer itself: %s",
			  errno_name(good.err()).c_str());
		good.reset();
		CHECK(c.unlock() == 0);
	}
	if (!g.swiotlb()) {
		// A S/G buffer's id names no contiguous buffer (in a file that
		// has none).
		fd.reset();
		Fd f2 = open_node_checked(0);
		REQUIRE(f2.valid());
		SgBuf s;
		sg_lock_checked(f2.get(), kPage, &s);
		if (s.locked)
			expect_einval(f2.get(), kPage,
				      static_cast<off_t>(s.id) * 4096,
				      strf("at a S/G buffer's id %d", s.id));
		CHECK(s.unlock() == 0);
	}
}

void s_mmap_too_long()
{
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	for (size_t size : { kPage, size_t(64 << 10) }) {
		ContigBuf c;
		if (!contig_lock_checked(fd.get(), size, &c, false))
			continue;
		const off_t off =
			static_cast<off_t>(c.id) * static_cast<off_t>(kPage);
		for (size_t len : { size + kPage, 2 * size }) {
			Mapping m = Mapping::map(len, PROT_READ | PROT_WRITE,
						 MAP_SHARED, fd.get(), off);
			CHECK_MSG(!m.ok() && m.err() == EINVAL,
				  "mmap of %zu bytes of a %zu-byte buffer: "
				  "expected EINVAL, got %s",
				  len, size,
				  m.ok() ? "success"
					 : errno_name(m.err()).c_str());
		}
		CHECK(c.unlock() == 0);
	}
}

void s_contig_bad_size()
{
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	CRONO_CONTIG_BUFFER_INFO ci;
	memset(&ci, 0, sizeof ci);
	ci.size = 0;
	EXPECT_ERRNO(EINVAL, "LOCK_CONTIG_BUFFER size 0",
		     ioctl(fd.get(), IOCTL_CRONO_LOCK_CONTIG_BUFFER, &ci));
	// Absurd sizes fail cleanly (ABI.md names no single errno for "too
	// big").
	for (uint64_t size : { uint64_t(1) << 40, ~uint64_t(0) }) {
		memset(&ci, 0, sizeof ci);
		ci.size = size;
		SysRes r = VT_SYS(
			ioctl(fd.get(), IOCTL_CRONO_LOCK_CONTIG_BUFFER, &ci));
		expect_errno_in(__LINE__,
				strf("LOCK_CONTIG_BUFFER size 0x%llx",
				     static_cast<unsigned long long>(size)),
				r, { ENOMEM, E2BIG, EINVAL });
		if (r.ok())
			unlock_contig(fd.get(), ci.id);
	}
}

// Without CAP_IPC_LOCK, pins are charged to RLIMIT_MEMLOCK (64 KiB here),
// cumulatively, and given back on unlock.
// In a child: RLIMIT_MEMLOCK of `bytes` and no CAP_IPC_LOCK, so the driver's
// charges are limited as for an ordinary user.
void become_memlock_limited(rlim_t bytes)
{
	struct rlimit rl = { bytes, bytes };
	REQUIRE_MSG(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit: %s",
		    errno_name(errno).c_str());
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3,
						0 };
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof data);
	REQUIRE_MSG(syscall(SYS_capget, &hdr, data) == 0, "capget: %s",
		    errno_name(errno).c_str());
	const uint32_t bit = 1u
			     << CAP_IPC_LOCK; // CAP_IPC_LOCK (14) is in word 0
	data[0].effective &= ~bit;
	data[0].permitted &= ~bit;
	data[0].inheritable &= ~bit;
	REQUIRE_MSG(syscall(SYS_capset, &hdr, data) == 0, "capset: %s",
		    errno_name(errno).c_str());
	memset(data, 0, sizeof data);
	REQUIRE(syscall(SYS_capget, &hdr, data) == 0);
	REQUIRE_MSG(!(data[0].effective & bit), "CAP_IPC_LOCK still effective");
}

void s_memlock_rlimit()
{
	Child c = spawn_child("unprivileged child", 45, [&] {
		become_memlock_limited(64 << 10);
		Fd fd = open_node_checked(0);
		REQUIRE(fd.valid());
		Pins base = read_pins();
		Mapping big = Mapping::anon(1 << 20);
		REQUIRE(big.ok());
		std::vector<uint64_t> table(256);
		lock_expect(fd.get(), "of 1 MiB over a 64 KiB RLIMIT_MEMLOCK",
			    big.addr(), 1 << 20,
			    reinterpret_cast<uint64_t>(table.data()), 256,
			    { ENOMEM });
		SgBuf small;
		REQUIRE(sg_lock_checked(fd.get(), 32 << 10, &small));
		Mapping more = Mapping::anon(64 << 10);
		REQUIRE(more.ok());
		lock_expect(
			fd.get(),
			"of 64 KiB with 32 KiB already locked (limit 64 KiB)",
			more.addr(), 64 << 10,
			reinterpret_cast<uint64_t>(table.data()), 16,
			{ ENOMEM });
		CHECK(small.unlock() == 0);
		CHECK_PINS(base, 0, "after UNLOCK_BUFFER");
		// The 32 KiB were given back: 48 KiB fit now.
		SgBuf again;
		sg_lock_checked(fd.get(), 48 << 10, &again);
		CHECK(again.unlock() == 0);
		CHECK_PINS(base, 0, "at the end");
	});
	join_child(c);
}

// =============================================================================================
// Scenarios: two boards

void check_foreign(const Board &other, int32_t sg_id, int32_t contig_id,
		   const char *who)
{
	int e = 0;
	Fd fd = open_node(other, &e);
	REQUIRE_MSG(fd.valid(), "%s: open %s: %s", who, other.node().c_str(),
		    errno_name(e).c_str());
	EXPECT_ERRNO(
		EINVAL,
		strf("%s: UNLOCK_BUFFER(%d) of board A's buffer on board B",
		     who, sg_id),
		ioctl(fd.get(), IOCTL_CRONO_UNLOCK_BUFFER, &sg_id));
	EXPECT_ERRNO(
		EINVAL,
		strf("%s: UNLOCK_CONTIG_BUFFER(%d) of board A's buffer on "
		     "board B",
		     who, contig_id),
		ioctl(fd.get(), IOCTL_CRONO_UNLOCK_CONTIG_BUFFER, &contig_id));
	Mapping m = Mapping::map(
		kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(),
		static_cast<off_t>(contig_id) * static_cast<off_t>(kPage));
	CHECK_MSG(!m.ok() && m.err() == EINVAL,
		  "%s: mmap of board A's buffer id %d on board B: expected "
		  "EINVAL, got %s",
		  who, contig_id,
		  m.ok() ? "success" : errno_name(m.err()).c_str());
}

void s_foreign_id()
{
	const Board &a = board(0), &bb = board(1);
	Fd fa = open_node_checked(0);
	REQUIRE(fa.valid());
	Pins base = read_pins();
	SgBuf s;
	ContigBuf c;
	bool ok = sg_lock_checked(fa.get(), 64 << 10, &s);
	ok = contig_lock_checked(fa.get(), kPage, &c) && ok;
	REQUIRE(ok);
	uint64_t tag = next_tag();
	fill_pattern(c.map.data(), kPage, tag);
	// The same process on its other board's file (ownership is per file,
	// not per process), then another process.
	check_foreign(bb, s.id, c.id, "same process");
	Child child = spawn_child("process B", 30, [&] {
		check_foreign(bb, s.id, c.id, "process B");
	});
	join_child(child);
	CHECK_PINS(base, 16, "after the foreign unlock attempts");
	CHECK_MSG(find_mismatch(c.map.data(), kPage, tag) < 0,
		  "board A's contiguous buffer changed");
	sg_dma_check(a.bar, s, { { 0, 15 }, { 9, 4 } });
	CHECK_MSG(s.unlock() == 0, "UNLOCK_BUFFER of board A's buffer");
	CHECK_MSG(c.unlock() == 0, "UNLOCK_CONTIG_BUFFER of board A's buffer");
}

void s_two_devices_two_processes()
{
	Child kids[2];
	for (size_t k = 0; k < 2; k++) {
		kids[k] = spawn_child(strf("board %zu", k), 90, [k] {
			const Board &b = board(k);
			int e = 0;
			Fd fd = open_node(b, &e);
			REQUIRE_MSG(fd.valid(), "open %s: %s", b.node().c_str(),
				    errno_name(e).c_str());
			SgBuf s;
			// The other child pins at the same time: no exact pin
			// counts here (the runner checks the balance
			// afterwards).
			if (sg_lock_checked(fd.get(), 4 << 20, &s, false))
				sg_dma_check(b.bar, s,
					     pick_pairs(s.count, 2, 100 + k));
			CHECK(s.unlock() == 0);
		});
	}
	for (auto &k : kids)
		join_child(k);
}

// =============================================================================================
// Scenario: a 32-bit caller

// Built from tests/vm/compat32.c with gcc -m32 and packed by tests/vm/lib.sh.
const char kCompat32[] = "/crono_compat32";

// The program must be an i386 executable, or the scenario proves nothing about
// the compat path.
bool is_i386_elf(const char *path, std::string *err)
{
	Elf32_Ehdr eh;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = strf("open %s: %s (not in the initramfs?)", path,
			    errno_name(errno).c_str());
		return false;
	}
	ssize_t n = read(fd, &eh, sizeof eh);
	close(fd);
	if (n != static_cast<ssize_t>(sizeof eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS32 || eh.e_machine != EM_386) {
		*err = strf("%s is not an ELF32 i386 executable", path);
		return false;
	}
	return true;
}

// A 32-bit process drives every request through the driver's compat_ioctl:
// LOCK_BUFFER and a DMA round trip through its page table, UNLOCK_BUFFER,
// LOCK_CONTIG_BUFFER with mmap, UNLOCK_CONTIG_BUFFER, CLEANUP_SETUP (run on
// close), an unknown request, a bad LOCK_BUFFER. Its `ok`/`not ok` lines are
// echoed indented under `#`.
void s_compat_32bit()
{
	const Board &b = board(0);
	std::string err;
	REQUIRE_MSG(is_i386_elf(kCompat32, &err), "%s", err.c_str());
	Pins base = read_pins();
	const std::string node = b.node(), pci = b.pci;
	const char *const argv[] = { kCompat32, node.c_str(), pci.c_str(),
				     nullptr };
	int p[2];
	REQUIRE_MSG(pipe2(p, O_CLOEXEC) == 0, "pipe: %s",
		    errno_name(errno).c_str());
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		// Its own watchdog: the alarm survives execve, so a hung
		// program dies of SIGALRM.
		child_init(60);
		if (dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0)
			_exit(127);
		execv(kCompat32, const_cast<char *const *>(argv));
		std::string m = strf("not ok - exec %s: %s\n", kCompat32,
				     errno_name(errno).c_str());
		if (write(1, m.data(), m.size()) < 0) {
		}
		_exit(127);
	}
	close(p[1]);
	Fd rd(p[0]);
	REQUIRE_MSG(pid > 0, "fork: %s", errno_name(errno).c_str());
	live_children().push_back(pid);

	// Echo complete lines as they come, so that a hang still shows how far
	// the program got.
	std::string pending, first_bad;
	size_t oks = 0, bad = 0;
	auto line_done = [&](const std::string &line) {
		out("#   " + line + "\n");
		if (line.find("not ok") != std::string::npos) {
			if (!bad++)
				first_bad = line;
		} else if (line.rfind("ok - ", 0) == 0) {
			oks++;
		}
	};
	char buf[1024];
	for (;;) {
		ssize_t n = read(rd.get(), buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		pending.append(buf, static_cast<size_t>(n));
		size_t nl;
		while ((nl = pending.find('\n')) != std::string::npos) {
			line_done(pending.substr(0, nl));
			pending.erase(0, nl + 1);
		}
	}
	if (!pending.empty())
		line_done(pending);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
	forget_child(pid);
	CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s %s", kCompat32,
		  wait_status_str(st).c_str());
	CHECK_MSG(bad == 0, "%zu 'not ok' lines from %s, first: %s", bad,
		  kCompat32, first_bad.c_str());
	CHECK_MSG(oks > 0, "no 'ok' lines from %s", kCompat32);
	// Its file is released as it exits; allow a moment all the same.
	bool unpinned = wait_until(2.0, [&] {
		Pins n = read_pins();
		return n.ok && base.ok && n.outstanding() == base.outstanding();
	});
	if (!unpinned)
		CHECK_PINS(base, 0, "after the 32-bit program exited");
}

// =============================================================================================
// Scenarios: cronoctl, the user-space tool (userspace/), packed as /cronoctl

const char kCronoctl[] = "/cronoctl";

struct ProgramRun {
	int status = -1;    // wait status
	std::string output; // stdout and stderr
};

// Runs /cronoctl ARGS with its stdout and stderr into a pipe (not a terminal:
// no progress bar), echoing every line indented under `#` as it comes, so the
// console shows the tool's real output and how far a hung run got.
ProgramRun run_cronoctl(const std::vector<std::string> &args,
			unsigned timeout_s)
{
	ProgramRun run;
	std::vector<const char *> argv{ kCronoctl };
	for (const std::string &a : args)
		argv.push_back(a.c_str());
	argv.push_back(nullptr);
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0) {
		VT_FAIL("pipe: %s", errno_name(errno).c_str());
		return run;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		child_init(timeout_s); // the alarm survives execv
		if (dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0)
			_exit(127);
		execv(kCronoctl, const_cast<char *const *>(argv.data()));
		_exit(127);
	}
	close(p[1]);
	Fd rd(p[0]);
	if (pid < 0) {
		VT_FAIL("fork: %s", errno_name(errno).c_str());
		return run;
	}
	live_children().push_back(pid);
	std::string pending;
	char buf[1024];
	for (;;) {
		ssize_t n = read(rd.get(), buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		run.output.append(buf, static_cast<size_t>(n));
		pending.append(buf, static_cast<size_t>(n));
		size_t nl;
		while ((nl = pending.find('\n')) != std::string::npos) {
			out("#   " + pending.substr(0, nl) + "\n");
			pending.erase(0, nl + 1);
		}
	}
	if (!pending.empty())
		out("#   " + pending + "\n");
	while (waitpid(pid, &run.status, 0) < 0 && errno == EINTR) {
	}
	forget_child(pid);
	return run;
}

bool exited_ok(const ProgramRun &run)
{
	return WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0;
}

bool has(const std::string &text, const std::string &part)
{
	return text.find(part) != std::string::npos;
}

// The tool's files are released as it exits: the pins come back.
void check_cronoctl_unpinned(const Pins &base)
{
	bool unpinned = wait_until(2.0, [&] {
		Pins n = read_pins();
		return n.ok && base.ok && n.outstanding() == base.outstanding();
	});
	if (!unpinned)
		CHECK_PINS(base, 0, "after cronoctl exited");
}

// `cronoctl list` and `list --json` show every bound board, found through
// sysfs as the driver names it.
void s_cronoctl_list()
{
	ProgramRun table = run_cronoctl({ "list" }, 30);
	CHECK_MSG(exited_ok(table), "cronoctl list %s",
		  wait_status_str(table.status).c_str());
	ProgramRun json = run_cronoctl({ "list", "--json" }, 30);
	CHECK_MSG(exited_ok(json), "cronoctl list --json %s",
		  wait_status_str(json.status).c_str());
	for (const auto &b : g.boards) {
		CHECK_MSG(
			has(table.output, b->pci +
						  "  1234:11e8  QEMU edu (test "
						  "device)  " +
						  b->node()),
			"the table has no row for %s (%s)", b->pci.c_str(),
			b->node().c_str());
		CHECK_MSG(has(json.output,
			      "{\"pci_address\": \"" + b->pci + "\"") &&
				  has(json.output,
				      "\"node_path\": \"" + b->node() +
					      "\", \"node_registered\": "
					      "true"),
			  "the JSON has no object for %s", b->pci.c_str());
	}
}

// `cronoctl selftest` locks buffers and makes the edu device copy first, last
// and random pages through the page table, then checks the cleanup program.
void s_cronoctl_selftest()
{
	const Board &b = board(0);
	Pins base = read_pins();
	ProgramRun run = run_cronoctl({ "selftest", b.node() }, 120);
	CHECK_MSG(exited_ok(run), "cronoctl selftest %s",
		  wait_status_str(run.status).c_str());
	CHECK_MSG(has(run.output, "selftest passed"),
		  "no 'selftest passed' line");
	CHECK_MSG(!has(run.output, "FAIL"), "a check failed");
	CHECK_MSG(has(run.output, "ok    DMA page 0 -> page 1023 through "
				  "the device"),
		  "no DMA round trip through the first and last page");
	CHECK_MSG(has(run.output, "ok    cleanup program: on close the "
				  "driver wrote"),
		  "the cleanup program was not checked");
	check_cronoctl_unpinned(base);
}

// A short `cronoctl bench`: 4, 8 and 16 MiB, once each, no progress bar off a
// terminal.
void s_cronoctl_bench()
{
	Pins base = read_pins();
	ProgramRun run = run_cronoctl(
		{ "bench", board(0).pci, "--max", "16M", "--repeat", "1" },
		120);
	CHECK_MSG(exited_ok(run), "cronoctl bench %s",
		  wait_status_str(run.status).c_str());
	for (const char *row :
	     { "4 MiB   1024", "8 MiB   2048", "16 MiB   4096" })
		CHECK_MSG(has(run.output, row), "no row '%s'", row);
	CHECK_MSG(!has(run.output, "\033"), "a progress bar off a terminal");
	check_cronoctl_unpinned(base);
}

// =============================================================================================
// Scenarios: sysfs statistics, limits, concurrency

const char *const kStatNames[] = { "locked_buffers", "pinned_bytes",
				   "coherent_bytes" };

std::string stat_path(const Board &b, const char *attr)
{
	return "/sys/class/misc/" + b.node_name() + "/" + attr;
}

// Board b's statistics (locked_buffers, pinned_bytes, coherent_bytes) are
// exactly these; records a failure (with `when`) otherwise.
bool check_stats(int line, const Board &b, long long locked, long long pinned,
		 long long coherent, const std::string &when)
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
		return true;
	cur().fail(line, strf("%s: sysfs statistics %s, expected "
			      "locked_buffers=%lld pinned_bytes=%lld "
			      "coherent_bytes=%lld (wrong: %s)",
			      when.c_str(), got.c_str(), locked, pinned,
			      coherent, bad.c_str()));
	return false;
}
#define CHECK_STATS(b, locked, pinned, coherent, when)                         \
	check_stats(__LINE__, b, locked, pinned, coherent, when)

// The misc device's attributes count what the open file holds, per board, and
// go back to zero on unlock and on close.
void s_sysfs_stats()
{
	const Board &b = board(0);
	for (const char *attr : kStatNames) {
		struct stat st;
		std::string path = stat_path(b, attr);
		if (stat(path.c_str(), &st) != 0) {
			VT_FAIL("%s: %s", path.c_str(),
				errno_name(errno).c_str());
			continue;
		}
		CHECK_MSG(S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0444,
			  "%s has mode %04o, expected a read-only 0444 file",
			  path.c_str(), st.st_mode & 07777);
	}
	CHECK_STATS(b, 0, 0, 0, "with the node closed");
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	Pins base = read_pins();
	CHECK_STATS(b, 0, 0, 0, "after open");
	if (!g.swiotlb()) {
		SgBuf s;
		if (sg_lock_checked(fd.get(), 4 << 20, &s)) {
			CHECK_STATS(b, 1, 4 << 20, 0,
				    "with a 4 MiB S/G buffer locked");
			if (g.boards.size() >= 2)
				CHECK_STATS(board(1), 0, 0, 0,
					    "of the other board while board "
					    "0 holds a 4 MiB S/G buffer");
		}
		int e = s.unlock();
		CHECK_MSG(e == 0, "UNLOCK_BUFFER: %s", errno_name(e).c_str());
		CHECK_STATS(b, 0, 0, 0, "after UNLOCK_BUFFER");
	}
	{
		ContigBuf c;
		if (contig_lock_checked(fd.get(), 64 << 10, &c, false))
			CHECK_STATS(b, 1, 0, 64 << 10,
				    "with a 64 KiB contiguous buffer locked");
		int e = c.unlock();
		CHECK_MSG(e == 0, "UNLOCK_CONTIG_BUFFER: %s",
			  errno_name(e).c_str());
		CHECK_STATS(b, 0, 0, 0,
			    "after UNLOCK_CONTIG_BUFFER of an unmapped buffer");
	}
	// Both kinds at once, one of them mapped, released by close.
	SgBuf s;
	ContigBuf c;
	bool ok = contig_lock_checked(fd.get(), 2 * kPage, &c);
	if (!g.swiotlb())
		ok = sg_lock_checked(fd.get(), 64 << 10, &s) && ok;
	if (ok)
		CHECK_STATS(b, g.swiotlb() ? 1 : 2, g.swiotlb() ? 0 : 64 << 10,
			    2 * kPage,
			    "with a 64 KiB S/G and a mapped 8 KiB contiguous "
			    "buffer locked");
	CHECK(c.map.reset() == 0);
	CHECK_MSG(fd.reset() == 0, "close: %s", errno_name(errno).c_str());
	s.locked = c.locked = false;
	CHECK_STATS(b, 0, 0, 0, "after closing the file with buffers locked");
	CHECK_PINS(base, 0, "after close");
}

// One buffer of the kind this setup can lock (S/G, or contiguous under
// swiotlb=force) for lock_limits.
struct LimitLocker {
	int fd;
	bool sg;
	Mapping mem;		     // page i is buffer i's memory (S/G)
	std::vector<uint64_t> table; // entry i is buffer i's page table (S/G)

	int lock(size_t i, int32_t *id)
	{
		if (!sg) {
			CRONO_CONTIG_BUFFER_INFO ci;
			memset(&ci, 0, sizeof ci);
			ci.size = kPage;
			ci.id = -1;
			int e = crono_ioctl(fd, IOCTL_CRONO_LOCK_CONTIG_BUFFER,
					    &ci);
			*id = ci.id;
			return e;
		}
		CRONO_SG_BUFFER_INFO info;
		memset(&info, 0, sizeof info);
		info.addr = mem.addr() + i * kPage;
		info.size = kPage;
		info.pages = info.upages =
			reinterpret_cast<uint64_t>(&table[i]);
		info.pages_count = 1;
		info.id = -1;
		int e = crono_ioctl(fd, IOCTL_CRONO_LOCK_BUFFER, &info);
		*id = info.id;
		return e;
	}
	int unlock(int32_t id)
	{
		return sg ? unlock_sg(fd, id) : unlock_contig(fd, id);
	}
};

// Over the size limit (1 TiB) a lock fails before anything is pinned; the
// per-file limit of 4096 buffers holds, and an unlock makes room again.
void s_lock_limits()
{
	const Board &b = board(0);
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	const size_t kMax = 4096; // ABI: buffers one open file may hold
	const bool sg = !g.swiotlb();
	// Under swiotlb=force the ABI does not order the size check and the
	// swiotlb refusal.
	const std::vector<int> enomem =
		sg ? std::vector<int>{ ENOMEM }
		   : std::vector<int>{ ENOMEM, EOPNOTSUPP };

	LimitLocker l{ fd.get(), sg, Mapping::anon((kMax + 1) * kPage),
		       std::vector<uint64_t>(kMax + 1, 0) };
	REQUIRE(l.mem.ok());
	const uint64_t huge = (1ull << 40) + kPage;
	lock_expect(fd.get(), "of 1 TiB + 4096 bytes", l.mem.addr(), huge,
		    reinterpret_cast<uint64_t>(l.table.data()),
		    static_cast<uint32_t>(huge / kPage), enomem);
	CHECK_MSG(l.table[0] == 0 && l.table[1] == 0,
		  "the refused 1 TiB lock wrote page-table entries");

	Pins base = read_pins();
	std::vector<int32_t> ids;
	for (size_t i = 0; i < kMax; i++) {
		int32_t id = -1;
		int e = l.lock(i, &id);
		if (e) {
			VT_FAIL("%s %zu of %zu (4 KiB): %s",
				sg ? "LOCK_BUFFER" : "LOCK_CONTIG_BUFFER",
				i + 1, kMax, errno_name(e).c_str());
			break;
		}
		ids.push_back(id);
	}
	auto unlock_all = [&] {
		size_t bad = 0;
		int first_e = 0;
		for (int32_t id : ids) {
			int e = l.unlock(id);
			if (e && !bad++)
				first_e = e;
		}
		CHECK_MSG(bad == 0, "%zu of %zu unlocks failed (first: %s)",
			  bad, ids.size(), errno_name(first_e).c_str());
		ids.clear();
	};
	if (ids.size() != kMax) {
		unlock_all();
		return;
	}
	std::vector<int32_t> sorted = ids;
	std::sort(sorted.begin(), sorted.end());
	CHECK_MSG(sorted.front() >= 0 && sorted.back() < int32_t(kMax),
		  "ids range from %d to %d, expected [0, %zu)", sorted.front(),
		  sorted.back(), kMax);
	CHECK_MSG(std::adjacent_find(sorted.begin(), sorted.end()) ==
			  sorted.end(),
		  "ids of the %zu held buffers are not distinct", kMax);
	if (sg) {
		size_t bad = 0;
		for (size_t i = 0; i < kMax; i++)
			if (l.table[i] == 0 || (l.table[i] & (kPage - 1)))
				bad++;
		CHECK_MSG(bad == 0,
			  "%zu page-table entries are zero or not aligned",
			  bad);
		CHECK_PINS(base, int64_t(kMax), "with 4096 buffers locked");
	}
	CHECK_STATS(b, int64_t(kMax), sg ? int64_t(kMax * kPage) : 0,
		    sg ? 0 : int64_t(kMax * kPage), "with 4096 buffers locked");

	// The 4097th, of either kind, is over the limit.
	auto expect_full = [&](const char *when) {
		Pins before = read_pins();
		int32_t id = -1;
		int e = l.lock(kMax, &id);
		CHECK_MSG(e == ENOMEM,
			  "%s lock with 4096 buffers held (%s): expected "
			  "ENOMEM, got %s",
			  sg ? "S/G" : "contiguous", when,
			  e ? errno_name(e).c_str() : "success");
		if (!e)
			l.unlock(id);
		LimitLocker other{ fd.get(), !sg, Mapping::anon(kPage),
				   std::vector<uint64_t>(1, 0) };
		if (!other.mem.ok()) {
			VT_FAIL("mmap: %s",
				errno_name(other.mem.err()).c_str());
			return;
		}
		int32_t oid = -1;
		e = other.lock(0, &oid);
		bool want = e == ENOMEM ||
			    (other.sg && g.swiotlb() && e == EOPNOTSUPP);
		CHECK_MSG(want,
			  "%s lock with 4096 buffers held (%s): expected "
			  "ENOMEM, got %s",
			  other.sg ? "S/G" : "contiguous", when,
			  e ? errno_name(e).c_str() : "success");
		if (!e)
			other.unlock(oid);
		CHECK_PINS(before, 0,
			   (std::string("after the refused locks ") + when)
				   .c_str());
	};
	expect_full("first time");

	// Unlocking one makes room for exactly one more.
	const size_t victim = 1234;
	int e = l.unlock(ids[victim]);
	CHECK_MSG(e == 0, "unlock of buffer id %d: %s", ids[victim],
		  errno_name(e).c_str());
	int32_t freed = ids[victim];
	ids.erase(ids.begin() + static_cast<long>(victim));
	int32_t id = -1;
	e = l.lock(kMax, &id);
	CHECK_MSG(e == 0, "lock after unlocking one of 4096: %s",
		  errno_name(e).c_str());
	if (e == 0) {
		CHECK_MSG(id >= 0 && id < int32_t(kMax) &&
				  std::find(ids.begin(), ids.end(), id) ==
					  ids.end(),
			  "new id %d is out of range or held already (freed "
			  "id: %d)",
			  id, freed);
		ids.push_back(id);
		expect_full("again after one unlock and one lock");
	}
	unlock_all();
	CHECK_STATS(b, 0, 0, 0, "after unlocking all 4096");
	CHECK_PINS(base, 0, "after unlocking all 4096");
}

// Threads share one file: four lock and unlock S/G buffers (contiguous ones
// under swiotlb=force), one locks, maps and unlocks contiguous buffers, one
// replaces the cleanup program all the while. Every call succeeds and no id is
// handed out twice while it is held.
void s_concurrent_ioctls()
{
	const Board &b = board(0);
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	const int kWorkers = 4, kIters = 50;
	const bool sg = !g.swiotlb();
	const size_t kSize = 64 << 10, kCount = kSize / kPage;
	Pins base = read_pins();

	std::mutex mu;
	std::set<int32_t> held;
	size_t max_held = 0; // most ids held at the same time
	std::vector<std::string> errors;
	auto fail = [&](const std::string &m) {
		std::lock_guard<std::mutex> lk(mu);
		errors.push_back(m);
	};
	auto take = [&](int32_t id, const std::string &who) {
		std::lock_guard<std::mutex> lk(mu);
		if (id < 0 || !held.insert(id).second)
			errors.push_back(strf("%s: got id %d, which another "
					      "thread holds (or < 0)",
					      who.c_str(), id));
		max_held = std::max(max_held, held.size());
	};
	auto give = [&](int32_t id) {
		std::lock_guard<std::mutex> lk(mu);
		held.erase(id);
	};

	// Memory for the S/G workers, mapped here: Mapping is not thread-safe.
	std::vector<Mapping> mems;
	for (int t = 0; t < kWorkers && sg; t++) {
		mems.push_back(Mapping::anon(kSize));
		REQUIRE(mems.back().ok());
	}
	auto sg_worker = [&](int t) {
		std::vector<uint64_t> table(kCount + 1);
		for (int i = 0; i < kIters; i++) {
			std::string who = strf("S/G thread %d, round %d", t, i);
			std::fill(table.begin(), table.end(), 0);
			table[kCount] = kSentinel;
			CRONO_SG_BUFFER_INFO info;
			memset(&info, 0, sizeof info);
			info.addr = mems[size_t(t)].addr();
			info.size = kSize;
			info.pages = info.upages =
				reinterpret_cast<uint64_t>(table.data());
			info.pages_count = uint32_t(kCount);
			info.id = -1;
			int e = crono_ioctl(fd.get(), IOCTL_CRONO_LOCK_BUFFER,
					    &info);
			if (e) {
				fail(who + ": LOCK_BUFFER: " + errno_name(e));
				return;
			}
			take(info.id, who);
			for (size_t k = 0; k < kCount; k++)
				if (table[k] == 0 || (table[k] & (kPage - 1))) {
					fail(strf(
						"%s: entry %zu = 0x%llx",
						who.c_str(), k,
						static_cast<unsigned long long>(
							table[k])));
					break;
				}
			if (table[kCount] != kSentinel)
				fail(who + ": wrote past pages_count entries");
			// Use the pinned buffer while it is held.
			uint64_t tag = mix64(uint64_t(t) << 32 | uint64_t(i));
			fill_pattern(mems[size_t(t)].data(), kSize, tag);
			if (find_mismatch(mems[size_t(t)].data(), kSize, tag) >=
			    0)
				fail(who + ": buffer does not hold what was "
					   "written");
			give(info.id);
			e = unlock_sg(fd.get(), info.id);
			if (e) {
				fail(who + ": UNLOCK_BUFFER: " + errno_name(e));
				return;
			}
		}
	};
	auto contig_worker = [&](int t) {
		for (int i = 0; i < kIters; i++) {
			std::string who =
				strf("contiguous thread %d, round %d", t, i);
			CRONO_CONTIG_BUFFER_INFO ci;
			memset(&ci, 0, sizeof ci);
			ci.size = kSize;
			ci.id = -1;
			int e = crono_ioctl(
				fd.get(), IOCTL_CRONO_LOCK_CONTIG_BUFFER, &ci);
			if (e) {
				fail(who +
				     ": LOCK_CONTIG_BUFFER: " + errno_name(e));
				return;
			}
			take(ci.id, who);
			if (ci.dma_handle == 0 || (ci.dma_handle & (kPage - 1)))
				fail(strf("%s: dma_handle 0x%llx", who.c_str(),
					  static_cast<unsigned long long>(
						  ci.dma_handle)));
			void *p = mmap(nullptr, kSize, PROT_READ | PROT_WRITE,
				       MAP_SHARED, fd.get(),
				       static_cast<off_t>(ci.id) *
					       static_cast<off_t>(kPage));
			if (p == MAP_FAILED) {
				fail(who + ": mmap: " + errno_name(errno));
			} else {
				auto *w = static_cast<volatile uint64_t *>(p);
				uint64_t tag =
					mix64(uint64_t(t) << 32 | uint64_t(i));
				w[0] = tag;
				w[kSize / 8 - 1] = ~tag;
				if (w[0] != tag || w[kSize / 8 - 1] != ~tag)
					fail(who + ": mapping does not hold "
						   "what was written");
			}
			give(ci.id);
			e = unlock_contig(fd.get(), ci.id);
			if (e)
				fail(who + ": UNLOCK_CONTIG_BUFFER: " +
				     errno_name(e));
			if (p != MAP_FAILED && munmap(p, kSize) != 0)
				fail(who + ": munmap: " + errno_name(errno));
			if (e)
				return;
		}
	};
	std::atomic<bool> stop(false);
	std::atomic<uint32_t> last_cleanup(0);
	std::atomic<int> cleanups(0);
	auto cleanup_worker = [&] {
		for (uint32_t n = 1; !stop.load(); n++) {
			uint32_t v = 0x7e570000u + n;
			int e = cleanup_setup(fd.get(), { kcmd(REG_LIVE, v) });
			if (e) {
				fail("CLEANUP_SETUP: " + errno_name(e));
				return;
			}
			last_cleanup = v;
			cleanups++;
		}
	};

	// Every thread waits at the gate until all have started.
	std::atomic<int> waiting(0);
	std::atomic<bool> go(false);
	auto gated = [&](const std::function<void()> &fn) {
		return std::thread([&waiting, &go, fn] {
			waiting++;
			while (!go.load())
				std::this_thread::yield();
			fn();
		});
	};
	std::vector<std::thread> workers;
	std::thread cleaner = gated(cleanup_worker);
	for (int t = 0; t < kWorkers; t++) {
		if (sg)
			workers.push_back(gated([&, t] { sg_worker(t); }));
		else
			workers.push_back(gated([&, t] { contig_worker(t); }));
	}
	if (sg)
		workers.push_back(gated([&] { contig_worker(kWorkers); }));
	while (waiting.load() < int(workers.size()) + 1)
		std::this_thread::yield();
	go = true;
	for (auto &w : workers)
		w.join();
	stop = true;
	cleaner.join();

	for (size_t k = 0; k < errors.size() && k < 8; k++)
		VT_FAIL("%s", errors[k].c_str());
	if (errors.size() > 8)
		VT_FAIL("(%zu more errors)", errors.size() - 8);
	CHECK_MSG(held.empty(), "%zu ids still recorded as held", held.size());
	CHECK_MSG(cleanups.load() > 0, "no CLEANUP_SETUP completed");
	CHECK_MSG(max_held >= 2,
		  "no two buffers were ever held at the same time: the threads "
		  "did not overlap");
	out(strf("# concurrent_ioctls: at most %zu ids held at once, %d "
		 "CLEANUP_SETUP calls\n",
		 max_held, cleanups.load()));
	CHECK_STATS(b, 0, 0, 0, "after the threads finished");
	CHECK_PINS(base, 0, "after the threads finished");
	// The program set last is the one that runs on close.
	CHECK(fd.reset() == 0);
	uint32_t want = last_cleanup.load();
	if (want)
		CHECK_MSG(b.bar.r32(REG_LIVE) == ~want,
			  "after close the liveness register reads 0x%08x, "
			  "expected ~0x%08x (the last program set)",
			  b.bar.r32(REG_LIVE), want);
}

// =============================================================================================
// Scenarios: removal of an open board

// Touch *p in a forked child: the child must die of SIGBUS (the mapping was
// zapped), and the parent never touches it.
void expect_sigbus_child(volatile uint8_t *p, bool write)
{
	pid_t pid = fork();
	if (pid == 0) {
		child_init(10);
		if (write) {
			*p = 0x5a;
		} else {
			volatile uint8_t v = *p;
			(void)v;
		}
		_exit(0);
	}
	REQUIRE_MSG(pid > 0, "fork: %s", errno_name(errno).c_str());
	live_children().push_back(pid);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
	forget_child(pid);
	CHECK_MSG(
		WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS,
		"a child %s the old contiguous mapping %s, expected it to "
		"be killed by SIGBUS (%d)%s",
		write ? "writing" : "reading", wait_status_str(st).c_str(),
		SIGBUS,
		WIFEXITED(st) && WEXITSTATUS(st) == 0
			? ": the mapping still reaches memory after the removal"
			: "");
}

// What must hold once board b was removed while fd was open with buffer c
// (mapped) and, unless s is null, S/G buffer s locked: the node is gone, the
// pins are released at once, every call fails with ENODEV, the mapping is
// gone, and close succeeds. Closes fd and unmaps c.
void check_removed(const Board &b, Fd &fd, SgBuf *s, ContigBuf &c,
		   const Pins &base)
{
	bool gone = wait_until(2.0, [&] { return !exists(b.node()); });
	CHECK_MSG(gone, "%s still exists after the removal", b.node().c_str());
	CHECK_MSG(!exists("/sys/class/misc/" + b.node_name()),
		  "/sys/class/misc/%s still exists after the removal",
		  b.node_name().c_str());
	CHECK_PINS(base, 0, "right after the removal, file still open");

	// Every request, with arguments that would be valid on a live board.
	Mapping mem = Mapping::anon(kPage);
	std::vector<uint64_t> table(2, 0);
	if (mem.ok()) {
		Pins before = read_pins();
		CRONO_SG_BUFFER_INFO info;
		memset(&info, 0, sizeof info);
		info.addr = mem.addr();
		info.size = kPage;
		info.pages = info.upages =
			reinterpret_cast<uint64_t>(table.data());
		info.pages_count = 1;
		EXPECT_ERRNO(ENODEV, "LOCK_BUFFER after the removal",
			     ioctl(fd.get(), IOCTL_CRONO_LOCK_BUFFER, &info));
		CHECK_PINS(before, 0, "after LOCK_BUFFER on the removed board");
	}
	int sg_id = s ? s->id : 0;
	EXPECT_ERRNO(ENODEV, strf("UNLOCK_BUFFER(%d) after the removal", sg_id),
		     ioctl(fd.get(), IOCTL_CRONO_UNLOCK_BUFFER, &sg_id));
	std::vector<CRONO_KERNEL_CMD> cmds = { kcmd(REG_LIVE, 0x0badf00du) };
	CRONO_KERNEL_CMDS_INFO ki;
	memset(&ki, 0, sizeof ki);
	ki.cmds = ki.ucmds = reinterpret_cast<uint64_t>(cmds.data());
	ki.count = 1;
	EXPECT_ERRNO(ENODEV, "CLEANUP_SETUP after the removal",
		     ioctl(fd.get(), IOCTL_CRONO_CLEANUP_SETUP, &ki));
	CRONO_CONTIG_BUFFER_INFO ci;
	memset(&ci, 0, sizeof ci);
	ci.size = kPage;
	EXPECT_ERRNO(ENODEV, "LOCK_CONTIG_BUFFER after the removal",
		     ioctl(fd.get(), IOCTL_CRONO_LOCK_CONTIG_BUFFER, &ci));
	int contig_id = c.id;
	EXPECT_ERRNO(
		ENODEV,
		strf("UNLOCK_CONTIG_BUFFER(%d) after the removal", c.id),
		ioctl(fd.get(), IOCTL_CRONO_UNLOCK_CONTIG_BUFFER, &contig_id));
	Mapping again = Mapping::map(
		kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(),
		static_cast<off_t>(c.id) * static_cast<off_t>(kPage));
	CHECK_MSG(!again.ok() && again.err() == ENODEV,
		  "mmap of buffer id %d after the removal: expected ENODEV, "
		  "got %s",
		  c.id,
		  again.ok() ? "success" : errno_name(again.err()).c_str());
	again.reset();

	if (c.map.ok()) {
		expect_sigbus_child(c.map.data(), false);
		expect_sigbus_child(c.map.data() + c.size - 1, true);
	}
	CHECK_MSG(fd.reset() == 0, "close after the removal: %s",
		  errno_name(errno).c_str());
	CHECK_MSG(c.map.reset() == 0, "munmap after the removal: %s",
		  errno_name(errno).c_str());
	if (s)
		s->locked = false;
	c.locked = false;
	CHECK_PINS(base, 0, "after close and munmap");
}

// Unbinds board b through sysfs (the driver's .remove runs); rebind() binds
// it again, false (and later scenarios told why they cannot run) when its
// node did not come back.
bool unbind(const Board &b)
{
	int e = write_file(kDrvDir + "/unbind", b.pci);
	CHECK_MSG(e == 0, "unbind %s: %s", b.pci.c_str(),
		  errno_name(e).c_str());
	return e == 0;
}

bool rebind(const Board &b)
{
	int e = write_file(kDrvDir + "/bind", b.pci);
	bool back = e == 0 && wait_until(5.0, [&] { return exists(b.node()); });
	if (!back) {
		g.bound = false;
		VT_FAIL("rebind %s through %s/bind: %s%s", b.pci.c_str(),
			kDrvDir.c_str(), errno_name(e).c_str(),
			e == 0 ? ", but the node did not come back" : "");
	}
	return back;
}

bool bound_to_us(const Board &b)
{
	return basename_of(readlink_str(b.sysfs() + "/driver")) ==
	       CRONO_DRIVER_NAME;
}

// The last board is unbound through sysfs while its file is open with buffers
// and a cleanup program; then bound again.
void s_remove_while_open()
{
	const size_t bi = g.boards.size() - 1;
	const Board &b = board(bi);
	const EduBar &bar = b.bar;
	const uint32_t before = 0x77777777u, v = 0x5a5a0007u;
	bar.w32(REG_LIVE, before);
	REQUIRE_MSG(bar.r32(REG_LIVE) == ~before,
		    "liveness register does not work");
	// The other board (plain, iommu) stays open and usable throughout.
	Fd other;
	if (bi > 0) {
		other = open_node_checked(0);
		REQUIRE(other.valid());
	}
	Fd fd = open_node_checked(bi);
	REQUIRE(fd.valid());
	Pins base = read_pins();
	SgBuf s;
	ContigBuf c;
	if (!g.swiotlb())
		REQUIRE(sg_lock_checked(fd.get(), 1 << 20, &s));
	REQUIRE(contig_lock_checked(fd.get(), 64 << 10, &c));
	fill_pattern(c.map.data(), c.size, next_tag());
	REQUIRE(cleanup_setup(fd.get(), { kcmd(REG_LIVE, v) }) == 0);
	CHECK_STATS(b, s.locked ? 2 : 1, s.locked ? 1 << 20 : 0, 64 << 10,
		    "before the unbind");
	// A second buffer as the library leaves it between UNLOCK_CONTIG_BUFFER
	// and munmap: unlocked, still mapped.
	ContigBuf u;
	REQUIRE(contig_lock_checked(fd.get(), 2 * kPage, &u));
	REQUIRE(u.unlock() == 0);

	int e = write_file(kDrvDir + "/unbind", b.pci);
	REQUIRE_MSG(e == 0, "write %s to %s/unbind: %s", b.pci.c_str(),
		    kDrvDir.c_str(), errno_name(e).c_str());
	// The board must be bound again at the end: no REQUIRE until then.
	CHECK_MSG(!bound_to_us(b) && !exists(kDrvDir + "/" + b.pci),
		  "%s still bound after unbind", b.pci.c_str());
	uint32_t got = bar.r32(REG_LIVE);
	CHECK_MSG(got == ~v,
		  "after the unbind the liveness register reads 0x%08x, "
		  "expected ~0x%08x%s",
		  got, v,
		  got == ~before ? " (the cleanup program did not run)" : "");
	{
		// The vendor library maps resource0 after the driver let go.
		EduBar fresh;
		std::string err;
		if (fresh.open_bar(b.sysfs(), &err))
			CHECK_MSG(fresh.r32(REG_ID) == kEduIdValue &&
					  fresh.r32(REG_LIVE) == ~v,
				  "resource0 mapped after the unbind reads id "
				  "0x%08x, liveness 0x%08x",
				  fresh.r32(REG_ID), fresh.r32(REG_LIVE));
		else
			VT_FAIL("resource0 after the unbind: %s", err.c_str());
	}
	check_removed(b, fd, s.locked ? &s : nullptr, c, base);
	s.locked = false;
	expect_sigbus_child(u.map.data(), false);
	CHECK_MSG(u.map.reset() == 0, "munmap of the unlocked buffer: %s",
		  errno_name(errno).c_str());
	if (other.valid()) {
		CHECK_MSG(exists(board(0).node()),
			  "%s vanished with the other board",
			  board(0).node().c_str());
		ContigBuf oc;
		if (contig_lock_checked(other.get(), kPage, &oc, false))
			CHECK_MSG(oc.unlock() == 0,
				  "UNLOCK_CONTIG_BUFFER on the other board");
		CHECK(other.reset() == 0);
	}

	REQUIRE(rebind(b));
	CHECK_MSG(bound_to_us(b),
		  "%s not bound to " CRONO_DRIVER_NAME " after bind",
		  b.pci.c_str());
	struct stat st;
	CHECK_MSG(stat(b.node().c_str(), &st) == 0 &&
			  (st.st_mode & 07777) == 0660,
		  "%s missing or not mode 0660 after the rebind",
		  b.node().c_str());
	CHECK_STATS(b, 0, 0, 0, "after the rebind");
	const uint32_t later = 0x12121212u;
	bar.w32(REG_LIVE, later);
	{
		Fd fresh = open_node_checked(bi);
		REQUIRE(fresh.valid());
		if (!g.swiotlb()) {
			SgBuf s2;
			if (sg_lock_checked(fresh.get(), 64 << 10, &s2))
				sg_dma_check(bar, s2, { { 0, 15 } });
			CHECK(s2.unlock() == 0);
		} else {
			ContigBuf c2;
			std::string err;
			if (contig_lock_checked(fresh.get(), 2 * kPage, &c2))
				CHECK_MSG(dma_check_pair(bar, c2.page(0),
							 c2.dma, c2.page(1),
							 c2.dma + kPage, &err),
					  "DMA check after the rebind: %s",
					  err.c_str());
			CHECK(c2.unlock() == 0);
		}
	}
	CHECK_MSG(bar.r32(REG_LIVE) == ~later,
		  "the old file's cleanup program ran again on the rebound "
		  "board (0x%08x)",
		  bar.r32(REG_LIVE));
}

// Mounts the initramfs's ext4 image at dir through loop0, loading ext4, loop
// and their dependencies from /modules first.
void mount_ext4_image(const std::string &dir)
{
	std::string order;
	REQUIRE_MSG(read_file("/modules/order", &order),
		    "no /modules/order in the initramfs");
	std::istringstream names(order);
	for (std::string name; std::getline(names, name);) {
		SysRes r = finit_module_path("/modules/" + name + ".ko");
		REQUIRE_MSG(r.ok() || r.err == EEXIST, "loading %s: %s",
			    name.c_str(), errno_name(r.err).c_str());
	}
	REQUIRE(wait_until(5.0, [] { return exists("/dev/loop0"); }));
	REQUIRE_MSG(system("losetup /dev/loop0 /ext4.img") == 0,
		    "losetup /dev/loop0 /ext4.img failed");
	mkdir(dir.c_str(), 0755);
	const int e = mount("/dev/loop0", dir.c_str(), "ext4", 0, nullptr)
			      ? errno
			      : 0;
	if (e)
		(void)!system("losetup -d /dev/loop0");
	REQUIRE_MSG(e == 0, "mount -t ext4 /dev/loop0 %s: %s", dir.c_str(),
		    errno_name(e).c_str());
}

// LOCK_BUFFER of [addr, addr + size) succeeds; unlocked again at once.
void lock_then_unlock(int fd, const std::string &what, uint64_t addr,
		      uint64_t size, std::vector<uint64_t> &table)
{
	CRONO_SG_BUFFER_INFO info = {};
	info.addr = addr;
	info.size = size;
	info.pages = info.upages = reinterpret_cast<uint64_t>(table.data());
	info.pages_count = uint32_t(table.size());
	if (EXPECT_OK("LOCK_BUFFER " + what,
		      ioctl(fd, IOCTL_CRONO_LOCK_BUFFER, &info)))
		CHECK(unlock_sg(fd, info.id) == 0);
}

// A long-term writable pin of a file the kernel writes back would let the
// device write behind the file system's back: LOCK_BUFFER of a shared
// mapping of a file on ext4 is refused with EFAULT on every kernel (6.12's
// GUP refuses it itself, 6.1's does not), leaving nothing pinned. A private
// mapping of the same file (copied on write) and shared memory stay allowed.
void s_file_backed_pin_refused()
{
	const std::string dir = "/tmp/ext4";
	mount_ext4_image(dir);
	if (cur().failed())
		return;
	Fd fd = open_node_checked(0);
	const size_t size = 64 << 10;
	std::vector<uint64_t> table(size / kPage);
	const uint64_t upages = reinterpret_cast<uint64_t>(table.data());
	{
		Fd file = open_fd(dir + "/ring", O_RDWR | O_CREAT);
		REQUIRE(file.valid() && ftruncate(file.get(), size) == 0);
		Mapping shared = Mapping::map(size, PROT_READ | PROT_WRITE,
					      MAP_SHARED, file.get(), 0);
		Mapping priv = Mapping::map(size, PROT_READ | PROT_WRITE,
					    MAP_PRIVATE, file.get(), 0);
		REQUIRE(fd.valid() && shared.ok() && priv.ok());
		memset(shared.data(), 0x5a, size);
		lock_expect(fd.get(), "of a shared mapping of an ext4 file",
			    shared.addr(), size, upages, uint32_t(table.size()),
			    { EFAULT });
		lock_then_unlock(fd.get(),
				 "of a private mapping of an ext4 file",
				 priv.addr(), size, table);
	}
	{
		Fd mem(memfd_create("crono-ring", MFD_CLOEXEC));
		REQUIRE(mem.valid() && ftruncate(mem.get(), size) == 0);
		Mapping shared = Mapping::map(size, PROT_READ | PROT_WRITE,
					      MAP_SHARED, mem.get(), 0);
		REQUIRE(shared.ok());
		lock_then_unlock(fd.get(), "of a shared mapping of a memfd",
				 shared.addr(), size, table);
	}
	CHECK_MSG(umount(dir.c_str()) == 0, "umount %s: %s", dir.c_str(),
		  errno_name(errno).c_str());
	CHECK(system("losetup -d /dev/loop0") == 0);
}

// A SIGKILL during a multi-GiB LOCK_BUFFER: the process dies and every pin is
// released. The guest has 1 GiB, so the buffer is 4 GiB of address space
// over one 64 MiB memfd mapped 64 times (a page may be pinned many times).
// The lock must stop between pin batches, long before it pinned everything;
// prints how far it got and how long dying took.
void s_sigkill_during_big_lock()
{
	const Board &b = board(0);
	const size_t piece = 64 << 20, pieces = 64, size = piece * pieces;
	Pins base = read_pins();
	int ready[2];
	REQUIRE(pipe2(ready, O_CLOEXEC) == 0);
	pid_t pid = fork();
	REQUIRE_MSG(pid >= 0, "fork: %s", errno_name(errno).c_str());
	if (pid == 0) {
		child_init(120);
		Fd fd = open_node(b);
		int mem = memfd_create("crono-big", MFD_CLOEXEC);
		if (!fd.valid() || mem < 0 || ftruncate(mem, piece) != 0)
			_exit(2);
		auto *base_addr = static_cast<uint8_t *>(
			mmap(nullptr, size, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
		if (base_addr == MAP_FAILED)
			_exit(3);
		for (size_t i = 0; i < pieces; i++)
			if (mmap(base_addr + i * piece, piece,
				 PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED | MAP_POPULATE, mem,
				 0) == MAP_FAILED)
				_exit(4);
		std::vector<uint64_t> table(size / kPage);
		CRONO_SG_BUFFER_INFO info = {};
		info.addr = reinterpret_cast<uint64_t>(base_addr);
		info.size = size;
		info.pages = info.upages =
			reinterpret_cast<uint64_t>(table.data());
		info.pages_count = uint32_t(table.size());
		(void)!write(ready[1], "r", 1);
		ioctl(fd.get(), IOCTL_CRONO_LOCK_BUFFER, &info);
		_exit(0);
	}
	close(ready[1]);
	live_children().push_back(pid);
	char c;
	const bool started = read(ready[0], &c, 1) == 1;
	close(ready[0]);
	// Kill once the pins are under way.
	const uint64_t total = size / kPage;
	uint64_t before_kill = 0;
	wait_until(60.0, [&] {
		Pins now = read_pins_vmstat();
		before_kill = now.acquired - base.acquired;
		return before_kill >= 4096;
	});
	const double t0 = now_s();
	kill(pid, SIGKILL);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
	const double died_ms = (now_s() - t0) * 1000;
	forget_child(pid);
	CHECK_MSG(started && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		  "the locking process %s", wait_status_str(st).c_str());
	const uint64_t pinned = read_pins().acquired - base.acquired;
	CHECK_MSG(pinned < total,
		  "the lock pinned all %llu pages although it was killed "
		  "after %llu: a killed task must stop between pin batches",
		  (unsigned long long)total, (unsigned long long)before_kill);
	CHECK_PINS(base, 0, "after the killed 4 GiB lock");
	CHECK_STATS(b, 0, 0, 0, "after the killed 4 GiB lock");
	printf("# sigkill_during_big_lock: %llu of %llu pages pinned when "
	       "the kill was sent, %llu in all; dead %.0f ms later\n",
	       (unsigned long long)before_kill, (unsigned long long)total,
	       (unsigned long long)pinned, died_ms);
	fflush(stdout);
}

// =============================================================================================
// Scenarios: memory charged to RLIMIT_MEMLOCK

long long read_stat(const Board &b, const char *name)
{
	std::string s;
	return read_file(stat_path(b, name), &s) ? atoll(trim(s).c_str()) : -1;
}

// The memlock limit binds the user, not the address space: children forked
// with the file each lock through it, and together they never pin more than
// the limit (the first gets its 6 MiB, the others ENOMEM under 8 MiB).
void s_memlock_fork_children()
{
	const Board &b = board(0);
	const size_t each = 6 << 20;
	Child c = spawn_child("limited parent", 90, [&] {
		become_memlock_limited(8 << 20);
		Fd fd = open_node_checked(0);
		REQUIRE(fd.valid());
		int locked = 0;
		for (int child = 0; child < 4; child++) {
			pid_t pid = fork();
			REQUIRE(pid >= 0);
			if (pid == 0) {
				child_init(30);
				Mapping mem = Mapping::anon(each);
				std::vector<uint64_t> table(each / kPage);
				CRONO_SG_BUFFER_INFO info = {};
				info.addr = mem.addr();
				info.size = each;
				info.pages = info.upages =
					reinterpret_cast<uint64_t>(
						table.data());
				info.pages_count = uint32_t(table.size());
				// The buffer stays with the file after exit.
				_exit(crono_ioctl(fd.get(),
						  IOCTL_CRONO_LOCK_BUFFER,
						  &info));
			}
			int st = 0;
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
			}
			REQUIRE_MSG(WIFEXITED(st), "child %d %s", child,
				    wait_status_str(st).c_str());
			if (WEXITSTATUS(st) == 0)
				locked++;
			else
				CHECK_MSG(WEXITSTATUS(st) == ENOMEM,
					  "child %d: LOCK_BUFFER %s, expected "
					  "success or ENOMEM",
					  child,
					  errno_name(WEXITSTATUS(st)).c_str());
		}
		const long long pinned = read_stat(b, "pinned_bytes");
		CHECK_MSG(locked == 1 && pinned == (long long)each,
			  "%d of 4 forked children locked 6 MiB each under an "
			  "8 MiB limit: %lld bytes pinned through one file",
			  locked, pinned);
	});
	join_child(c);
	CHECK_STATS(b, 0, 0, 0, "after the file was closed");
}

// Coherent memory is locked memory: charged to RLIMIT_MEMLOCK, and still
// counted (in sysfs too) while an unlocked buffer stays mapped, so lock,
// mmap, unlock cycles cannot hold more than the limit.
void s_contig_memlock()
{
	const Board &b = board(0);
	Child c = spawn_child("limited child", 60, [&] {
		become_memlock_limited(1 << 20);
		Fd fd = open_node_checked(0);
		REQUIRE(fd.valid());
		CRONO_CONTIG_BUFFER_INFO big = {};
		big.size = 2 << 20;
		EXPECT_ERRNO(
			ENOMEM, "LOCK_CONTIG_BUFFER of 2 MiB over 1 MiB",
			ioctl(fd.get(), IOCTL_CRONO_LOCK_CONTIG_BUFFER, &big));
		std::vector<Mapping> kept;
		int held = 0;
		for (int round = 0; round < 5; round++) {
			CRONO_CONTIG_BUFFER_INFO info = {};
			info.size = 256 << 10;
			if (crono_ioctl(fd.get(),
					IOCTL_CRONO_LOCK_CONTIG_BUFFER,
					&info) != 0)
				break;
			kept.push_back(Mapping::map(
				info.size, PROT_READ | PROT_WRITE, MAP_SHARED,
				fd.get(), off_t(info.id) * off_t(kPage)));
			REQUIRE(kept.back().ok());
			// The vendor library's order: unlock, then munmap.
			REQUIRE(unlock_contig(fd.get(), info.id) == 0);
			held++;
		}
		CHECK_MSG(held == 4,
			  "%d lock+mmap+unlock cycles of 256 KiB under a 1 MiB "
			  "limit succeeded, expected 4",
			  held);
		CHECK_MSG(read_stat(b, "coherent_buffers") == held &&
				  read_stat(b, "coherent_bytes") ==
					  held * (256 << 10),
			  "sysfs shows %lld coherent buffers, %lld bytes; %d "
			  "unlocked buffers are still mapped",
			  read_stat(b, "coherent_buffers"),
			  read_stat(b, "coherent_bytes"), held);
		kept.clear();
		CHECK_MSG(read_stat(b, "coherent_buffers") == 0,
			  "%lld coherent buffers after munmap",
			  read_stat(b, "coherent_buffers"));
		ContigBuf again;
		CHECK(contig_lock_checked(fd.get(), 1 << 20, &again));
		CHECK(again.unlock() == 0);
	});
	join_child(c);
}

// =============================================================================================
// Scenarios: races with removal, and the board's bus mastering

// Bit 2 (bus master) of the PCI command register, read through sysfs config.
bool bus_master_on(const Board &b, bool *on)
{
	Fd cfg = open_fd(b.sysfs() + "/config", O_RDONLY);
	uint16_t command = 0;
	if (!cfg.valid() || pread(cfg.get(), &command, 2, 4) != 2)
		return false;
	*on = command & 0x4;
	return true;
}

#define CHECK_BUS_MASTER(b, want, when)                                        \
	do {                                                                   \
		bool on_ = false;                                              \
		if (!bus_master_on(b, &on_))                                   \
			VT_FAIL("reading %s/config %s", (b).sysfs().c_str(),   \
				when);                                         \
		else                                                           \
			CHECK_MSG(on_ == (want),                               \
				  "bus mastering %s %s, expected %s",          \
				  on_ ? "on" : "off", when,                    \
				  (want) ? "on" : "off");                      \
	} while (0)

// Bus mastering is on exactly while a file is open: the board cannot write
// into memory that no open file owns. Off after close, SIGKILL and removal.
void s_bus_master_while_open()
{
	const Board &b = board(0);
	CHECK_BUS_MASTER(b, false, "with no file open");
	{
		Fd fd = open_node_checked(0);
		REQUIRE(fd.valid());
		CHECK_BUS_MASTER(b, true, "while the file is open");
		ContigBuf c;
		REQUIRE(contig_lock_checked(fd.get(), kPage, &c));
	}
	CHECK_BUS_MASTER(b, false, "after close");
	pid_t pid = fork();
	REQUIRE_MSG(pid >= 0, "fork: %s", errno_name(errno).c_str());
	if (pid == 0) {
		child_init(30);
		Fd fd = open_node(b);
		pause();
		_exit(0);
	}
	live_children().push_back(pid);
	CHECK_MSG(wait_until(10.0,
			     [&] {
				     bool on = false;
				     return bus_master_on(b, &on) && on;
			     }),
		  "bus mastering never went on for the child's open");
	kill(pid, SIGKILL);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
	forget_child(pid);
	REQUIRE(wait_until(5.0, [&] { return module_refcnt() == "0"; }));
	CHECK_BUS_MASTER(b, false, "after the holder was killed");
	Fd fd = open_node_checked(0);
	REQUIRE(fd.valid());
	if (unbind(b)) {
		CHECK_BUS_MASTER(b, false,
				 "after the removal of the open board");
		fd.reset();
		rebind(b);
	}
}

thread_local sigjmp_buf t_touch_jmp;
void on_touch_fault(int)
{
	siglongjmp(t_touch_jmp, 1);
}

// Reads one byte of p; false when that raised SIGBUS (or SIGSEGV).
bool touch_ok(const volatile uint8_t *p)
{
	struct sigaction sa = {}, old_bus, old_segv;
	sa.sa_handler = on_touch_fault;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	volatile bool ok = false; // survives the siglongjmp
	if (sigsetjmp(t_touch_jmp, 1) == 0) {
		(void)*p;
		ok = true;
	}
	sigaction(SIGBUS, &old_bus, nullptr);
	sigaction(SIGSEGV, &old_segv, nullptr);
	return ok;
}

// A process that keeps mapping and touching a contiguous buffer while the
// board is unbound: afterwards no mapping made before or during the removal
// may still reach the freed memory (every touch SIGBUS). Repeated so that a
// window of microseconds between ->mmap and the vma becoming visible to the
// removal's zap is hit.
void s_mmap_remove_race()
{
	const Board &b = board(g.boards.size() - 1);
	const int rounds = 50;
	size_t made = 0, readable = 0;
	for (int round = 0; round < rounds && !cur().failed(); round++) {
		int ready[2], result[2];
		REQUIRE(pipe2(ready, O_CLOEXEC) == 0 &&
			pipe2(result, O_CLOEXEC) == 0);
		pid_t pid = fork();
		REQUIRE_MSG(pid >= 0, "fork: %s", errno_name(errno).c_str());
		if (pid == 0) {
			child_init(60);
			size_t counts[2] = { 0, 0 };
			Fd fd = open_node(b);
			CRONO_CONTIG_BUFFER_INFO info = {};
			info.size = kPage;
			if (!fd.valid() ||
			    ioctl(fd.get(), IOCTL_CRONO_LOCK_CONTIG_BUFFER,
				  &info) != 0)
				_exit(2);
			(void)!write(ready[1], "r", 1);
			std::vector<volatile uint8_t *> maps;
			for (;;) {
				void *p = mmap(nullptr, kPage,
					       PROT_READ | PROT_WRITE,
					       MAP_SHARED, fd.get(),
					       off_t(info.id) * off_t(kPage));
				if (p == MAP_FAILED)
					break; // ENODEV once removed
				maps.push_back(static_cast<uint8_t *>(p));
				if (!touch_ok(maps.back()))
					break;
			}
			// pagemap cannot tell: it skips PFN mappings.
			counts[0] = maps.size();
			for (auto *p : maps)
				counts[1] += touch_ok(p);
			(void)!write(result[1], counts, sizeof counts);
			_exit(0);
		}
		close(ready[1]);
		close(result[1]);
		live_children().push_back(pid);
		char c;
		bool started = read(ready[0], &c, 1) == 1;
		if (started) {
			// A few mappings first, then the removal among them.
			sleep_ms(round % 5);
			unbind(b);
		}
		size_t counts[2] = { 0, 0 };
		bool reported =
			read(result[0], counts, sizeof counts) == sizeof counts;
		int st = 0;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
		}
		forget_child(pid);
		close(ready[0]);
		close(result[0]);
		CHECK_MSG(started && reported,
			  "round %d: the mapping process %s", round,
			  wait_status_str(st).c_str());
		made += counts[0];
		readable += counts[1];
		if (started && !rebind(b))
			return;
	}
	CHECK_MSG(readable == 0,
		  "of %zu mappings made around %d removals, %zu stayed "
		  "readable after the removal",
		  made, rounds, readable);
	printf("# mmap_remove_race: %zu mappings made around %d removals\n",
	       made, rounds);
	fflush(stdout);
}

// Stalls a LOCK_BUFFER on a page-table destination registered with
// userfaultfd. While it waits inside the driver, a second open of the board
// must answer EBUSY at once, an open of another misc device must not wait
// (open runs under the kernel's global misc lock), and removal of the board
// must complete; when the fault is resolved the lock fails and nothing stays
// pinned.
void s_stalled_lock_blocks_nothing()
{
	const Board &b = board(g.boards.size() - 1);
	Fd fd = open_node_checked(g.boards.size() - 1);
	REQUIRE(fd.valid());
	Pins base = read_pins();
	Fd uffd(static_cast<int>(syscall(SYS_userfaultfd, O_CLOEXEC)));
	REQUIRE_MSG(uffd.valid(), "userfaultfd: %s", errno_name(errno).c_str());
	struct uffdio_api api = {};
	api.api = UFFD_API;
	REQUIRE(ioctl(uffd.get(), UFFDIO_API, &api) == 0);
	Mapping table = Mapping::anon(kPage); // never touched: missing
	Mapping buf = Mapping::anon(kPage);
	REQUIRE(table.ok() && buf.ok());
	memset(buf.data(), 1, kPage);
	struct uffdio_register reg = {};
	reg.range.start = table.addr();
	reg.range.len = kPage;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	REQUIRE_MSG(ioctl(uffd.get(), UFFDIO_REGISTER, &reg) == 0,
		    "UFFDIO_REGISTER: %s", errno_name(errno).c_str());

	std::atomic<int> lock_err{ -1 };
	std::thread locker([&] {
		CRONO_SG_BUFFER_INFO info = {};
		info.addr = buf.addr();
		info.size = kPage;
		info.pages = info.upages = table.addr();
		info.pages_count = 1;
		lock_err =
			crono_ioctl(fd.get(), IOCTL_CRONO_LOCK_BUFFER, &info);
	});
	struct pollfd pfd = { uffd.get(), POLLIN, 0 };
	bool stalled = poll(&pfd, 1, 10000) == 1;
	CHECK_MSG(stalled, "LOCK_BUFFER never faulted on its page table");

	// Each probe runs in a thread; a probe still blocked after the
	// deadline is a failure (it is let go when the fault is resolved).
	auto timed = [](double seconds, std::function<void()> fn) {
		auto done = std::make_shared<std::atomic<bool>>(false);
		std::thread t([fn, done] {
			fn();
			*done = true;
		});
		bool in_time =
			wait_until(seconds, [&] { return done->load(); });
		return std::make_pair(in_time, std::move(t));
	};
	int second_err = 0;
	auto second = timed(1.0, [&] {
		Fd again = open_node(b, &second_err);
		if (again.valid())
			second_err = 0;
	});
	CHECK_MSG(second.first,
		  "a second open of %s blocked while a lock "
		  "waited on user memory",
		  b.node().c_str());
	int other_err = 0;
	auto other = timed(1.0, [&] {
		Fd latency =
			open_fd("/dev/cpu_dma_latency", O_RDONLY, &other_err);
	});
	CHECK_MSG(other.first,
		  "open of /dev/cpu_dma_latency blocked (the misc lock is held "
		  "by an open of this driver)");
	int unbind_err = -1;
	auto removal = timed(10.0, [&] {
		unbind_err = write_file(kDrvDir + "/unbind", b.pci);
	});
	CHECK_MSG(removal.first,
		  "removal of %s did not complete while a lock waited on user "
		  "memory",
		  b.pci.c_str());

	// Resolve the fault: everything stuck goes on.
	struct uffdio_zeropage zero = {};
	zero.range.start = table.addr();
	zero.range.len = kPage;
	CHECK_MSG(ioctl(uffd.get(), UFFDIO_ZEROPAGE, &zero) == 0,
		  "UFFDIO_ZEROPAGE: %s", errno_name(errno).c_str());
	locker.join();
	second.second.join();
	other.second.join();
	removal.second.join();
	if (second.first)
		CHECK_MSG(second_err == EBUSY,
			  "second open: %s, expected EBUSY",
			  errno_name(second_err).c_str());
	CHECK_MSG(unbind_err == 0, "unbind: %s",
		  errno_name(unbind_err).c_str());
	CHECK_MSG(lock_err == ENODEV,
		  "the stalled LOCK_BUFFER returned %s after the removal, "
		  "expected ENODEV",
		  errno_name(lock_err).c_str());
	fd.reset();
	CHECK_PINS(base, 0, "after the stalled lock and the removal");
	rebind(b);
}

// =============================================================================================
// Scenario: many boards (setup many)

void s_many_boards()
{
	REQUIRE_MSG(g.boards.size() == kManyBoards,
		    "found %zu edu devices, expected %zu", g.boards.size(),
		    kManyBoards);
	std::set<std::string> names;
	for (auto &b : g.boards) {
		names.insert(b->node_name());
		wait_until(2.0, [&] { return exists(b->node()); });
		struct stat st;
		if (stat(b->node().c_str(), &st) != 0) {
			VT_FAIL("%s for %s: %s", b->node().c_str(),
				b->pci.c_str(), errno_name(errno).c_str());
			continue;
		}
		CHECK_MSG(S_ISCHR(st.st_mode) && (st.st_mode & 07777) == 0660,
			  "%s: mode %04o, expected a character device 0660",
			  b->node().c_str(), st.st_mode & 07777);
	}
	CHECK_MSG(names.size() == kManyBoards, "only %zu distinct node names",
		  names.size());
	auto nodes = crono_nodes();
	CHECK_MSG(nodes.size() == kManyBoards, "%zu /dev/crono_* nodes",
		  nodes.size());

	// All open at once, each with a mapped contiguous buffer.
	std::vector<Fd> fds;
	std::vector<ContigBuf> bufs(kManyBoards);
	for (size_t i = 0; i < kManyBoards; i++) {
		fds.push_back(open_node_checked(i));
		REQUIRE(fds.back().valid());
	}
	for (size_t i = 0; i < kManyBoards; i++) {
		REQUIRE_MSG(
			contig_lock_checked(fds[i].get(), 64 << 10, &bufs[i]),
			"board %zu (%s)", i, board(i).pci.c_str());
		CHECK_STATS(board(i), 1, 0, 64 << 10,
			    "with a 64 KiB buffer locked");
	}
	// One DMA round trip on the first and on the last board.
	for (size_t i : { size_t(0), kManyBoards - 1 }) {
		Board &b = board(i);
		std::string err;
		if (!b.bar.open_bar(b.sysfs(), &err)) {
			VT_FAIL("board %zu: %s", i, err.c_str());
			continue;
		}
		CHECK_MSG(dma_check_pair(b.bar, bufs[i].page(0), bufs[i].dma,
					 bufs[i].page(15),
					 bufs[i].dma + 15 * kPage, &err),
			  "board %zu (%s): DMA check page 0 -> page 15: %s", i,
			  b.pci.c_str(), err.c_str());
	}
	for (size_t i = 0; i < kManyBoards; i++) {
		CHECK_MSG(bufs[i].unlock() == 0, "board %zu: unlock", i);
		bufs[i].map.reset();
		CHECK_MSG(fds[i].reset() == 0, "board %zu: close", i);
		CHECK_STATS(board(i), 0, 0, 0, "after close");
	}
}

// =============================================================================================
// Scenario: hot-unplug (setup hotplug)

// The request line the harness (tests/vm/run) answers with a monitor command.
const char kHotplugRequest[] = "CRONO-HOTPLUG device_del e1";

void s_hot_unplug()
{
	// The board in the hotpluggable root port is the only one off bus 0.
	size_t hi = g.boards.size();
	for (size_t i = 0; i < g.boards.size(); i++)
		if (board(i).bus != 0) {
			REQUIRE_MSG(hi == g.boards.size(),
				    "two edu devices off bus 0");
			hi = i;
		}
	REQUIRE_MSG(hi < g.boards.size(),
		    "no edu device behind the root port (off bus 0)");
	const Board &h = board(hi);
	const size_t si = hi == 0 ? 1 : 0; // the sanity board
	Fd fd = open_node_checked(hi);
	REQUIRE(fd.valid());
	Pins base = read_pins();
	SgBuf s;
	ContigBuf c;
	REQUIRE(sg_lock_checked(fd.get(), 1 << 20, &s));
	REQUIRE(sg_dma_check(h.bar, s, { { 0, 255 } }));
	REQUIRE(contig_lock_checked(fd.get(), 64 << 10, &c));
	fill_pattern(c.map.data(), c.size, next_tag());
	REQUIRE(cleanup_setup(fd.get(), { kcmd(REG_LIVE, 0x5a5a0008u) }) == 0);
	CHECK_STATS(h, 2, 1 << 20, 64 << 10, "before the unplug");
	// The device is about to vanish: drop our BAR0 mapping of it first.
	board(hi).bar.close_bar();
	Kmsg kmsg;
	std::string err;
	REQUIRE_MSG(kmsg.open_at_end(&err), "%s", err.c_str());

	out(strf("%s\n", kHotplugRequest));
	double t0 = now_s();
	bool gone = wait_until(30.0, [&] { return !exists(h.sysfs()); });
	REQUIRE_MSG(gone,
		    "%s still present 30 s after asking for the unplug "
		    "('%s' on the console)",
		    h.pci.c_str(), kHotplugRequest);
	out(strf("# %s gone %.1f s after the request\n", h.pci.c_str(),
		 now_s() - t0));
	check_removed(h, fd, &s, c, base);
	bool logged = false;
	for (auto &l : kmsg.read_new())
		if (l.find(h.pci) != std::string::npos &&
		    lower(l).find("removed while open") != std::string::npos)
			logged = true;
	CHECK_MSG(logged,
		  "no kernel log line for %s saying it was removed while open",
		  h.pci.c_str());
	// The other board is untouched.
	if (si < g.boards.size()) {
		const Board &o = board(si);
		CHECK_MSG(exists(o.node()), "%s vanished with %s",
			  o.node().c_str(), h.pci.c_str());
		Fd ofd = open_node_checked(si);
		REQUIRE(ofd.valid());
		SgBuf os;
		if (sg_lock_checked(ofd.get(), 64 << 10, &os))
			sg_dma_check(o.bar, os, { { 0, 15 } });
		CHECK(os.unlock() == 0);
	}
}

// =============================================================================================
// Scenarios: end

void s_pins_balanced()
{
	Pins p = read_pins();
	REQUIRE_MSG(p.ok, "%s", p.err.c_str());
	CHECK_MSG(p.acquired == p.released, "pins not balanced: %s",
		  p.str().c_str());
}

void check_module_gone()
{
	CHECK_MSG(!exists(kModDir), "%s still exists", kModDir.c_str());
	CHECK_MSG(!exists(kDrvDir), "%s still exists", kDrvDir.c_str());
	for (auto &b : g.boards) {
		CHECK_MSG(!exists(b->node()), "%s still exists",
			  b->node().c_str());
		std::string drv =
			basename_of(readlink_str(b->sysfs() + "/driver"));
		CHECK_MSG(drv.empty(), "%s still bound to '%s'", b->pci.c_str(),
			  drv.c_str());
	}
}

void s_unload_no_leak()
{
	SysRes r = delete_module_retry(3.0);
	REQUIRE_MSG(r.ok(), "delete_module: %s (refcnt %s)",
		    errno_name(r.err).c_str(), module_refcnt().c_str());
	g.module_loaded = g.bound = false;
	g.unloaded = true;
	check_module_gone();
	s_pins_balanced();
}

// A second load/bind/unload cycle; unloading is refused while a file is open,
// and closing a file with buffers and a cleanup program still works after that.
void s_reload_cycle()
{
	if (!EXPECT_OK("second finit_module",
		       finit_module_path(g.module_path).rc))
		return;
	g.module_loaded = is_dir(kModDir);
	REQUIRE_MSG(g.module_loaded, "%s missing after the second load",
		    kModDir.c_str());
	int e = bind_new_id();
	REQUIRE_MSG(e == 0, "write new_id after reload: %s",
		    errno_name(e).c_str());
	for (auto &b : g.boards) {
		bool there = wait_until(2.0, [&] { return exists(b->node()); });
		struct stat st;
		CHECK_MSG(there && stat(b->node().c_str(), &st) == 0 &&
				  (st.st_mode & 07777) == 0660,
			  "%s missing or not mode 0660 after reload",
			  b->node().c_str());
	}
	const EduBar &bar = board(0).bar;
	const uint32_t before = 0x55555555u, v = 0x5a5a0005u;
	bar.w32(REG_LIVE, before);
	Pins base = read_pins();
	{
		Fd fd = open_node_checked(0);
		REQUIRE(fd.valid());
		ContigBuf c;
		CHECK(contig_lock_checked(fd.get(), kPage, &c));
		SgBuf s;
		if (!g.swiotlb())
			CHECK(sg_lock_checked(fd.get(), 64 << 10, &s));
		CHECK(cleanup_setup(fd.get(), { kcmd(REG_LIVE, v) }) == 0);
		SysRes busy = VT_SYS(syscall(SYS_delete_module,
					     kModName.c_str(), O_NONBLOCK));
		if (busy.ok()) {
			// Nothing sensible can follow: the open file now
			// belongs to a dead module.
			g.module_loaded = false;
			fd.release(); // closing it would call into the unloaded
				      // module
			REQUIRE_MSG(false, "delete_module succeeded while a "
					   "file was open");
		}
		CHECK_MSG(busy.err == EAGAIN || busy.err == EBUSY,
			  "delete_module while a file is open: expected EAGAIN "
			  "or EBUSY, got %s",
			  errno_name(busy.err).c_str());
		c.map.reset();
		s.locked = c.locked = false; // released by the close below
	}
	CHECK_MSG(bar.r32(REG_LIVE) == ~v,
		  "cleanup program did not run on close after reload");
	CHECK_PINS(base, 0, "after closing the file with buffers locked");
	SysRes r = delete_module_retry(3.0);
	REQUIRE_MSG(r.ok(), "second delete_module: %s (refcnt %s)",
		    errno_name(r.err).c_str(), module_refcnt().c_str());
	g.module_loaded = g.bound = false;
	check_module_gone();
}

// =============================================================================================
// Registry and runner

enum Needs : unsigned {
	NEED_MODULE = 1,
	NEED_BOUND = 2,
	NEED_BARS = 4,
	NEED_TWO = 8,
	NEED_UNLOADED = 16,
};
constexpr unsigned DEV = NEED_MODULE | NEED_BOUND | NEED_BARS;
// The full setups and installed: scenarios that run unprivileged on one board
// with at most 4 MiB pinned at once (RLIMIT_MEMLOCK 8 MiB).
constexpr unsigned ALL_I = ALL | INSTALLED;
constexpr unsigned DMA_OK_I = DMA_OK | INSTALLED;

struct Scenario {
	const char *name;
	void (*fn)();
	unsigned setups;
	unsigned needs;
	unsigned timeout_s;
};

const Scenario kScenarios[] = {
	{ "installed_module", s_installed_module, INSTALLED, 0, 30 },
	{ "load_module", s_load_module, FRAME, 0, 30 },
	{ "modalias", s_modalias, ALL, NEED_MODULE, 30 },
	{ "bind_new_id", s_bind_new_id, FRAME, NEED_MODULE, 30 },
	{ "node_name_mode", s_node_name_mode, ALL_I | HOTPLUG,
	  NEED_MODULE | NEED_BOUND, 30 },
	{ "installed_permission", s_installed_permission, INSTALLED,
	  NEED_MODULE | NEED_BOUND, 30 },
	{ "bar_access", s_bar_access, ALL_I | HOTPLUG, NEED_MODULE | NEED_BOUND,
	  30 },
	{ "second_open_ebusy", s_second_open_ebusy, ALL_I, DEV, 30 },
	{ "sg_lock_4k", s_sg_lock_4k, DMA_OK_I, DEV, 60 },
	{ "sg_lock_64k", s_sg_lock_64k, DMA_OK_I, DEV, 60 },
	{ "sg_lock_4m", s_sg_lock_4m, DMA_OK_I, DEV, 60 },
	{ "sg_lock_256m", s_sg_lock_256m, DMA_OK, DEV, 150 },
	{ "sg_multi_close", s_sg_multi_close, DMA_OK, DEV, 60 },
	{ "dma_addr_phys", s_dma_addr_phys, PLAIN, DEV, 30 },
	{ "iommu_active", s_iommu_active, IOMMU, DEV, 30 },
	{ "iommu_iova", s_iommu_iova, IOMMU, DEV, 30 },
	{ "contig_lock_mmap", s_contig_lock_mmap, ALL_I, DEV, 60 },
	{ "contig_unlock_keeps_memory", s_contig_unlock_keeps_memory, ALL_I,
	  DEV, 30 },
	{ "sysfs_stats", s_sysfs_stats, ALL_I, DEV, 60 },
	{ "cleanup_on_close", s_cleanup_on_close, ALL_I, DEV, 30 },
	{ "cleanup_replaces", s_cleanup_replaces, ALL_I, DEV, 30 },
	{ "cleanup_on_sigkill", s_cleanup_on_sigkill, ALL_I, DEV, 90 },
	{ "swiotlb_refused", s_swiotlb_refused, SWIOTLB, DEV, 30 },
	{ "lock_addr_zero", s_lock_addr_zero, ALL_I, DEV, 30 },
	{ "lock_addr_unaligned", s_lock_addr_unaligned, ALL_I, DEV, 30 },
	{ "lock_size_zero", s_lock_size_zero, ALL_I, DEV, 30 },
	{ "lock_count_small", s_lock_count_small, ALL_I, DEV, 30 },
	{ "lock_count_large", s_lock_count_large, ALL_I, DEV, 30 },
	{ "lock_wrap", s_lock_wrap, ALL_I, DEV, 30 },
	{ "lock_unmapped", s_lock_unmapped, ALL_I, DEV, 30 },
	{ "lock_readonly", s_lock_readonly, ALL_I, DEV, 30 },
	{ "lock_upages_readonly", s_lock_upages_readonly, ALL_I, DEV, 30 },
	{ "file_backed_pin_refused", s_file_backed_pin_refused, DMA_OK, DEV,
	  60 },
	{ "lock_arg_readonly", s_lock_arg_readonly, ALL_I, DEV, 30 },
	{ "ioctl_arg_null", s_ioctl_arg_null, ALL_I, DEV, 30 },
	{ "ioctl_arg_unmapped", s_ioctl_arg_unmapped, ALL_I, DEV, 30 },
	{ "ioctl_unknown", s_ioctl_unknown, ALL_I, DEV, 30 },
	{ "unlock_unknown_id", s_unlock_unknown_id, ALL_I, DEV, 30 },
	{ "unlock_twice", s_unlock_twice, ALL_I, DEV, 30 },
	{ "unlock_wrong_kind", s_unlock_wrong_kind, ALL_I, DEV, 30 },
	{ "cleanup_bad_count", s_cleanup_bad_count, ALL_I, DEV, 30 },
	{ "cleanup_unaligned", s_cleanup_unaligned, ALL_I, DEV, 30 },
	{ "cleanup_outside_bar", s_cleanup_outside_bar, ALL_I, DEV, 30 },
	{ "cleanup_cmds_efault", s_cleanup_cmds_efault, ALL_I, DEV, 30 },
	{ "cleanup_keeps_previous", s_cleanup_keeps_previous, ALL_I, DEV, 30 },
	{ "mmap_bad_offset", s_mmap_bad_offset, ALL_I, DEV, 30 },
	{ "mmap_too_long", s_mmap_too_long, ALL_I, DEV, 30 },
	{ "contig_bad_size", s_contig_bad_size, ALL_I, DEV, 30 },
	{ "memlock_rlimit", s_memlock_rlimit, DMA_OK, DEV, 60 },
	{ "sigkill_during_big_lock", s_sigkill_during_big_lock, PLAIN | IOMMU,
	  DEV, 150 },
	{ "memlock_fork_children", s_memlock_fork_children, DMA_OK, DEV, 90 },
	{ "contig_memlock", s_contig_memlock, ALL, DEV, 60 },
	{ "lock_limits", s_lock_limits, ALL, DEV, 120 },
	{ "concurrent_ioctls", s_concurrent_ioctls, ALL, DEV, 120 },
	{ "foreign_id", s_foreign_id, DMA_OK, DEV | NEED_TWO, 90 },
	{ "two_devices_two_processes", s_two_devices_two_processes, DMA_OK,
	  DEV | NEED_TWO, 120 },
	{ "compat_32bit", s_compat_32bit, DMA_OK, DEV, 90 },
	{ "cronoctl_list", s_cronoctl_list, DMA_OK_I, DEV, 60 },
	{ "cronoctl_selftest", s_cronoctl_selftest, DMA_OK_I, DEV, 150 },
	{ "cronoctl_bench", s_cronoctl_bench, DMA_OK, DEV, 150 },
	{ "remove_while_open", s_remove_while_open, ALL, DEV, 90 },
	{ "bus_master_while_open", s_bus_master_while_open, ALL, DEV, 60 },
	{ "mmap_remove_race", s_mmap_remove_race, ALL, DEV, 240 },
	{ "stalled_lock_blocks_nothing", s_stalled_lock_blocks_nothing, DMA_OK,
	  DEV, 90 },
	{ "many_boards", s_many_boards, MANY, NEED_MODULE | NEED_BOUND, 120 },
	{ "hot_unplug", s_hot_unplug, HOTPLUG, DEV | NEED_TWO, 90 },
	{ "pins_balanced", s_pins_balanced, FRAME, 0, 30 },
	{ "unload_no_leak", s_unload_no_leak, FRAME, NEED_MODULE, 30 },
	{ "reload_cycle", s_reload_cycle, ALL, NEED_UNLOADED, 60 },
};

std::string unmet_needs(unsigned needs)
{
	if ((needs & NEED_MODULE) && !g.module_loaded)
		return g.installed()
			       ? "not run: the installed module was not found "
				 "loaded and bound (installed_module failed)"
			       : "not run: the module is not loaded "
				 "(load_module "
				 "failed)";
	if ((needs & NEED_BOUND) && !g.bound)
		return g.installed()
			       ? "not run: the edu devices are not all bound "
				 "(installed_module failed)"
			       : "not run: the edu devices are not all bound "
				 "(bind_new_id failed)";
	if ((needs & NEED_BARS) && !g.bars)
		return "not run: BAR0 not mapped through resource0 (bar_access "
		       "failed)";
	if ((needs & NEED_TWO) && g.boards.size() < 2)
		return strf("not run: needs two edu devices, found %zu",
			    g.boards.size());
	if ((needs & NEED_UNLOADED) && !g.unloaded)
		return "not run: the module was not unloaded (unload_no_leak "
		       "failed)";
	return "";
}

// --- state shared with the signal handlers ---
std::vector<const Scenario *> g_list;
volatile sig_atomic_t g_index = -1;
// Watchdogs are scenario.timeout_s times this (4 in setup installed, whose pin
// counter readings wait for the counters to settle).
volatile sig_atomic_t g_timeout_scale = 1;
volatile sig_atomic_t g_passed = 0;
volatile sig_atomic_t g_failed = 0;
sigjmp_buf g_fault_jmp;
volatile sig_atomic_t g_fault_armed = 0;
volatile sig_atomic_t g_fault_sig = 0;
void *volatile g_fault_addr = nullptr;

// async-signal-safe output
void sig_puts(const char *s)
{
	out_raw(s, strlen(s));
}
void sig_putu(unsigned long v)
{
	char buf[24];
	int i = sizeof buf;
	buf[--i] = 0;
	do {
		buf[--i] = static_cast<char>('0' + v % 10);
		v /= 10;
	} while (v && i > 0);
	sig_puts(buf + i);
}
void sig_summary()
{
	sig_puts("crono_vmtest: ");
	sig_putu(static_cast<unsigned long>(g_passed));
	sig_puts(" passed, ");
	sig_putu(static_cast<unsigned long>(g_failed));
	sig_puts(" failed\n");
}

void on_alarm(int)
{
	for (pid_t p : live_children())
		kill(p, SIGKILL);
	long i = g_index;
	if (i < 0 || static_cast<size_t>(i) >= g_list.size())
		_exit(3);
	const Scenario *s = g_list[static_cast<size_t>(i)];
	sig_puts("not ok - ");
	sig_puts(s->name);
	sig_puts(": watchdog: no result after ");
	sig_putu(static_cast<unsigned long>(s->timeout_s) *
		 static_cast<unsigned long>(g_timeout_scale));
	sig_puts(" s\n");
	g_failed = g_failed + 1;
	for (size_t k = static_cast<size_t>(i) + 1; k < g_list.size(); k++) {
		sig_puts("not ok - ");
		sig_puts(g_list[k]->name);
		sig_puts(": not run (the watchdog fired in ");
		sig_puts(s->name);
		sig_puts(")\n");
		g_failed = g_failed + 1;
	}
	sig_summary();
	_exit(1);
}

void on_fault(int sig, siginfo_t *si, void *)
{
	if (g_fault_armed) {
		g_fault_armed = 0;
		g_fault_sig = sig;
		g_fault_addr = si ? si->si_addr : nullptr;
		siglongjmp(g_fault_jmp, 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

void reap_children()
{
	for (pid_t p : live_children()) {
		kill(p, SIGKILL);
		while (waitpid(p, nullptr, 0) < 0 && errno == EINTR) {
		}
	}
	live_children().clear();
}

void run_scenario(const Scenario &s)
{
	Ctx ctx;
	cur_ptr() = &ctx;
	std::string unmet = unmet_needs(s.needs);
	if (!unmet.empty()) {
		ctx.add_raw(unmet);
	} else {
		// Installed, a reading takes seconds (read_pins_settled), and
		// nothing pins between one scenario's closing reading and the
		// next one's start: reuse it.
		static Pins last_after;
		Pins before = g.installed() && last_after.ok ? last_after
							     : read_pins();
		alarm(s.timeout_s * static_cast<unsigned>(g_timeout_scale));
		if (sigsetjmp(g_fault_jmp, 1) == 0) {
			g_fault_armed = 1;
			s.fn();
			g_fault_armed = 0;
		} else {
			ctx.add_raw(strf("%s at address %p in the test program",
					 g_fault_sig == SIGBUS ? "SIGBUS"
							       : "SIGSEGV",
					 static_cast<void *>(g_fault_addr)));
		}
		release_tracked();
		reap_children();
		Pins after = read_pins();
		if (g.installed())
			last_after = after;
		if (!before.ok || !after.ok)
			ctx.add_raw("pin counters: " +
				    (before.ok ? after.err : before.err));
		else if (after.outstanding() != before.outstanding())
			ctx.add_raw(strf(
				"pages left pinned by this scenario: "
				"outstanding %lld "
				"before, %lld after (%s)",
				static_cast<long long>(before.outstanding()),
				static_cast<long long>(after.outstanding()),
				after.str().c_str()));
		alarm(0);
	}
	cur_ptr() = nullptr;
	if (!ctx.failed()) {
		g_passed = g_passed + 1;
		out(strf("ok - %s\n", s.name));
		return;
	}
	g_failed = g_failed + 1;
	std::string msg;
	const auto &f = ctx.failures();
	for (size_t k = 0; k < f.size() && k < 4; k++)
		msg += (k ? "; " : "") + f[k];
	if (f.size() > 4)
		msg += strf("; (+%zu more)", f.size() - 4);
	if (msg.size() > 1500)
		msg = msg.substr(0, 1500) + "...";
	out(strf("not ok - %s: %s\n", s.name, msg.c_str()));
}

void usage_error(const std::string &why)
{
	out("not ok - arguments: " + one_line(why) +
	    " (usage: crono_vmtest --setup=plain|iommu|swiotlb|many|hotplug "
	    "--module=PATH "
	    "[--list], or crono_vmtest --setup=installed [--list])\n");
	out("crono_vmtest: 0 passed, 1 failed\n");
	_exit(2);
}

} // namespace

int main(int argc, char **argv)
{
	bool list = false;
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		if (a.rfind("--setup=", 0) == 0) {
			g.setup_name = a.substr(8);
		} else if (a.rfind("--module=", 0) == 0) {
			g.module_path = a.substr(9);
		} else if (a == "--list") {
			list = true;
		} else if (a == "--help" || a == "-h") {
			out("usage: crono_vmtest "
			    "--setup=plain|iommu|swiotlb|many|hotplug "
			    "--module=PATH [--list]\n"
			    "       crono_vmtest --setup=installed [--list]  "
			    "(module installed, loaded and bound by the "
			    "system; run unprivileged in group crono)\n");
			return 0;
		} else {
			usage_error("unknown argument '" + a + "'");
		}
	}
	if (g.setup_name == "plain")
		g.setup = PLAIN;
	else if (g.setup_name == "iommu")
		g.setup = IOMMU;
	else if (g.setup_name == "swiotlb")
		g.setup = SWIOTLB;
	else if (g.setup_name == "many")
		g.setup = MANY;
	else if (g.setup_name == "hotplug")
		g.setup = HOTPLUG;
	else if (g.setup_name == "installed")
		g.setup = INSTALLED;
	else
		usage_error("unknown or missing --setup '" + g.setup_name +
			    "'");
	for (auto &s : kScenarios)
		if (s.setups & g.setup)
			g_list.push_back(&s);
	if (list) {
		for (auto *s : g_list)
			out(std::string(s->name) + "\n");
		return 0;
	}
	if (g.installed()) {
		// The system loaded the module: --module is not used.
		g.module_path.clear();
		g_timeout_scale = 4;
		pins_unprivileged() = true;
	} else if (g.module_path.empty()) {
		usage_error("missing --module");
	}

	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, nullptr);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, nullptr);
	sigaction(SIGBUS, &sa, nullptr);

	g.boards = discover_edu();
	std::string names;
	for (auto &b : g.boards)
		names += " " + b->pci;
	out(strf("# crono_vmtest: setup %s, module %s, edu devices:%s\n",
		 g.setup_name.c_str(),
		 g.installed() ? "(installed, " CRONO_MODULE_NAME ")"
			       : g.module_path.c_str(),
		 names.empty() ? " none" : names.c_str()));

	for (size_t i = 0; i < g_list.size(); i++) {
		g_index = static_cast<sig_atomic_t>(i);
		run_scenario(*g_list[i]);
	}
	g_index = -1;
	out(strf("crono_vmtest: %d passed, %d failed\n",
		 static_cast<int>(g_passed), static_cast<int>(g_failed)));
	return g_failed ? 1 : 0;
}
