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
	const Pins p = read_pins();
	ASSERT_TRUE(p.ok()) << p.err;
	EXPECT_EQ(p.acquired, p.released) << "pins not balanced: " << p.str();
}

TEST_F(Pins_PlainIommuSwiotlbManyHotplug, PinsBalanced)
{
	expect_pins_balanced();
}

// delete_module(2), retried for a while when the module is still in use (a
// file released by an exiting child is let go asynchronously at worst), and
// then nothing of the module left.
void unload_completely()
{
	int e = 0;
	wait_until(3.0, [&] {
		e = errno_of(syscall(SYS_delete_module, CRONO_MODULE_NAME,
				     O_NONBLOCK));
		return e != EAGAIN && e != EBUSY;
	});
	ASSERT_TRUE(succeeds(e))
		<< "delete_module (refcnt " << module_refcnt() << ")";
	g.module_loaded = g.bound = false;
	EXPECT_FALSE(exists(kModDir)) << kModDir << " still exists";
	EXPECT_FALSE(exists(kDrvDir)) << kDrvDir << " still exists";
	for (const Board &b : g.boards) {
		EXPECT_FALSE(exists(b.node())) << b.node() << " still exists";
		EXPECT_EQ(link_name(b.sysfs() + "/driver"), "")
			<< b.pci << " still bound";
	}
}

TEST_F(Unload_PlainIommuSwiotlbManyHotplug, UnloadNoLeak)
{
	ASSERT_NO_FATAL_FAILURE(unload_completely());
	g.unloaded = true;
	expect_pins_balanced();
}

// A second load/bind/unload cycle; unloading is refused while a file is open,
// and closing a file with buffers and a cleanup program still works after that.
TEST_F(Reload_PlainIommuSwiotlb, ReloadCycle)
{
	ASSERT_TRUE(succeeds(load_module(g.module_path)))
		<< "second finit_module";
	g.module_loaded = exists(kModDir);
	ASSERT_TRUE(g.module_loaded) << kModDir << " after the second load";
	ASSERT_TRUE(succeeds(bind_new_id())) << "write new_id after reload";
	for (const Board &b : g.boards) {
		wait_until(2.0, [&] { return exists(b.node()); });
		EXPECT_EQ(file_mode(b.node()), "chr 0660") << "after reload";
	}
	const EduBar &bar = board(0).bar;
	const uint32_t before = 0x55555555u, v = 0x5a5a0005u;
	bar.w32(EDU_REG_LIVENESS, before);
	const Pins base = read_pins();
	{
		Fd fd = open_node_checked(0);
		ASSERT_TRUE(fd.valid());
		ContigBuf c;
		EXPECT_TRUE(c.lock(fd.get(), kPage));
		SgBuf s;
		if (!g.swiotlb()) {
			EXPECT_TRUE(s.lock(fd.get(), 64 << 10));
		}
		EXPECT_TRUE(succeeds(cleanup_setup(
			fd.get(), { kcmd(EDU_REG_LIVENESS, v) })));
		const int busy = errno_of(syscall(
			SYS_delete_module, CRONO_MODULE_NAME, O_NONBLOCK));
		if (!busy) {
			// Nothing sensible can follow: the open file now
			// belongs to a dead module, and closing it would call
			// into it.
			g.module_loaded = false;
			fd.release();
			FAIL() << "delete_module succeeded while a file was "
				  "open";
		}
		EXPECT_TRUE(fails_with(busy, { EAGAIN, EBUSY }))
			<< "delete_module while a file is open";
		c.map.reset();
		s.locked = c.locked = false; // released by the close below
	}
	EXPECT_TRUE(liveness_holds(bar, v))
		<< "cleanup program did not run on close after reload";
	EXPECT_TRUE(pins_moved_by(base, 0))
		<< "after closing the file with buffers locked";
	unload_completely();
}

} // namespace
