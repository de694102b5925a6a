// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Two boards: ids are per file, and two processes use two boards at once.
#include "fixture.h"

using namespace vt;

namespace {

class TwoBoards_PlainIommu : public TwoBoardTest {};

void check_foreign(const Board &other, int32_t sg_id, int32_t contig_id,
		   const char *who)
{
	int e = 0;
	Fd fd = open_node(other, &e);
	ASSERT_TRUE(fd.valid())
		<< strf("%s: open %s: %s", who, other.node().c_str(),
			errno_name(e).c_str());
	EXPECT_TRUE(fails_with(
		sys(ioctl(fd.get(), IOCTL_CRONO_UNLOCK_BUFFER, &sg_id)),
		EINVAL))
		<< strf("%s: UNLOCK_BUFFER(%d) of board A's buffer on board B",
			who, sg_id);
	EXPECT_TRUE(
		fails_with(sys(ioctl(fd.get(), IOCTL_CRONO_UNLOCK_CONTIG_BUFFER,
				     &contig_id)),
			   EINVAL))
		<< strf("%s: UNLOCK_CONTIG_BUFFER(%d) of board A's buffer on "
			"board B",
			who, contig_id);
	Mapping m = Mapping::map(
		kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(),
		static_cast<off_t>(contig_id) * static_cast<off_t>(kPage));
	EXPECT_TRUE(!m.ok() && m.err() == EINVAL)
		<< strf("%s: mmap of board A's buffer id %d on board B: "
			"expected EINVAL, got %s",
			who, contig_id,
			m.ok() ? "success" : errno_name(m.err()).c_str());
}

TEST_F(TwoBoards_PlainIommu, ForeignId)
{
	const Board &a = board(0), &bb = board(1);
	Fd fa = open_node_checked(0);
	ASSERT_TRUE(fa.valid());
	Pins base = read_pins();
	SgBuf s;
	ContigBuf c;
	bool ok = sg_lock_checked(fa.get(), 64 << 10, &s);
	ok = contig_lock_checked(fa.get(), kPage, &c) && ok;
	ASSERT_TRUE(ok);
	uint64_t tag = next_tag();
	fill_pattern(c.map.data(), kPage, tag);
	// The same process on its other board's file (ownership is per file,
	// not per process), then another process.
	check_foreign(bb, s.id, c.id, "same process");
	Child child = spawn_child("process B", [&] {
		check_foreign(bb, s.id, c.id, "process B");
	});
	join_child(child);
	EXPECT_TRUE(pins_moved_by(base, 16))
		<< "after the foreign unlock attempts";
	EXPECT_TRUE(find_mismatch(c.map.data(), kPage, tag) < 0)
		<< "board A's contiguous buffer changed";
	sg_dma_check(a.bar, s, { { 0, 15 }, { 9, 4 } });
	EXPECT_TRUE(s.unlock() == 0) << "UNLOCK_BUFFER of board A's buffer";
	EXPECT_TRUE(c.unlock() == 0)
		<< "UNLOCK_CONTIG_BUFFER of board A's buffer";
}

TEST_F(TwoBoards_PlainIommu, TwoDevicesTwoProcesses)
{
	Child kids[2];
	for (size_t k = 0; k < 2; k++) {
		kids[k] = spawn_child(strf("board %zu", k), [k] {
			const Board &b = board(k);
			int e = 0;
			Fd fd = open_node(b, &e);
			ASSERT_TRUE(fd.valid())
				<< strf("open %s: %s", b.node().c_str(),
					errno_name(e).c_str());
			SgBuf s;
			// The other child pins at the same time: no exact pin
			// counts here (the runner checks the balance
			// afterwards).
			if (sg_lock_checked(fd.get(), 4 << 20, &s, false))
				sg_dma_check(b.bar, s,
					     pick_pairs(s.count, 2, 100 + k));
			EXPECT_TRUE(s.unlock() == 0);
		});
	}
	for (auto &k : kids)
		join_child(k);
}

} // namespace
