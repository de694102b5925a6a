// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// The boards' sysfs statistics, the driver's limits on what one file may
// hold, and requests of many threads at once.
#include "fixture.h"

#include <atomic>
#include <mutex>
#include <set>

using namespace vt;

namespace {

class Stats_PlainIommuSwiotlbInstalled : public BoardTest {};
class Limits_PlainIommuSwiotlb : public BoardTest {};

// The misc device's attributes count what the open file holds, per board, and
// go back to zero on unlock and on close.
TEST_F(Stats_PlainIommuSwiotlbInstalled, SysfsStats)
{
	const Board &b = board(0);
	for (const char *attr : kStatNames)
		EXPECT_EQ(file_mode(stat_path(b, attr)), "reg 0444") << attr;
	EXPECT_TRUE(stats_are(b, 0, 0, 0)) << "with the node closed";
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	const Pins base = read_pins();
	EXPECT_TRUE(stats_are(b, 0, 0, 0)) << "after open";
	if (!g.swiotlb()) {
		SgBuf s;
		if (s.lock(fd.get(), 4 << 20)) {
			EXPECT_TRUE(stats_are(b, 1, 4 << 20, 0))
				<< "with a 4 MiB S/G buffer locked";
			if (g.boards.size() >= 2) {
				EXPECT_TRUE(stats_are(board(1), 0, 0, 0))
					<< "of the other board while board 0 "
					   "holds a 4 MiB S/G buffer";
			}
		}
		EXPECT_TRUE(succeeds(s.unlock())) << "UNLOCK_BUFFER";
		EXPECT_TRUE(stats_are(b, 0, 0, 0)) << "after UNLOCK_BUFFER";
	}
	{
		ContigBuf c;
		if (c.lock(fd.get(), 64 << 10, false)) {
			EXPECT_TRUE(stats_are(b, 1, 0, 64 << 10))
				<< "with a 64 KiB contiguous buffer locked";
		}
		EXPECT_TRUE(succeeds(c.unlock())) << "UNLOCK_CONTIG_BUFFER";
		EXPECT_TRUE(stats_are(b, 0, 0, 0))
			<< "after UNLOCK_CONTIG_BUFFER of an unmapped buffer";
	}
	// Both kinds at once, one of them mapped, released by close.
	SgBuf s;
	ContigBuf c;
	bool ok = c.lock(fd.get(), 2 * kPage);
	if (!g.swiotlb())
		ok = s.lock(fd.get(), 64 << 10) && ok;
	if (ok) {
		EXPECT_TRUE(stats_are(b, g.swiotlb() ? 1 : 2,
				      g.swiotlb() ? 0 : 64 << 10, 2 * kPage))
			<< "with a 64 KiB S/G and a mapped 8 KiB contiguous "
			   "buffer locked";
	}
	EXPECT_TRUE(succeeds(c.map.reset()));
	EXPECT_TRUE(succeeds(fd.reset())) << "close";
	s.locked = c.locked = false;
	EXPECT_TRUE(stats_are(b, 0, 0, 0))
		<< "after closing the file with buffers locked";
	EXPECT_TRUE(pins_moved_by(base, 0)) << "after close";
}

// One-page buffers of one kind, S/G or contiguous, for LockLimits.
struct LimitLocker {
	int fd;
	bool sg;
	Mapping mem;		     // page i is buffer i's memory (S/G)
	std::vector<uint64_t> table; // entry i is buffer i's page table (S/G)

	// Locks buffer i: 0 or the errno, and its id.
	int lock(size_t i, int32_t *id)
	{
		CRONO_SG_BUFFER_INFO si = sg_info(mem.addr() + i * kPage, kPage,
						  uaddr(&table[i]), 1);
		CRONO_CONTIG_BUFFER_INFO ci = contig_info(kPage);
		const int e = sg ? lock_sg(fd, &si) : lock_contig(fd, &ci);
		*id = sg ? si.id : ci.id;
		return e;
	}
	int unlock(int32_t id)
	{
		return sg ? unlock_sg(fd, id) : unlock_contig(fd, id);
	}
	const char *kind() const { return sg ? "S/G" : "contiguous"; }
};

// Over the size limit (1 TiB) a lock fails before anything is pinned; the
// per-file limit of 4096 buffers holds, and an unlock makes room again.
TEST_F(Limits_PlainIommuSwiotlb, LockLimits)
{
	const Board &b = board(0);
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	const size_t kMax = 4096; // ABI: buffers one open file may hold
	const bool sg = !g.swiotlb();
	// Under swiotlb=force the ABI does not order the size check and the
	// swiotlb refusal of an S/G lock.
	auto enomem = [](bool sg_lock) {
		if (sg_lock && g.swiotlb())
			return std::vector<int>{ ENOMEM, EOPNOTSUPP };
		return std::vector<int>{ ENOMEM };
	};

	LimitLocker l{ fd.get(), sg, Mapping::anon((kMax + 1) * kPage),
		       std::vector<uint64_t>(kMax + 1, 0) };
	ASSERT_TRUE(l.mem.ok());
	const uint64_t huge = (1ull << 40) + kPage;
	lock_expect(fd.get(), "of 1 TiB + 4096 bytes", l.mem.addr(), huge,
		    uaddr(l.table.data()), uint32_t(huge / kPage),
		    enomem(true));
	EXPECT_TRUE(l.table[0] == 0 && l.table[1] == 0)
		<< "the refused 1 TiB lock wrote page-table entries";

	const Pins base = read_pins();
	std::vector<int32_t> ids;
	for (size_t i = 0; i < kMax; i++) {
		int32_t id = -1;
		const int e = l.lock(i, &id);
		if (e) {
			ADD_FAILURE() << l.kind() << " lock " << i + 1 << " of "
				      << kMax << ": " << errno_name(e);
			break;
		}
		ids.push_back(id);
	}
	auto unlock_all = [&] {
		size_t bad = 0;
		int first = 0;
		for (int32_t id : ids)
			if (const int e = l.unlock(id); e && !bad++)
				first = e;
		EXPECT_EQ(bad, 0u)
			<< "unlocks of " << ids.size()
			<< " failed, the first with " << errno_name(first);
		ids.clear();
	};
	if (ids.size() != kMax)
		return unlock_all();
	std::vector<int32_t> sorted = ids;
	std::sort(sorted.begin(), sorted.end());
	EXPECT_TRUE(sorted.front() >= 0 && sorted.back() < int32_t(kMax))
		<< "ids range from " << sorted.front() << " to "
		<< sorted.back() << ", expected [0, 4096)";
	EXPECT_TRUE(std::adjacent_find(sorted.begin(), sorted.end()) ==
		    sorted.end())
		<< "ids of the 4096 held buffers are not distinct";
	if (sg) {
		EXPECT_TRUE(aligned_entries(l.table.data(), kMax));
		EXPECT_TRUE(pins_moved_by(base, kMax))
			<< "with 4096 buffers locked";
	}
	EXPECT_TRUE(stats_are(b, kMax, sg ? kMax * kPage : 0,
			      sg ? 0 : kMax * kPage))
		<< "with 4096 buffers locked";

	// The 4097th, of either kind, is over the limit.
	auto expect_full = [&](const char *when) {
		const Pins before = read_pins();
		LimitLocker other{ fd.get(), !sg, Mapping::anon(kPage),
				   std::vector<uint64_t>(1, 0) };
		EXPECT_TRUE(succeeds(other.mem.err())) << "mmap";
		for (auto [k, i] :
		     { std::pair(&l, kMax), std::pair(&other, size_t(0)) }) {
			int32_t id = -1;
			const int e = k->lock(i, &id);
			EXPECT_TRUE(fails_with(e, enomem(k->sg)))
				<< k->kind() << " lock with 4096 buffers held ("
				<< when << ")";
			if (!e)
				k->unlock(id);
		}
		EXPECT_TRUE(pins_moved_by(before, 0))
			<< "after the refused locks " << when;
	};
	expect_full("first time");

	// Unlocking one makes room for exactly one more.
	const int32_t freed = ids[1234];
	EXPECT_TRUE(succeeds(l.unlock(freed))) << "unlock of buffer " << freed;
	ids.erase(ids.begin() + 1234);
	int32_t id = -1;
	const int e = l.lock(kMax, &id);
	EXPECT_TRUE(succeeds(e)) << "lock after unlocking one of 4096";
	if (!e) {
		EXPECT_TRUE(id >= 0 && id < int32_t(kMax) &&
			    std::find(ids.begin(), ids.end(), id) == ids.end())
			<< "new id " << id
			<< " is out of range or held already "
			<< "(freed id: " << freed << ")";
		ids.push_back(id);
		expect_full("again after one unlock and one lock");
	}
	unlock_all();
	EXPECT_TRUE(stats_are(b, 0, 0, 0)) << "after unlocking all 4096";
	EXPECT_TRUE(pins_moved_by(base, 0)) << "after unlocking all 4096";
}

// Threads share one file: four lock and unlock S/G buffers (contiguous ones
// under swiotlb=force), one locks, maps and unlocks contiguous buffers, one
// replaces the cleanup program all the while. Every call succeeds and no id is
// handed out twice while it is held.
TEST_F(Limits_PlainIommuSwiotlb, ConcurrentIoctls)
{
	const Board &b = board(0);
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	const int kWorkers = 4, kIters = 50;
	const bool sg = !g.swiotlb();
	const size_t kSize = 64 << 10, kCount = kSize / kPage;
	const Pins base = read_pins();

	std::mutex mu;
	std::set<int32_t> held;
	size_t max_held = 0; // most ids held at the same time
	auto take = [&](int32_t id) {
		std::lock_guard<std::mutex> lk(mu);
		EXPECT_TRUE(id >= 0 && held.insert(id).second)
			<< "got id " << id
			<< ", which another thread holds (or < 0)";
		max_held = std::max(max_held, held.size());
	};
	auto give = [&](int32_t id) {
		std::lock_guard<std::mutex> lk(mu);
		held.erase(id);
	};

	// The S/G workers' memory, mapped here where a failure can stop the
	// test. The workers stop at the first failure of any.
	std::vector<Mapping> mems;
	for (int t = 0; t < kWorkers && sg; t++) {
		mems.push_back(Mapping::anon(kSize));
		ASSERT_TRUE(mems.back().ok());
	}
	auto sg_worker = [&](int t) {
		std::vector<uint64_t> table(kCount + 1);
		const Mapping &mem = mems[size_t(t)];
		for (int i = 0; i < kIters && !HasFailure(); i++) {
			SCOPED_TRACE(cat("S/G thread ", t, ", round ", i));
			std::fill(table.begin(), table.end(), 0);
			table[kCount] = kSentinel;
			CRONO_SG_BUFFER_INFO info =
				sg_info(mem.addr(), kSize, uaddr(table.data()),
					uint32_t(kCount));
			ASSERT_TRUE(succeeds(lock_sg(fd.get(), &info)));
			take(info.id);
			EXPECT_TRUE(aligned_entries(table.data(), kCount));
			EXPECT_EQ(table[kCount], kSentinel)
				<< "LOCK_BUFFER wrote past pages_count entries";
			// Use the pinned buffer while it is held.
			const uint64_t tag =
				mix64(uint64_t(t) << 32 | uint64_t(i));
			fill_pattern(mem.data(), kSize, tag);
			EXPECT_TRUE(holds_pattern(mem.data(), kSize, tag));
			give(info.id);
			ASSERT_TRUE(succeeds(unlock_sg(fd.get(), info.id)));
		}
	};
	auto contig_worker = [&](int t) {
		for (int i = 0; i < kIters && !HasFailure(); i++) {
			SCOPED_TRACE(
				cat("contiguous thread ", t, ", round ", i));
			CRONO_CONTIG_BUFFER_INFO ci = contig_info(kSize);
			ASSERT_TRUE(succeeds(lock_contig(fd.get(), &ci)));
			take(ci.id);
			EXPECT_TRUE(ci.dma_handle && ci.dma_handle % kPage == 0)
				<< "dma_handle " << hex(ci.dma_handle);
			Mapping m = map_buffer(fd.get(), ci.id, kSize);
			EXPECT_TRUE(succeeds(m.err())) << "mmap";
			if (m.ok()) {
				auto *w = reinterpret_cast<volatile uint64_t *>(
					m.data());
				const uint64_t tag =
					mix64(uint64_t(t) << 32 | uint64_t(i));
				w[0] = tag;
				w[kSize / 8 - 1] = ~tag;
				EXPECT_TRUE(w[0] == tag &&
					    w[kSize / 8 - 1] == ~tag)
					<< "mapping does not hold what was "
					   "written";
			}
			give(ci.id);
			ASSERT_TRUE(succeeds(unlock_contig(fd.get(), ci.id)));
			EXPECT_TRUE(succeeds(m.reset())) << "munmap";
		}
	};
	std::atomic<bool> stop(false);
	std::atomic<uint32_t> last_cleanup(0);
	std::atomic<int> cleanups(0);
	auto cleanup_worker = [&] {
		for (uint32_t n = 1; !stop.load() && !HasFailure(); n++) {
			const uint32_t v = 0x7e570000u + n;
			ASSERT_TRUE(succeeds(cleanup_setup(
				fd.get(), { kcmd(EDU_REG_LIVENESS, v) })));
			last_cleanup = v;
			cleanups++;
		}
	};

	// Every thread waits until all have started.
	const int threads = kWorkers + (sg ? 2 : 1);
	std::atomic<int> started(0);
	auto gated = [&](std::function<void()> fn) {
		return std::thread([&started, threads, fn] {
			for (started++; started.load() < threads;)
				std::this_thread::yield();
			fn();
		});
	};
	std::thread cleaner = gated(cleanup_worker);
	std::vector<std::thread> workers;
	for (int t = 0; t < kWorkers; t++)
		workers.push_back(gated(
			[&, t] { sg ? sg_worker(t) : contig_worker(t); }));
	if (sg)
		workers.push_back(gated([&] { contig_worker(kWorkers); }));
	for (auto &w : workers)
		w.join();
	stop = true;
	cleaner.join();

	EXPECT_EQ(held.size(), 0u) << "ids still recorded as held";
	EXPECT_GT(cleanups.load(), 0) << "no CLEANUP_SETUP completed";
	EXPECT_GE(max_held, 2u) << "no two buffers were ever held at the same "
				   "time: the threads did not overlap";
	note("ConcurrentIoctls: at most ", max_held, " ids held at once, ",
	     cleanups.load(), " CLEANUP_SETUP calls");
	EXPECT_TRUE(stats_are(b, 0, 0, 0)) << "after the threads finished";
	EXPECT_TRUE(pins_moved_by(base, 0)) << "after the threads finished";
	// The program set last is the one that runs on close.
	EXPECT_TRUE(succeeds(fd.reset()));
	if (const uint32_t last = last_cleanup.load()) {
		EXPECT_TRUE(liveness_holds(b.bar, last))
			<< "after close (the last program set)";
	}
}

} // namespace
