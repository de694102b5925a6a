// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// The module and its boards: loading, the PCI alias, binding through
// new_id, the misc nodes, BAR0 beside the driver, one open file per board.
#include "fixture.h"

#include "crono/os.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

using namespace vt;

namespace {

class Module_PlainIommuSwiotlbManyHotplug : public FrameTest {};
class Binding_PlainIommuSwiotlbManyHotplug : public ModuleTest {};
class Module_Installed : public FrameTest {};
class Node_Installed : public BoundTest {};
class Node_PlainIommuSwiotlbHotplugInstalled : public BoundTest {};
class Node_PlainIommuSwiotlbInstalled : public BoardTest {};

// Group names from /etc/group, through libcrono: getgrgid in a static program
// needs the NSS modules at run time. The package creates group crono with
// addgroup --system, i.e. in /etc/group.
std::string group_name(gid_t gid)
{
	return crono::system_os().group_name(gid);
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

TEST_F(Module_PlainIommuSwiotlbManyHotplug, LoadModule)
{
	if (is_dir(kModDir)) {
		ADD_FAILURE() << strf(
			"module was already loaded before the test (refcnt %s)",
			module_refcnt().c_str());
		g.module_loaded = true;
		return;
	}
	ASSERT_TRUE(succeeds(sys(finit_module_path(g.module_path).rc)))
		<< "finit_module(" << g.module_path << ")";
	g.module_loaded = is_dir(kModDir);
	EXPECT_TRUE(g.module_loaded)
		<< strf("%s missing after finit_module", kModDir.c_str());
	std::string st;
	EXPECT_TRUE(read_file(kModDir + "/initstate", &st) &&
		    trim(st) == "live")
		<< strf("module initstate is '%s', expected 'live'",
			trim(st).c_str());
	EXPECT_TRUE(is_dir(kDrvDir)) << strf(
		"%s missing: pci_driver.name is not " CRONO_DRIVER_NAME "?",
		kDrvDir.c_str());
	// The loaded module owns the pci_driver. (Its PCI alias, which udev's
	// autoload matches, is checked in the .ko by tests/module-build.)
	EXPECT_TRUE(exists(kModDir + "/drivers/pci:" CRONO_DRIVER_NAME))
		<< strf("%s/drivers/pci:" CRONO_DRIVER_NAME " missing",
			kModDir.c_str());
	std::string mod = basename_of(readlink_str(kDrvDir + "/module"));
	EXPECT_TRUE(mod == kModName) << strf("%s/module points to '%s'",
					     kDrvDir.c_str(), mod.c_str());
}

TEST_F(Binding_PlainIommuSwiotlbManyHotplug, BindNewId)
{
	ASSERT_TRUE(!g.boards.empty())
		<< "no edu device (1234:11e8) in /sys/bus/pci/devices";
	EXPECT_TRUE(g.boards.size() == g.expected_boards()) << strf(
		"found %zu edu devices, setup %s should have %zu",
		g.boards.size(), g.setup_name.c_str(), g.expected_boards());
	for (auto &b : g.boards) {
		std::string drv =
			basename_of(readlink_str(b->sysfs() + "/driver"));
		EXPECT_TRUE(drv.empty())
			<< strf("%s was bound to '%s' before new_id",
				b->pci.c_str(), drv.c_str());
	}
	int e = bind_new_id();
	ASSERT_TRUE(no_error(e)) << strf("write %s/new_id", kDrvDir.c_str());
	bool all = true;
	for (auto &b : g.boards) {
		const ::testing::AssertionResult bound = bound_both_ways(*b);
		EXPECT_TRUE(bound) << "after new_id";
		all = all && bound;
	}
	g.bound = all;
}

// Setup installed, instead of LoadModule and BindNewId: what DKMS, modprobe
// and the system's binding did, seen by an unprivileged process. Sets
// g.module_loaded and g.bound only when every check passed.
TEST_F(Module_Installed, InstalledModule)
{
	const uid_t euid = geteuid();
	EXPECT_TRUE(euid != 0) << strf(
		"running as root (euid 0): setup installed checks the driver "
		"as an unprivileged member of group %s; run it as such a user "
		"(e.g. setpriv --reuid=USER --regid=GROUP --init-groups)",
		kCronoGroup);
	ASSERT_TRUE(is_dir(kModDir))
		<< strf("%s missing: the module is not loaded (installed "
			"through DKMS and loaded by modprobe?)",
			kModDir.c_str());
	std::string ver, st;
	int e = 0;
	bool have_ver = read_file(kModDir + "/version", &ver, &e);
	ver = trim(ver);
	EXPECT_TRUE(have_ver && !ver.empty())
		<< strf("%s/version: %s", kModDir.c_str(),
			have_ver ? "empty" : errno_name(e).c_str());
	EXPECT_TRUE(read_file(kModDir + "/initstate", &st) &&
		    trim(st) == "live")
		<< strf("module initstate is '%s', expected 'live'",
			trim(st).c_str());
	ASSERT_TRUE(is_dir(kDrvDir)) << strf(
		"%s missing: pci_driver.name is not " CRONO_DRIVER_NAME "?",
		kDrvDir.c_str());
	ASSERT_TRUE(!g.boards.empty())
		<< "no edu device (1234:11e8) in /sys/bus/pci/devices";
	std::string bound;
	for (auto &b : g.boards) {
		EXPECT_TRUE(bound_both_ways(*b));
		bound += " " + b->pci;
	}
	note(strf("InstalledModule: %s version %s, euid %u egid %u, edu "
		  "devices:%s",
		  kModName.c_str(), ver.empty() ? "?" : ver.c_str(),
		  static_cast<unsigned>(euid), static_cast<unsigned>(getegid()),
		  bound.c_str()));
	if (!HasFailure())
		g.module_loaded = g.bound = true;
}

// Setup installed: the permission model from the member's side. The process
// is in group crono, the node and BAR0's resource file belong to group crono
// with mode 0660 exactly (not to us, and nothing for others), and the node
// opens read-write.
TEST_F(Node_Installed, InstalledPermission)
{
	ASSERT_TRUE(!g.boards.empty()) << "no edu device";
	const uid_t euid = geteuid();
	auto check_file = [&](const std::string &path, bool chr) {
		struct stat st;
		if (stat(path.c_str(), &st) != 0) {
			ADD_FAILURE() << strf("stat %s: %s", path.c_str(),
					      errno_name(errno).c_str());
			return;
		}
		EXPECT_TRUE(chr ? S_ISCHR(st.st_mode) : S_ISREG(st.st_mode))
			<< strf("%s is not a %s", path.c_str(),
				chr ? "character device" : "regular file");
		// The udev rule of the package (the initramfs of the other
		// setups has no udev: there the node stays root's).
		EXPECT_TRUE(group_name(st.st_gid) == kCronoGroup)
			<< strf("%s has group %s, expected %s", path.c_str(),
				group_str(st.st_gid).c_str(), kCronoGroup);
		EXPECT_TRUE(in_group(st.st_gid)) << strf(
			"the process (euid %u, egid %u) is not in group %s",
			static_cast<unsigned>(euid),
			static_cast<unsigned>(getegid()),
			group_str(st.st_gid).c_str());
		EXPECT_TRUE((st.st_mode & 07777) == 0660)
			<< strf("%s has mode %04o, expected 0660", path.c_str(),
				st.st_mode & 07777);
		// So the access below is through the group, not ownership.
		EXPECT_TRUE(st.st_uid != euid)
			<< strf("%s is owned by the test user (uid %u): access "
				"would not prove the group rule",
				path.c_str(), static_cast<unsigned>(st.st_uid));
	};
	for (size_t i = 0; i < g.boards.size(); i++) {
		const Board &b = board(i);
		check_file(b.node(), true);
		int e = 0;
		Fd fd = open_node(b, &e);
		EXPECT_TRUE(fd.valid())
			<< strf("open %s O_RDWR: %s", b.node().c_str(),
				errno_name(e).c_str());
		if (fd.valid()) {
			EXPECT_TRUE(fd.reset() == 0)
				<< strf("close %s: %s", b.node().c_str(),
					errno_name(errno).c_str());
		}
		const std::string res = b.sysfs() + "/resource0";
		check_file(res, false);
		Fd r = open_fd(res, O_RDWR, &e);
		EXPECT_TRUE(r.valid())
			<< strf("open %s O_RDWR: %s", res.c_str(),
				errno_name(e).c_str());
	}
}

TEST_F(Node_PlainIommuSwiotlbHotplugInstalled, NodeNameMode)
{
	for (auto &b : g.boards) {
		std::string name = b->node_name(), path = b->node();
		EXPECT_TRUE(name.size() + 1 <= CRONO_DEV_NAME_MAX_SIZE)
			<< strf("name %s longer than %d", name.c_str(),
				CRONO_DEV_NAME_MAX_SIZE);
		// devtmpfs creates the node during device_add; allow a moment
		// anyway.
		wait_until(2.0, [&] { return exists(path); });
		struct stat st;
		if (stat(path.c_str(), &st) != 0) {
			ADD_FAILURE()
				<< strf("%s for %s: %s (nodes present: %zu)",
					path.c_str(), b->pci.c_str(),
					errno_name(errno).c_str(),
					crono_nodes().size());
			continue;
		}
		EXPECT_TRUE(S_ISCHR(st.st_mode))
			<< strf("%s is not a character device", path.c_str());
		EXPECT_TRUE((st.st_mode & 07777) == 0660)
			<< strf("%s has mode %04o, expected 0660", path.c_str(),
				st.st_mode & 07777);
		EXPECT_TRUE(major(st.st_rdev) == 10)
			<< strf("%s has major %u, expected 10 (misc)",
				path.c_str(), major(st.st_rdev));
		std::string dev;
		EXPECT_TRUE(
			read_file("/sys/class/misc/" + name + "/dev", &dev) &&
			trim(dev) == strf("%u:%u", major(st.st_rdev),
					  minor(st.st_rdev)))
			<< strf("/sys/class/misc/%s/dev is '%s'", name.c_str(),
				trim(dev).c_str());
	}
	auto nodes = crono_nodes();
	EXPECT_TRUE(nodes.size() == g.boards.size())
		<< strf("%zu /dev/crono_* nodes for %zu boards", nodes.size(),
			g.boards.size());
}

// BAR0 through resource0 while the driver is bound and the node is open (the
// driver must not keep the region requested), config space readable, bus
// mastering on.
TEST_F(Node_PlainIommuSwiotlbHotplugInstalled, BarAccess)
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
		if (!b.bar.open_bar(b.pci, &err)) {
			ADD_FAILURE()
				<< strf("%s: %s", b.pci.c_str(), err.c_str());
			all = false;
			continue;
		}
		EXPECT_TRUE(b.bar.size() == EDU_BAR0_SIZE)
			<< strf("%s: BAR0 is %zu bytes, expected %llu",
				b.pci.c_str(), b.bar.size(),
				static_cast<unsigned long long>(EDU_BAR0_SIZE));
		uint32_t id = b.bar.r32(EDU_REG_ID);
		if (id != EDU_ID_VALUE) {
			ADD_FAILURE()
				<< strf("%s: BAR0 id register reads 0x%08x",
					b.pci.c_str(), id);
			all = false;
		}
		uint32_t v = 0x13572468u + static_cast<uint32_t>(i);
		b.bar.w32(EDU_REG_LIVENESS, v);
		EXPECT_TRUE(b.bar.r32(EDU_REG_LIVENESS) == ~v) << strf(
			"%s: liveness register does not invert", b.pci.c_str());
		uint8_t cfg[64] = {};
		Fd c = open_fd(b.sysfs() + "/config", O_RDONLY);
		ssize_t n = c.valid() ? pread(c.get(), cfg, sizeof cfg, 0) : -1;
		if (n != static_cast<ssize_t>(sizeof cfg)) {
			ADD_FAILURE() << strf("%s: reading config space: %s",
					      b.pci.c_str(),
					      errno_name(errno).c_str());
			all = false;
			continue;
		}
		unsigned ven = cfg[0] | cfg[1] << 8, dev = cfg[2] | cfg[3] << 8,
			 cmd = cfg[4];
		EXPECT_TRUE(ven == EDU_VENDOR_ID && dev == EDU_DEVICE_ID)
			<< strf("%s: config reads %04x:%04x", b.pci.c_str(),
				ven, dev);
		EXPECT_TRUE(cmd & 0x4)
			<< strf("%s: bus mastering is off while the device is "
				"open (command 0x%02x)",
				b.pci.c_str(), cmd);
		EXPECT_TRUE(cmd & 0x2)
			<< strf("%s: memory decoding is off (command 0x%02x)",
				b.pci.c_str(), cmd);
	}
	// The DMA tests need the mappings; the other checks here fail this
	// test only.
	g.bars = all && !g.boards.empty();
}

TEST_F(Node_PlainIommuSwiotlbInstalled, SecondOpenEbusy)
{
	const Board &b = board(0);
	Fd a = open_node_checked(0);
	ASSERT_TRUE(a.valid());
	int e = 0;
	Fd x = open_node(b, &e);
	EXPECT_TRUE(!x.valid() && e == EBUSY)
		<< strf("second open O_RDWR: expected EBUSY, got %s",
			x.valid() ? "success" : errno_name(e).c_str());
	x.reset();
	Fd y = open_node(b, &e, O_RDONLY);
	EXPECT_TRUE(!y.valid() && e == EBUSY)
		<< strf("second open O_RDONLY: expected EBUSY, got %s",
			y.valid() ? "success" : errno_name(e).c_str());
	y.reset();
	if (g.boards.size() >= 2) {
		// One open file per device, not per driver.
		Fd other = open_node(board(1), &e);
		EXPECT_TRUE(other.valid()) << strf(
			"open of the second board while the first is open: %s",
			errno_name(e).c_str());
	}
	EXPECT_TRUE(a.reset() == 0);
	Fd z = open_node(b, &e);
	EXPECT_TRUE(z.valid())
		<< strf("open after the first file was closed: %s",
			errno_name(e).c_str());
}

} // namespace
