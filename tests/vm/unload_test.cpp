// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// The end of a setup: every pin released, the module unloaded without
// a leak, and loaded, used and unloaded once more.
#include "fixture.h"

using namespace vt;

namespace {

class Pins_PlainIommuSwiotlbManyHotplug : public FrameTest {};
class Unload_PlainIommuSwiotlbManyHotplug : public ModuleTest {};
class Reload_PlainIommuSwiotlb : public UnloadedTest {};

// Every page pinned since boot was released again.
void expect_pins_balanced()
{
	Pins p = read_pins();
	ASSERT_TRUE(p.ok) << p.err;
	EXPECT_TRUE(p.acquired == p.released)
		<< strf("pins not balanced: %s", p.str().c_str());
}

TEST_F(Pins_PlainIommuSwiotlbManyHotplug, PinsBalanced)
{
	expect_pins_balanced();
}

void check_module_gone()
{
	EXPECT_TRUE(!exists(kModDir))
		<< strf("%s still exists", kModDir.c_str());
	EXPECT_TRUE(!exists(kDrvDir))
		<< strf("%s still exists", kDrvDir.c_str());
	for (auto &b : g.boards) {
		EXPECT_TRUE(!exists(b->node()))
			<< strf("%s still exists", b->node().c_str());
		std::string drv =
			basename_of(readlink_str(b->sysfs() + "/driver"));
		EXPECT_TRUE(drv.empty()) << strf("%s still bound to '%s'",
						 b->pci.c_str(), drv.c_str());
	}
}

TEST_F(Unload_PlainIommuSwiotlbManyHotplug, UnloadNoLeak)
{
	SysRes r = delete_module_retry(3.0);
	ASSERT_TRUE(r.ok())
		<< strf("delete_module: %s (refcnt %s)",
			errno_name(r.err).c_str(), module_refcnt().c_str());
	g.module_loaded = g.bound = false;
	g.unloaded = true;
	check_module_gone();
	expect_pins_balanced();
}

// A second load/bind/unload cycle; unloading is refused while a file is open,
// and closing a file with buffers and a cleanup program still works after that.
TEST_F(Reload_PlainIommuSwiotlb, ReloadCycle)
{
	ASSERT_TRUE(succeeds(sys(finit_module_path(g.module_path).rc)))
		<< "second finit_module";
	g.module_loaded = is_dir(kModDir);
	ASSERT_TRUE(g.module_loaded)
		<< strf("%s missing after the second load", kModDir.c_str());
	int e = bind_new_id();
	ASSERT_TRUE(no_error(e)) << "write new_id after reload";
	for (auto &b : g.boards) {
		bool there = wait_until(2.0, [&] { return exists(b->node()); });
		struct stat st;
		EXPECT_TRUE(there && stat(b->node().c_str(), &st) == 0 &&
			    (st.st_mode & 07777) == 0660)
			<< strf("%s missing or not mode 0660 after reload",
				b->node().c_str());
	}
	const EduBar &bar = board(0).bar;
	const uint32_t before = 0x55555555u, v = 0x5a5a0005u;
	bar.w32(EDU_REG_LIVENESS, before);
	Pins base = read_pins();
	{
		Fd fd = open_node_checked(0);
		ASSERT_TRUE(fd.valid());
		ContigBuf c;
		EXPECT_TRUE(contig_lock_checked(fd.get(), kPage, &c));
		SgBuf s;
		if (!g.swiotlb()) {
			EXPECT_TRUE(sg_lock_checked(fd.get(), 64 << 10, &s));
		}
		EXPECT_TRUE(cleanup_setup(fd.get(),
					  { kcmd(EDU_REG_LIVENESS, v) }) == 0);
		SysRes busy = sys(syscall(SYS_delete_module, kModName.c_str(),
					  O_NONBLOCK));
		if (busy.ok()) {
			// Nothing sensible can follow: the open file now
			// belongs to a dead module.
			g.module_loaded = false;
			fd.release(); // closing it would call into the unloaded
				      // module
			ASSERT_TRUE(false) << "delete_module succeeded while a "
					      "file was open";
		}
		EXPECT_TRUE(busy.err == EAGAIN || busy.err == EBUSY)
			<< strf("delete_module while a file is open: expected "
				"EAGAIN or EBUSY, got %s",
				errno_name(busy.err).c_str());
		c.map.reset();
		s.locked = c.locked = false; // released by the close below
	}
	EXPECT_TRUE(bar.r32(EDU_REG_LIVENESS) == ~v)
		<< "cleanup program did not run on close after reload";
	EXPECT_TRUE(pins_moved_by(base, 0))
		<< "after closing the file with buffers locked";
	SysRes r = delete_module_retry(3.0);
	ASSERT_TRUE(r.ok())
		<< strf("second delete_module: %s (refcnt %s)",
			errno_name(r.err).c_str(), module_refcnt().c_str());
	g.module_loaded = g.bound = false;
	check_module_gone();
}

} // namespace
