// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Memory charged to RLIMIT_MEMLOCK: the limit is enforced, and the charge
// follows the buffers, also across fork and for contiguous buffers.
#include "fixture.h"

using namespace vt;

namespace {

class Memlock_PlainIommu : public BoardTest {};
class Memlock_PlainIommuSwiotlb : public BoardTest {};

// Without CAP_IPC_LOCK, pins are charged to RLIMIT_MEMLOCK (64 KiB here),
// cumulatively, and given back on unlock.
TEST_F(Memlock_PlainIommu, MemlockRlimit)
{
	join_child(spawn_child("unprivileged child", [] {
		ASSERT_NO_FATAL_FAILURE(become_memlock_limited(64 << 10));
		Fd fd = open_node_checked(0);
		ASSERT_TRUE(fd.valid());
		const Pins base = read_pins();
		Mapping big = Mapping::anon(1 << 20);
		Mapping more = Mapping::anon(64 << 10);
		ASSERT_TRUE(big.ok() && more.ok());
		std::vector<uint64_t> table(256);
		lock_expect(fd.get(), "of 1 MiB over a 64 KiB RLIMIT_MEMLOCK",
			    big.addr(), 1 << 20, uaddr(table.data()), 256,
			    { ENOMEM });
		SgBuf small;
		ASSERT_TRUE(small.lock(fd.get(), 32 << 10));
		lock_expect(
			fd.get(),
			"of 64 KiB with 32 KiB already locked (limit 64 KiB)",
			more.addr(), 64 << 10, uaddr(table.data()), 16,
			{ ENOMEM });
		EXPECT_TRUE(succeeds(small.unlock()));
		EXPECT_TRUE(pins_moved_by(base, 0)) << "after UNLOCK_BUFFER";
		// The 32 KiB were given back: 48 KiB fit now.
		SgBuf again;
		again.lock(fd.get(), 48 << 10);
		EXPECT_TRUE(succeeds(again.unlock()));
		EXPECT_TRUE(pins_moved_by(base, 0)) << "at the end";
	}));
}

// The memlock limit binds the user, not the address space: children forked
// with the file each lock through it, and together they never pin more than
// the limit (the first gets its 6 MiB, the others ENOMEM under 8 MiB).
TEST_F(Memlock_PlainIommu, MemlockForkChildren)
{
	const Board &b = board(0);
	const size_t each = 6 << 20;
	join_child(spawn_child("limited parent", [&] {
		ASSERT_NO_FATAL_FAILURE(become_memlock_limited(8 << 20));
		Fd fd = open_node_checked(0);
		ASSERT_TRUE(fd.valid());
		int locked = 0;
		for (int child = 0; child < 4; child++) {
			const pid_t pid = fork_child();
			ASSERT_GE(pid, 0);
			if (pid == 0) {
				Mapping mem = Mapping::anon(each);
				std::vector<uint64_t> table(each / kPage);
				CRONO_SG_BUFFER_INFO info = sg_info(
					mem.addr(), each, uaddr(table.data()),
					uint32_t(table.size()));
				// The buffer stays with the file after exit.
				_exit(lock_sg(fd.get(), &info));
			}
			const int st = wait_child(pid);
			ASSERT_TRUE(WIFEXITED(st))
				<< "child " << child << " " << status_str(st);
			if (WEXITSTATUS(st) == 0)
				locked++;
			else
				EXPECT_TRUE(fails_with(WEXITSTATUS(st), ENOMEM))
					<< "child " << child << ": LOCK_BUFFER";
		}
		EXPECT_EQ(locked, 1) << "of 4 forked children locked 6 MiB "
					"each under an 8 MiB limit";
		EXPECT_EQ(read_stat(b, "pinned_bytes"), (long long)each)
			<< "pinned through one file";
	}));
	EXPECT_TRUE(stats_are(b, 0, 0, 0)) << "after the file was closed";
}

// Coherent memory is locked memory: charged to RLIMIT_MEMLOCK, and still
// counted (in sysfs too) while an unlocked buffer stays mapped, so lock,
// mmap, unlock cycles cannot hold more than the limit.
TEST_F(Memlock_PlainIommuSwiotlb, ContigMemlock)
{
	const Board &b = board(0);
	join_child(spawn_child("limited child", [&] {
		ASSERT_NO_FATAL_FAILURE(become_memlock_limited(1 << 20));
		Fd fd = open_node_checked(0);
		ASSERT_TRUE(fd.valid());
		CRONO_CONTIG_BUFFER_INFO big = contig_info(2 << 20);
		EXPECT_TRUE(fails_with(lock_contig(fd.get(), &big), ENOMEM))
			<< "LOCK_CONTIG_BUFFER of 2 MiB over 1 MiB";
		std::vector<Mapping> kept;
		for (int round = 0; round < 5; round++) {
			CRONO_CONTIG_BUFFER_INFO info = contig_info(256 << 10);
			if (lock_contig(fd.get(), &info))
				break;
			kept.push_back(
				map_buffer(fd.get(), info.id, info.size));
			ASSERT_TRUE(kept.back().ok());
			// The vendor library's order: unlock, then munmap.
			ASSERT_TRUE(succeeds(unlock_contig(fd.get(), info.id)));
		}
		const long long held = kept.size();
		EXPECT_EQ(held, 4) << "lock+mmap+unlock cycles of 256 KiB "
				      "under a 1 MiB limit";
		EXPECT_EQ(read_stat(b, "coherent_buffers"), held)
			<< "unlocked buffers still mapped";
		EXPECT_EQ(read_stat(b, "coherent_bytes"), held * (256 << 10))
			<< "in unlocked buffers still mapped";
		kept.clear();
		EXPECT_EQ(read_stat(b, "coherent_buffers"), 0)
			<< "after munmap";
		ContigBuf again;
		EXPECT_TRUE(again.lock(fd.get(), 1 << 20));
		EXPECT_TRUE(succeeds(again.unlock()));
	}));
}

} // namespace
