// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Setup many: 40 boards behind PCI-PCI bridges, no static limit.
#include "fixture.h"

using namespace vt;

namespace {

class ManyBoards_Many : public BoundTest {};

TEST_F(ManyBoards_Many, ManyBoards)
{
	ASSERT_TRUE(g.boards.size() == kManyBoards)
		<< strf("found %zu edu devices, expected %zu", g.boards.size(),
			kManyBoards);
	std::set<std::string> names;
	for (auto &b : g.boards) {
		names.insert(b->node_name());
		wait_until(2.0, [&] { return exists(b->node()); });
		struct stat st;
		if (stat(b->node().c_str(), &st) != 0) {
			ADD_FAILURE() << strf("%s for %s: %s",
					      b->node().c_str(), b->pci.c_str(),
					      errno_name(errno).c_str());
			continue;
		}
		EXPECT_TRUE(S_ISCHR(st.st_mode) && (st.st_mode & 07777) == 0660)
			<< strf("%s: mode %04o, expected a character device "
				"0660",
				b->node().c_str(), st.st_mode & 07777);
	}
	EXPECT_TRUE(names.size() == kManyBoards)
		<< strf("only %zu distinct node names", names.size());
	auto nodes = crono_nodes();
	EXPECT_TRUE(nodes.size() == kManyBoards)
		<< strf("%zu /dev/crono_* nodes", nodes.size());

	// All open at once, each with a mapped contiguous buffer.
	std::vector<Fd> fds;
	std::vector<ContigBuf> bufs(kManyBoards);
	for (size_t i = 0; i < kManyBoards; i++) {
		fds.push_back(open_node_checked(i));
		ASSERT_TRUE(fds.back().valid());
	}
	for (size_t i = 0; i < kManyBoards; i++) {
		ASSERT_TRUE(
			contig_lock_checked(fds[i].get(), 64 << 10, &bufs[i]))
			<< strf("board %zu (%s)", i, board(i).pci.c_str());
		EXPECT_TRUE(stats_are(board(i), 1, 0, 64 << 10))
			<< "with a 64 KiB buffer locked";
	}
	// One DMA round trip on the first and on the last board.
	for (size_t i : { size_t(0), kManyBoards - 1 }) {
		Board &b = board(i);
		std::string err;
		if (!b.bar.open_bar(b.pci, &err)) {
			ADD_FAILURE() << strf("board %zu: %s", i, err.c_str());
			continue;
		}
		EXPECT_TRUE(dma_check_pair(b.bar, bufs[i].page(0), bufs[i].dma,
					   bufs[i].page(15),
					   bufs[i].dma + 15 * kPage, &err))
			<< strf("board %zu (%s): DMA check page 0 -> page 15: "
				"%s",
				i, b.pci.c_str(), err.c_str());
	}
	for (size_t i = 0; i < kManyBoards; i++) {
		EXPECT_TRUE(bufs[i].unlock() == 0)
			<< strf("board %zu: unlock", i);
		bufs[i].map.reset();
		EXPECT_TRUE(fds[i].reset() == 0) << strf("board %zu: close", i);
		EXPECT_TRUE(stats_are(board(i), 0, 0, 0)) << "after close";
	}
}

} // namespace
