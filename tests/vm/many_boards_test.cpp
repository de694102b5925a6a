// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Setup many: 40 boards behind PCI-PCI bridges, no static limit.
#include "fixture.h"

#include <set>

using namespace vt;

namespace {

class ManyBoards_Many : public BoundTest {};

TEST_F(ManyBoards_Many, ManyBoards)
{
	ASSERT_EQ(g.boards.size(), kManyBoards) << "edu devices";
	std::set<std::string> names;
	for (const Board &b : g.boards) {
		names.insert(b.node_name());
		wait_until(2.0, [&] { return exists(b.node()); });
		EXPECT_EQ(file_mode(b.node()), "chr 0660") << b.pci;
	}
	EXPECT_EQ(names.size(), kManyBoards) << "distinct node names";
	EXPECT_EQ(count_crono_nodes(), kManyBoards) << "/dev/crono_* nodes";

	// All open at once, each with a mapped contiguous buffer.
	std::vector<Fd> fds;
	std::vector<ContigBuf> bufs(kManyBoards);
	for (size_t i = 0; i < kManyBoards; i++) {
		fds.push_back(open_node_checked(i));
		ASSERT_TRUE(fds.back().valid());
	}
	for (size_t i = 0; i < kManyBoards; i++) {
		ASSERT_TRUE(bufs[i].lock(fds[i].get(), 64 << 10))
			<< "board " << i << " (" << board(i).pci << ")";
		EXPECT_TRUE(stats_are(board(i), 1, 0, 64 << 10))
			<< "with a 64 KiB buffer locked";
	}
	// One DMA round trip on the first and on the last board.
	for (size_t i : { size_t(0), kManyBoards - 1 }) {
		Board &b = board(i);
		SCOPED_TRACE(cat("board ", i, " (", b.pci, ")"));
		const AssertionResult mapped = b.bar.open(b.address);
		EXPECT_TRUE(mapped);
		if (mapped) {
			EXPECT_TRUE(bufs[i].dma_check(b.bar, 0, 15))
				<< "page 0 -> page 15";
		}
	}
	for (size_t i = 0; i < kManyBoards; i++) {
		EXPECT_TRUE(succeeds(bufs[i].unlock())) << "board " << i;
		bufs[i].map.reset();
		EXPECT_TRUE(succeeds(fds[i].reset()))
			<< "board " << i << ": close";
		EXPECT_TRUE(stats_are(board(i), 0, 0, 0)) << "after close";
	}
}

} // namespace
