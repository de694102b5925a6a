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
	EXPECT_TRUE(wait_until(2.0, [&] { return !exists(b.node()); }))
		<< b.node() << " still exists after the removal";
	const std::string misc = "/sys/class/misc/" + b.node_name();
	EXPECT_FALSE(exists(misc)) << misc << " still exists after the removal";
	EXPECT_TRUE(pins_moved_by(base, 0))
		<< "right after the removal, file still open";

	// Every request, with arguments that would be valid on a live board.
	Mapping mem = Mapping::anon(kPage);
	std::vector<uint64_t> table(2, 0);
	CRONO_SG_BUFFER_INFO si =
		sg_info(mem.addr(), kPage, uaddr(table.data()), 1);
	int sg_id = s ? s->id : 0, contig_id = c.id;
	const CRONO_KERNEL_CMD cmd = kcmd(EDU_REG_LIVENESS, 0x0badf00du);
	CRONO_KERNEL_CMDS_INFO ki = cmds_info(uaddr(&cmd), 1);
	CRONO_CONTIG_BUFFER_INFO ci = contig_info(kPage);
	void *args[] = { &si, &sg_id, &ki, &ci, &contig_id }; // as kRequests
	EXPECT_TRUE(mem.ok());
	const Pins before = read_pins();
	for (size_t i = 0; i < 5; i++)
		EXPECT_TRUE(fails_with(
			crono_ioctl(fd.get(), kRequests[i].first, args[i]),
			ENODEV))
			<< kRequests[i].second << " after the removal";
	EXPECT_TRUE(pins_moved_by(before, 0))
		<< "after the requests on the removed board";
	EXPECT_TRUE(fails_with(map_buffer(fd.get(), c.id, kPage).err(), ENODEV))
		<< "mmap of buffer " << c.id << " after the removal";

	if (c.map.ok()) {
		expect_sigbus_child(c.map.data(), false);
		expect_sigbus_child(c.map.data() + c.size - 1, true);
	}
	EXPECT_TRUE(succeeds(fd.reset())) << "close after the removal";
	EXPECT_TRUE(succeeds(c.map.reset())) << "munmap after the removal";
	if (s)
		s->locked = false;
	c.locked = false;
	EXPECT_TRUE(pins_moved_by(base, 0)) << "after close and munmap";
}

// EXPECT_TRUE(bus_master_is(b, on)): bit 2 (bus master) of board b's PCI
// command register, read through sysfs, is on or off.
inline AssertionResult bus_master_is(const Board &b, bool want)
{
	Fd cfg = open_fd(b.sysfs() + "/config", O_RDONLY);
	uint16_t command = 0;
	if (pread(cfg.get(), &command, 2, 4) != 2)
		return AssertionFailure()
		       << "cannot read " << b.sysfs() << "/config: "
		       << errno_name(cfg.valid() ? errno : cfg.err());
	const bool on = command & 0x4;
	if (on == want)
		return AssertionSuccess();
	return AssertionFailure() << "bus mastering " << (on ? "on" : "off")
				  << ", expected " << (want ? "on" : "off");
}

} // namespace vt

#endif // CRONO_VMTEST_REMOVED_BOARD_H
