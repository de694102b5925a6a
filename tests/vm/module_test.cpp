// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// The module and its boards: loading, the PCI alias, binding through
// new_id, the misc nodes, BAR0 beside the driver, one open file per board.
#include "fixture.h"

#include "crono/os.hpp"

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

// Whether the process has gid among its effective or supplementary groups.
bool in_group(gid_t gid)
{
	std::vector<gid_t> groups(std::max(getgroups(0, nullptr), 0));
	groups.resize(std::max(getgroups(groups.size(), groups.data()), 0));
	return getegid() == gid ||
	       std::find(groups.begin(), groups.end(), gid) != groups.end();
}

TEST_F(Module_PlainIommuSwiotlbManyHotplug, LoadModule)
{
	if (exists(kModDir)) {
		ADD_FAILURE() << "module was already loaded before the test "
			      << "(refcnt " << module_refcnt() << ")";
		g.module_loaded = true;
		return;
	}
	ASSERT_TRUE(succeeds(load_module(g.module_path)))
		<< "finit_module(" << g.module_path << ")";
	g.module_loaded = exists(kModDir);
	EXPECT_TRUE(g.module_loaded) << kModDir << " after finit_module";
	EXPECT_EQ(read_text(kModDir + "/initstate"), "live");
	EXPECT_TRUE(exists(kDrvDir))
		<< "pci_driver.name is not " CRONO_DRIVER_NAME "?";
	// The loaded module owns the pci_driver. (Its PCI alias, which udev's
	// autoload matches, is checked in the .ko by tests/module-build.)
	EXPECT_TRUE(exists(kModDir + "/drivers/pci:" CRONO_DRIVER_NAME));
	EXPECT_EQ(link_name(kDrvDir + "/module"), CRONO_MODULE_NAME);
}

TEST_F(Binding_PlainIommuSwiotlbManyHotplug, BindNewId)
{
	ASSERT_FALSE(g.boards.empty())
		<< "no edu device (1234:11e8) in /sys/bus/pci/devices";
	EXPECT_EQ(g.boards.size(), g.expected_boards())
		<< "edu devices in setup " << g.setup_name;
	for (const Board &b : g.boards)
		EXPECT_EQ(link_name(b.sysfs() + "/driver"), "")
			<< b.pci << "'s driver before new_id";
	ASSERT_TRUE(succeeds(bind_new_id()))
		<< "write " << kDrvDir << "/new_id";
	bool all = true;
	for (const Board &b : g.boards) {
		const AssertionResult bound = bound_both_ways(b);
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
	EXPECT_NE(geteuid(), 0u)
		<< "running as root: setup installed checks the driver as an "
		   "unprivileged member of group crono; run it as such a user "
		   "(e.g. setpriv --reuid=USER --regid=GROUP --init-groups)";
	ASSERT_TRUE(exists(kModDir))
		<< "the module is not loaded (installed through DKMS and "
		   "loaded by modprobe?)";
	const std::string ver = read_text(kModDir + "/version");
	EXPECT_TRUE(!ver.empty() && ver[0] != '(')
		<< kModDir << "/version: '" << ver << "'";
	EXPECT_EQ(read_text(kModDir + "/initstate"), "live");
	ASSERT_TRUE(exists(kDrvDir))
		<< "pci_driver.name is not " CRONO_DRIVER_NAME "?";
	ASSERT_FALSE(g.boards.empty())
		<< "no edu device (1234:11e8) in /sys/bus/pci/devices";
	std::string bound;
	for (const Board &b : g.boards) {
		EXPECT_TRUE(bound_both_ways(b));
		bound += " " + b.pci;
	}
	note("InstalledModule: " CRONO_MODULE_NAME " version ", ver, ", euid ",
	     geteuid(), " egid ", getegid(), ", edu devices:", bound);
	if (!HasFailure())
		g.module_loaded = g.bound = true;
}

// Setup installed: the permission model from the member's side. The process
// is in group crono, the node and BAR0's resource file belong to group crono
// with mode 0660 exactly (not to us, and nothing for others), and the node
// opens read-write.
TEST_F(Node_Installed, InstalledPermission)
{
	ASSERT_FALSE(g.boards.empty()) << "no edu device";
	auto check_file = [](const std::string &path, const char *mode) {
		struct stat st;
		ASSERT_TRUE(succeeds(errno_of(stat(path.c_str(), &st))))
			<< "stat " << path;
		EXPECT_EQ(file_mode(path), mode);
		// The udev rule of the package (the initramfs of the other
		// setups has no udev: there the node stays root's).
		EXPECT_EQ(group_name(st.st_gid), "crono")
			<< path << "'s group (gid " << st.st_gid << ")";
		EXPECT_TRUE(in_group(st.st_gid))
			<< "the process (euid " << geteuid() << ", egid "
			<< getegid() << ") is not in " << path << "'s group "
			<< st.st_gid;
		// So the access below is through the group, not ownership.
		EXPECT_NE(st.st_uid, geteuid())
			<< path << " is owned by the test user: access would "
			<< "not prove the group rule";
	};
	for (const Board &b : g.boards) {
		check_file(b.node(), "chr 0660");
		Fd fd = open_node(b);
		EXPECT_TRUE(succeeds(fd.err()))
			<< "open " << b.node() << " O_RDWR";
		EXPECT_TRUE(succeeds(fd.reset())) << "close " << b.node();
		const std::string res = b.sysfs() + "/resource0";
		check_file(res, "reg 0660");
		EXPECT_TRUE(succeeds(open_fd(res, O_RDWR).err()))
			<< "open " << res << " O_RDWR";
	}
}

TEST_F(Node_PlainIommuSwiotlbHotplugInstalled, NodeNameMode)
{
	for (const Board &b : g.boards) {
		const std::string name = b.node_name(), path = b.node();
		EXPECT_LE(name.size() + 1, size_t(CRONO_DEV_NAME_MAX_SIZE))
			<< name;
		// devtmpfs creates the node during device_add; allow a moment
		// anyway.
		wait_until(2.0, [&] { return exists(path); });
		struct stat st;
		if (stat(path.c_str(), &st) != 0) {
			ADD_FAILURE()
				<< path << " for " << b.pci << ": "
				<< errno_name(errno)
				<< " (nodes present: " << count_crono_nodes()
				<< ")";
			continue;
		}
		EXPECT_EQ(file_mode(path), "chr 0660");
		EXPECT_EQ(major(st.st_rdev), 10u) << path << ", expected misc";
		EXPECT_EQ(read_text("/sys/class/misc/" + name + "/dev"),
			  cat(major(st.st_rdev), ":", minor(st.st_rdev)));
	}
	EXPECT_EQ(count_crono_nodes(), g.boards.size())
		<< "/dev/crono_* nodes for the boards";
}

// BAR0 through resource0 while the driver is bound and the node is open (the
// driver must not keep the region requested), config space readable, bus
// mastering on.
TEST_F(Node_PlainIommuSwiotlbHotplugInstalled, BarAccess)
{
	bool all = true;
	for (size_t i = 0; i < g.boards.size(); i++) {
		Board &b = board(i);
		SCOPED_TRACE(b.pci);
		Fd fd = open_node_checked(i);
		const AssertionResult mapped = b.bar.open(b.address);
		EXPECT_TRUE(mapped) << "mapping BAR0";
		if (!fd.valid() || !mapped) {
			all = false;
			continue;
		}
		EXPECT_EQ(b.bar.size(), size_t(EDU_BAR0_SIZE));
		const uint32_t id = b.bar.r32(EDU_REG_ID);
		EXPECT_EQ(id, uint32_t(EDU_ID_VALUE)) << "BAR0's id register";
		const uint32_t v = 0x13572468u + uint32_t(i);
		b.bar.w32(EDU_REG_LIVENESS, v);
		EXPECT_TRUE(liveness_holds(b.bar, v));
		uint8_t cfg[64] = {};
		Fd c = open_fd(b.sysfs() + "/config", O_RDONLY);
		const bool read = pread(c.get(), cfg, sizeof cfg, 0) ==
				  ssize_t(sizeof cfg);
		EXPECT_TRUE(read)
			<< "reading config space: " << errno_name(errno);
		all = all && id == EDU_ID_VALUE && read;
		if (!read)
			continue;
		const unsigned ven = cfg[0] | cfg[1] << 8,
			       dev = cfg[2] | cfg[3] << 8;
		EXPECT_TRUE(ven == EDU_VENDOR_ID && dev == EDU_DEVICE_ID)
			<< "config reads " << hex(ven) << ":" << hex(dev);
		EXPECT_TRUE(cfg[4] & 0x4) << "bus mastering is off while the "
					     "device is open (command "
					  << hex(cfg[4]) << ")";
		EXPECT_TRUE(cfg[4] & 0x2) << "memory decoding is off (command "
					  << hex(cfg[4]) << ")";
	}
	// The DMA tests need the mappings; the other checks here fail this
	// test only.
	g.bars = all && !g.boards.empty();
}

TEST_F(Node_PlainIommuSwiotlbInstalled, SecondOpenEbusy)
{
	const Board &b = board(0);
	Fd first = open_node_checked(0);
	ASSERT_TRUE(first.valid());
	EXPECT_TRUE(fails_with(open_node(b).err(), EBUSY))
		<< "second open O_RDWR";
	EXPECT_TRUE(fails_with(open_node(b, O_RDONLY).err(), EBUSY))
		<< "second open O_RDONLY";
	// One open file per device, not per driver.
	if (g.boards.size() >= 2) {
		EXPECT_TRUE(succeeds(open_node(board(1)).err()))
			<< "open of the second board while the first is open";
	}
	EXPECT_TRUE(succeeds(first.reset()));
	EXPECT_TRUE(succeeds(open_node(b).err()))
		<< "open after the first file was closed";
}

} // namespace
