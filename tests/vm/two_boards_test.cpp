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
	std::vector<Child> kids;
	for (size_t k = 0; k < 2; k++)
		kids.push_back(spawn_child(cat("board ", k), [k] {
			Fd fd = open_node_checked(k);
			ASSERT_TRUE(fd.valid());
			// The other child pins at the same time: no exact pin
			// counts here (the runner checks the balance
			// afterwards).
			const size_t size = 4 << 20;
			sg_round_trip(board(k).bar, fd.get(), size,
				      pick_pairs(size / kPage, 2, 100 + k),
				      false);
		}));
	for (Child &k : kids)
		join_child(std::move(k));
}

} // namespace
