// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Setup hotplug: a board unplugged by QEMU (device_del through the
// monitor) while it is open.
#include "removed_board.h"

using namespace vt;

namespace {

class HotUnplug_Hotplug : public TwoBoardTest {};

// The request line the harness (tests/vm/run) answers with a monitor command.
const char kHotplugRequest[] = "CRONO-HOTPLUG device_del e1";

TEST_F(HotUnplug_Hotplug, HotUnplug)
{
	// The board in the hotpluggable root port is the only one off bus 0.
	size_t hi = g.boards.size();
	for (size_t i = 0; i < g.boards.size(); i++)
		if (board(i).address.bus != 0) {
			ASSERT_TRUE(hi == g.boards.size())
				<< "two edu devices off bus 0";
			hi = i;
		}
	ASSERT_TRUE(hi < g.boards.size())
		<< "no edu device behind the root port (off bus 0)";
	const Board &h = board(hi);
	const size_t si = hi == 0 ? 1 : 0; // the sanity board
	Fd fd = open_node_checked(hi);
	ASSERT_TRUE(fd.valid());
	Pins base = read_pins();
	SgBuf s;
	ContigBuf c;
	ASSERT_TRUE(sg_lock_checked(fd.get(), 1 << 20, &s));
	ASSERT_TRUE(sg_dma_check(h.bar, s, { { 0, 255 } }));
	ASSERT_TRUE(contig_lock_checked(fd.get(), 64 << 10, &c));
	fill_pattern(c.map.data(), c.size, next_tag());
	ASSERT_TRUE(cleanup_setup(fd.get(), { kcmd(EDU_REG_LIVENESS,
						   0x5a5a0008u) }) == 0);
	EXPECT_TRUE(stats_are(h, 2, 1 << 20, 64 << 10)) << "before the unplug";
	// The device is about to vanish: drop our BAR0 mapping of it first.
	board(hi).bar.close_bar();
	Kmsg kmsg;
	std::string err;
	ASSERT_TRUE(kmsg.open_at_end(&err)) << err;

	std::printf("%s\n", kHotplugRequest);
	std::fflush(stdout);
	double t0 = now_s();
	bool gone = wait_until(30.0, [&] { return !exists(h.sysfs()); });
	ASSERT_TRUE(gone) << strf("%s still present 30 s after asking for the "
				  "unplug ('%s' on the console)",
				  h.pci.c_str(), kHotplugRequest);
	note(strf("%s gone %.1f s after the request", h.pci.c_str(),
		  now_s() - t0));
	check_removed(h, fd, &s, c, base);
	bool logged = false;
	for (auto &l : kmsg.read_new())
		if (l.find(h.pci) != std::string::npos &&
		    lower(l).find("removed while open") != std::string::npos)
			logged = true;
	EXPECT_TRUE(logged) << strf(
		"no kernel log line for %s saying it was removed while open",
		h.pci.c_str());
	// The other board is untouched.
	if (si < g.boards.size()) {
		const Board &o = board(si);
		EXPECT_TRUE(exists(o.node())) << strf(
			"%s vanished with %s", o.node().c_str(), h.pci.c_str());
		Fd ofd = open_node_checked(si);
		ASSERT_TRUE(ofd.valid());
		SgBuf os;
		if (sg_lock_checked(ofd.get(), 64 << 10, &os))
			sg_dma_check(o.bar, os, { { 0, 15 } });
		EXPECT_TRUE(os.unlock() == 0);
	}
}

} // namespace
