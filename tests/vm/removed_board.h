// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// What must hold of a board that was removed while open: by unbinding it
// (removal_test.cpp) or by unplugging it (hot_unplug_test.cpp).
#ifndef CRONO_VMTEST_REMOVED_BOARD_H
#define CRONO_VMTEST_REMOVED_BOARD_H

#include "fixture.h"

namespace vt {

// Touching *p must kill the process with SIGBUS (the mapping was zapped):
// tried in a death test's child, so the test itself never touches it.
inline void expect_sigbus_child(volatile uint8_t *p, bool write)
{
	EXPECT_EXIT(
		{
			if (write)
				*p = 0x5a;
			else
				(void)*p;
			_exit(0);
		},
		testing::KilledBySignal(SIGBUS), "")
		<< (write ? "writing" : "reading")
		<< " the old contiguous mapping after the removal";
}

// What must hold once board b was removed while fd was open with buffer c
// (mapped) and, unless s is null, S/G buffer s locked: the node is gone, the
// pins are released at once, every call fails with ENODEV, the mapping is
// gone, and close succeeds. Closes fd and unmaps c.
inline void check_removed(const Board &b, Fd &fd, SgBuf *s, ContigBuf &c,
			  const Pins &base)
{
	bool gone = wait_until(2.0, [&] { return !exists(b.node()); });
	EXPECT_TRUE(gone) << strf("%s still exists after the removal",
				  b.node().c_str());
	EXPECT_TRUE(!exists("/sys/class/misc/" + b.node_name()))
		<< strf("/sys/class/misc/%s still exists after the removal",
			b.node_name().c_str());
	EXPECT_TRUE(pins_moved_by(base, 0))
		<< "right after the removal, file still open";

	// Every request, with arguments that would be valid on a live board.
	Mapping mem = Mapping::anon(kPage);
	std::vector<uint64_t> table(2, 0);
	CRONO_SG_BUFFER_INFO si =
		sg_info(mem.addr(), kPage, uaddr(table.data()), 1);
	int sg_id = s ? s->id : 0, contig_id = c.id;
	std::vector<CRONO_KERNEL_CMD> cmds = { kcmd(EDU_REG_LIVENESS,
						    0x0badf00du) };
	CRONO_KERNEL_CMDS_INFO ki;
	memset(&ki, 0, sizeof ki);
	ki.cmds = ki.ucmds = uaddr(cmds.data());
	ki.count = 1;
	CRONO_CONTIG_BUFFER_INFO ci = contig_info(kPage);
	const struct {
		unsigned long nr;
		void *arg;
		const char *name;
	} calls[] = {
		{ IOCTL_CRONO_LOCK_BUFFER, &si, "LOCK_BUFFER" },
		{ IOCTL_CRONO_UNLOCK_BUFFER, &sg_id, "UNLOCK_BUFFER" },
		{ IOCTL_CRONO_CLEANUP_SETUP, &ki, "CLEANUP_SETUP" },
		{ IOCTL_CRONO_LOCK_CONTIG_BUFFER, &ci, "LOCK_CONTIG_BUFFER" },
		{ IOCTL_CRONO_UNLOCK_CONTIG_BUFFER, &contig_id,
		  "UNLOCK_CONTIG_BUFFER" },
	};
	EXPECT_TRUE(mem.ok());
	Pins before = read_pins();
	for (const auto &r : calls)
		EXPECT_TRUE(
			fails_with(sys(ioctl(fd.get(), r.nr, r.arg)), ENODEV))
			<< r.name << " after the removal";
	EXPECT_TRUE(pins_moved_by(before, 0))
		<< "after the requests on the removed board";
	Mapping again = Mapping::map(
		kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(),
		static_cast<off_t>(c.id) * static_cast<off_t>(kPage));
	EXPECT_TRUE(!again.ok() && again.err() == ENODEV) << strf(
		"mmap of buffer id %d after the removal: expected ENODEV, got "
		"%s",
		c.id, again.ok() ? "success" : errno_name(again.err()).c_str());
	again.reset();

	if (c.map.ok()) {
		expect_sigbus_child(c.map.data(), false);
		expect_sigbus_child(c.map.data() + c.size - 1, true);
	}
	EXPECT_TRUE(fd.reset() == 0) << strf("close after the removal: %s",
					     errno_name(errno).c_str());
	EXPECT_TRUE(c.map.reset() == 0) << strf("munmap after the removal: %s",
						errno_name(errno).c_str());
	if (s)
		s->locked = false;
	c.locked = false;
	EXPECT_TRUE(pins_moved_by(base, 0)) << "after close and munmap";
}

// Bit 2 (bus master) of the PCI command register, read through sysfs config.
inline bool bus_master_on(const Board &b, bool *on)
{
	Fd cfg = open_fd(b.sysfs() + "/config", O_RDONLY);
	uint16_t command = 0;
	if (!cfg.valid() || pread(cfg.get(), &command, 2, 4) != 2)
		return false;
	*on = command & 0x4;
	return true;
}

// EXPECT_TRUE(bus_master_is(b, on)): board b's bus mastering is on or off.
inline ::testing::AssertionResult bus_master_is(const Board &b, bool want)
{
	bool on = false;
	if (!bus_master_on(b, &on))
		return ::testing::AssertionFailure()
		       << "cannot read " << b.sysfs() << "/config";
	if (on == want)
		return ::testing::AssertionSuccess();
	return ::testing::AssertionFailure()
	       << "bus mastering " << (on ? "on" : "off") << ", expected "
	       << (want ? "on" : "off");
}

} // namespace vt

#endif // CRONO_VMTEST_REMOVED_BOARD_H
