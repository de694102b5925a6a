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
	auto off_bus0 = [](const Board &b) { return b.address.bus != 0; };
	ASSERT_EQ(std::count_if(g.boards.begin(), g.boards.end(), off_bus0), 1)
		<< "edu devices behind the root port (off bus 0)";
	const size_t hi =
		std::find_if(g.boards.begin(), g.boards.end(), off_bus0) -
		g.boards.begin();
	Board &h = board(hi);
	Fd fd = open_node_checked(hi);
	ASSERT_TRUE(fd.valid());
	const Pins base = read_pins();
	SgBuf s;
	ContigBuf c;
	ASSERT_TRUE(s.lock(fd.get(), 1 << 20));
	ASSERT_TRUE(s.dma_check(h.bar, { { 0, 255 } }));
	ASSERT_TRUE(c.lock(fd.get(), 64 << 10));
	fill_pattern(c.map.data(), c.size, next_tag());
	ASSERT_TRUE(succeeds(cleanup_setup(
		fd.get(), { kcmd(EDU_REG_LIVENESS, 0x5a5a0008u) })));
	EXPECT_TRUE(stats_are(h, 2, 1 << 20, 64 << 10)) << "before the unplug";
	// The device is about to vanish: drop our BAR0 mapping of it first.
	h.bar.close();
	Kmsg kmsg;
	ASSERT_TRUE(kmsg.open_at_end());

	std::printf("%s\n", kHotplugRequest);
	std::fflush(stdout);
	const double t0 = now_s();
	ASSERT_TRUE(wait_until(30.0, [&] { return !exists(h.sysfs()); }))
		<< h.pci << " still present 30 s after asking for the unplug ('"
		<< kHotplugRequest << "' on the console)";
	note(h.pci, " gone ", std::lround((now_s() - t0) * 10) / 10.0,
	     " s after the request");
	check_removed(h, fd, &s, c, base);
	const std::vector<std::string> lines = kmsg.read_new();
	EXPECT_TRUE(std::any_of(
		lines.begin(), lines.end(),
		[&](auto &l) {
			return l.find(h.pci) != std::string::npos &&
			       lower(l).find("removed while open") !=
				       std::string::npos;
		}))
		<< "no kernel log line for " << h.pci
		<< " saying it was removed while open";
	// The other board is untouched.
	const size_t oi = hi == 0 ? 1 : 0;
	const Board &o = board(oi);
	EXPECT_TRUE(exists(o.node())) << o.node() << " vanished with " << h.pci;
	Fd ofd = open_node_checked(oi);
	ASSERT_TRUE(ofd.valid());
	sg_round_trip(o.bar, ofd.get(), 64 << 10, { { 0, 15 } });
}

} // namespace
