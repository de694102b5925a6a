// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Two boards used by two processes at once.
#include "fixture.h"

using namespace vt;

namespace {

class TwoBoards_PlainIommu : public TwoBoardTest {};

// Two processes lock and DMA through two boards at the same time. (That one
// file cannot reach another board's buffers is tests/host's
// Unlock.AFileCannotUnlockAnotherBoardsBuffers.)
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
