// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// The boards' sysfs statistics, the driver's limits on what one file may
// hold, and requests of many threads at once.
#include "fixture.h"

#include <sys/stat.h>

#include <thread>

using namespace vt;

namespace {

class Stats_PlainIommuSwiotlbInstalled : public BoardTest {};
class Limits_PlainIommuSwiotlb : public BoardTest {};

// The misc device's attributes count what the open file holds, per board, and
// go back to zero on unlock and on close.
TEST_F(Stats_PlainIommuSwiotlbInstalled, SysfsStats)
{
	const Board &b = board(0);
	for (const char *attr : kStatNames) {
		struct stat st;
		std::string path = stat_path(b, attr);
		if (stat(path.c_str(), &st) != 0) {
			ADD_FAILURE() << strf("%s: %s", path.c_str(),
					      errno_name(errno).c_str());
			continue;
		}
		EXPECT_TRUE(S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0444)
			<< strf("%s has mode %04o, expected a read-only 0444 "
				"file",
				path.c_str(), st.st_mode & 07777);
	}
	EXPECT_TRUE(stats_are(b, 0, 0, 0)) << "with the node closed";
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	Pins base = read_pins();
	EXPECT_TRUE(stats_are(b, 0, 0, 0)) << "after open";
	if (!g.swiotlb()) {
		SgBuf s;
		if (sg_lock_checked(fd.get(), 4 << 20, &s)) {
			EXPECT_TRUE(stats_are(b, 1, 4 << 20, 0))
				<< "with a 4 MiB S/G buffer locked";
			if (g.boards.size() >= 2) {
				EXPECT_TRUE(stats_are(board(1), 0, 0, 0))
					<< "of the other board while board 0 "
					   "holds a 4 MiB S/G buffer";
			}
		}
		int e = s.unlock();
		EXPECT_TRUE(no_error(e)) << "UNLOCK_BUFFER";
		EXPECT_TRUE(stats_are(b, 0, 0, 0)) << "after UNLOCK_BUFFER";
	}
	{
		ContigBuf c;
		if (contig_lock_checked(fd.get(), 64 << 10, &c, false)) {
			EXPECT_TRUE(stats_are(b, 1, 0, 64 << 10))
				<< "with a 64 KiB contiguous buffer locked";
		}
		int e = c.unlock();
		EXPECT_TRUE(no_error(e)) << "UNLOCK_CONTIG_BUFFER";
		EXPECT_TRUE(stats_are(b, 0, 0, 0))
			<< "after UNLOCK_CONTIG_BUFFER of an unmapped buffer";
	}
	// Both kinds at once, one of them mapped, released by close.
	SgBuf s;
	ContigBuf c;
	bool ok = contig_lock_checked(fd.get(), 2 * kPage, &c);
	if (!g.swiotlb())
		ok = sg_lock_checked(fd.get(), 64 << 10, &s) && ok;
	if (ok) {
		EXPECT_TRUE(stats_are(b, g.swiotlb() ? 1 : 2,
				      g.swiotlb() ? 0 : 64 << 10, 2 * kPage))
			<< "with a 64 KiB S/G and a mapped 8 KiB contiguous "
			   "buffer locked";
	}
	EXPECT_TRUE(c.map.reset() == 0);
	EXPECT_TRUE(fd.reset() == 0)
		<< strf("close: %s", errno_name(errno).c_str());
	s.locked = c.locked = false;
	EXPECT_TRUE(stats_are(b, 0, 0, 0))
		<< "after closing the file with buffers locked";
	EXPECT_TRUE(pins_moved_by(base, 0)) << "after close";
}

// One buffer of the kind this setup can lock (S/G, or contiguous under
// swiotlb=force) for lock_limits.
struct LimitLocker {
	int fd;
	bool sg;
	Mapping mem;		     // page i is buffer i's memory (S/G)
	std::vector<uint64_t> table; // entry i is buffer i's page table (S/G)

	int lock(size_t i, int32_t *id)
	{
		if (!sg) {
			CRONO_CONTIG_BUFFER_INFO ci = contig_info(kPage);
			int e = crono_ioctl(fd, IOCTL_CRONO_LOCK_CONTIG_BUFFER,
					    &ci);
			*id = ci.id;
			return e;
		}
		CRONO_SG_BUFFER_INFO info = sg_info(mem.addr() + i * kPage,
						    kPage, uaddr(&table[i]), 1);
		int e = crono_ioctl(fd, IOCTL_CRONO_LOCK_BUFFER, &info);
		*id = info.id;
		return e;
	}
	int unlock(int32_t id)
	{
		return sg ? unlock_sg(fd, id) : unlock_contig(fd, id);
	}
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
	// swiotlb refusal.
	const std::vector<int> enomem =
		sg ? std::vector<int>{ ENOMEM }
		   : std::vector<int>{ ENOMEM, EOPNOTSUPP };

	LimitLocker l{ fd.get(), sg, Mapping::anon((kMax + 1) * kPage),
		       std::vector<uint64_t>(kMax + 1, 0) };
	ASSERT_TRUE(l.mem.ok());
	const uint64_t huge = (1ull << 40) + kPage;
	lock_expect(fd.get(), "of 1 TiB + 4096 bytes", l.mem.addr(), huge,
		    uaddr(l.table.data()), static_cast<uint32_t>(huge / kPage),
		    enomem);
	EXPECT_TRUE(l.table[0] == 0 && l.table[1] == 0)
		<< "the refused 1 TiB lock wrote page-table entries";

	Pins base = read_pins();
	std::vector<int32_t> ids;
	for (size_t i = 0; i < kMax; i++) {
		int32_t id = -1;
		int e = l.lock(i, &id);
		if (e) {
			ADD_FAILURE() << strf(
				"%s %zu of %zu (4 KiB): %s",
				sg ? "LOCK_BUFFER" : "LOCK_CONTIG_BUFFER",
				i + 1, kMax, errno_name(e).c_str());
			break;
		}
		ids.push_back(id);
	}
	auto unlock_all = [&] {
		size_t bad = 0;
		int first_e = 0;
		for (int32_t id : ids) {
			int e = l.unlock(id);
			if (e && !bad++)
				first_e = e;
		}
		EXPECT_TRUE(bad == 0)
			<< strf("%zu of %zu unlocks failed (first: %s)", bad,
				ids.size(), errno_name(first_e).c_str());
		ids.clear();
	};
	if (ids.size() != kMax) {
		unlock_all();
		return;
	}
	std::vector<int32_t> sorted = ids;
	std::sort(sorted.begin(), sorted.end());
	EXPECT_TRUE(sorted.front() >= 0 && sorted.back() < int32_t(kMax))
		<< strf("ids range from %d to %d, expected [0, %zu)",
			sorted.front(), sorted.back(), kMax);
	EXPECT_TRUE(std::adjacent_find(sorted.begin(), sorted.end()) ==
		    sorted.end())
		<< strf("ids of the %zu held buffers are not distinct", kMax);
	if (sg) {
		size_t bad = 0;
		for (size_t i = 0; i < kMax; i++)
			if (l.table[i] == 0 || (l.table[i] & (kPage - 1)))
				bad++;
		EXPECT_TRUE(bad == 0) << strf(
			"%zu page-table entries are zero or not aligned", bad);
		EXPECT_TRUE(pins_moved_by(base, int64_t(kMax)))
			<< "with 4096 buffers locked";
	}
	EXPECT_TRUE(stats_are(b, int64_t(kMax), sg ? int64_t(kMax * kPage) : 0,
			      sg ? 0 : int64_t(kMax * kPage)))
		<< "with 4096 buffers locked";

	// The 4097th, of either kind, is over the limit.
	auto expect_full = [&](const char *when) {
		Pins before = read_pins();
		int32_t id = -1;
		int e = l.lock(kMax, &id);
		EXPECT_TRUE(e == ENOMEM)
			<< strf("%s lock with 4096 buffers held (%s): expected "
				"ENOMEM, got %s",
				sg ? "S/G" : "contiguous", when,
				e ? errno_name(e).c_str() : "success");
		if (!e)
			l.unlock(id);
		LimitLocker other{ fd.get(), !sg, Mapping::anon(kPage),
				   std::vector<uint64_t>(1, 0) };
		if (!other.mem.ok()) {
			ADD_FAILURE()
				<< strf("mmap: %s",
					errno_name(other.mem.err()).c_str());
			return;
		}
		int32_t oid = -1;
		e = other.lock(0, &oid);
		bool want = e == ENOMEM ||
			    (other.sg && g.swiotlb() && e == EOPNOTSUPP);
		EXPECT_TRUE(want)
			<< strf("%s lock with 4096 buffers held (%s): expected "
				"ENOMEM, got %s",
				other.sg ? "S/G" : "contiguous", when,
				e ? errno_name(e).c_str() : "success");
		if (!e)
			other.unlock(oid);
		EXPECT_TRUE(pins_moved_by(before, 0))
			<< "after the refused locks " << when;
	};
	expect_full("first time");

	// Unlocking one makes room for exactly one more.
	const size_t victim = 1234;
	int e = l.unlock(ids[victim]);
	EXPECT_TRUE(no_error(e)) << strf("unlock of buffer id %d", ids[victim]);
	int32_t freed = ids[victim];
	ids.erase(ids.begin() + static_cast<long>(victim));
	int32_t id = -1;
	e = l.lock(kMax, &id);
	EXPECT_TRUE(no_error(e)) << "lock after unlocking one of 4096";
	if (e == 0) {
		EXPECT_TRUE(id >= 0 && id < int32_t(kMax) &&
			    std::find(ids.begin(), ids.end(), id) == ids.end())
			<< strf("new id %d is out of range or held already "
				"(freed id: %d)",
				id, freed);
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
	Pins base = read_pins();

	std::mutex mu;
	std::set<int32_t> held;
	size_t max_held = 0; // most ids held at the same time
	std::vector<std::string> errors;
	auto fail = [&](const std::string &m) {
		std::lock_guard<std::mutex> lk(mu);
		errors.push_back(m);
	};
	auto take = [&](int32_t id, const std::string &who) {
		std::lock_guard<std::mutex> lk(mu);
		if (id < 0 || !held.insert(id).second)
			errors.push_back(strf("%s: got id %d, which another "
					      "thread holds (or < 0)",
					      who.c_str(), id));
		max_held = std::max(max_held, held.size());
	};
	auto give = [&](int32_t id) {
		std::lock_guard<std::mutex> lk(mu);
		held.erase(id);
	};

	// Memory for the S/G workers, mapped here: Mapping is not thread-safe.
	std::vector<Mapping> mems;
	for (int t = 0; t < kWorkers && sg; t++) {
		mems.push_back(Mapping::anon(kSize));
		ASSERT_TRUE(mems.back().ok());
	}
	auto sg_worker = [&](int t) {
		std::vector<uint64_t> table(kCount + 1);
		for (int i = 0; i < kIters; i++) {
			std::string who = strf("S/G thread %d, round %d", t, i);
			std::fill(table.begin(), table.end(), 0);
			table[kCount] = kSentinel;
			CRONO_SG_BUFFER_INFO info =
				sg_info(mems[size_t(t)].addr(), kSize,
					uaddr(table.data()), uint32_t(kCount));
			int e = crono_ioctl(fd.get(), IOCTL_CRONO_LOCK_BUFFER,
					    &info);
			if (e) {
				fail(who + ": LOCK_BUFFER: " + errno_name(e));
				return;
			}
			take(info.id, who);
			for (size_t k = 0; k < kCount; k++)
				if (table[k] == 0 || (table[k] & (kPage - 1))) {
					fail(strf(
						"%s: entry %zu = 0x%llx",
						who.c_str(), k,
						static_cast<unsigned long long>(
							table[k])));
					break;
				}
			if (table[kCount] != kSentinel)
				fail(who + ": wrote past pages_count entries");
			// Use the pinned buffer while it is held.
			uint64_t tag = mix64(uint64_t(t) << 32 | uint64_t(i));
			fill_pattern(mems[size_t(t)].data(), kSize, tag);
			if (find_mismatch(mems[size_t(t)].data(), kSize, tag) >=
			    0)
				fail(who + ": buffer does not hold what was "
					   "written");
			give(info.id);
			e = unlock_sg(fd.get(), info.id);
			if (e) {
				fail(who + ": UNLOCK_BUFFER: " + errno_name(e));
				return;
			}
		}
	};
	auto contig_worker = [&](int t) {
		for (int i = 0; i < kIters; i++) {
			std::string who =
				strf("contiguous thread %d, round %d", t, i);
			CRONO_CONTIG_BUFFER_INFO ci = contig_info(kSize);
			int e = crono_ioctl(
				fd.get(), IOCTL_CRONO_LOCK_CONTIG_BUFFER, &ci);
			if (e) {
				fail(who +
				     ": LOCK_CONTIG_BUFFER: " + errno_name(e));
				return;
			}
			take(ci.id, who);
			if (ci.dma_handle == 0 || (ci.dma_handle & (kPage - 1)))
				fail(strf("%s: dma_handle 0x%llx", who.c_str(),
					  static_cast<unsigned long long>(
						  ci.dma_handle)));
			void *p = mmap(nullptr, kSize, PROT_READ | PROT_WRITE,
				       MAP_SHARED, fd.get(),
				       static_cast<off_t>(ci.id) *
					       static_cast<off_t>(kPage));
			if (p == MAP_FAILED) {
				fail(who + ": mmap: " + errno_name(errno));
			} else {
				auto *w = static_cast<volatile uint64_t *>(p);
				uint64_t tag =
					mix64(uint64_t(t) << 32 | uint64_t(i));
				w[0] = tag;
				w[kSize / 8 - 1] = ~tag;
				if (w[0] != tag || w[kSize / 8 - 1] != ~tag)
					fail(who + ": mapping does not hold "
						   "what was written");
			}
			give(ci.id);
			e = unlock_contig(fd.get(), ci.id);
			if (e)
				fail(who + ": UNLOCK_CONTIG_BUFFER: " +
				     errno_name(e));
			if (p != MAP_FAILED && munmap(p, kSize) != 0)
				fail(who + ": munmap: " + errno_name(errno));
			if (e)
				return;
		}
	};
	std::atomic<bool> stop(false);
	std::atomic<uint32_t> last_cleanup(0);
	std::atomic<int> cleanups(0);
	auto cleanup_worker = [&] {
		for (uint32_t n = 1; !stop.load(); n++) {
			uint32_t v = 0x7e570000u + n;
			int e = cleanup_setup(fd.get(),
					      { kcmd(EDU_REG_LIVENESS, v) });
			if (e) {
				fail("CLEANUP_SETUP: " + errno_name(e));
				return;
			}
			last_cleanup = v;
			cleanups++;
		}
	};

	// Every thread waits at the gate until all have started.
	std::atomic<int> waiting(0);
	std::atomic<bool> go(false);
	auto gated = [&](const std::function<void()> &fn) {
		return std::thread([&waiting, &go, fn] {
			waiting++;
			while (!go.load())
				std::this_thread::yield();
			fn();
		});
	};
	std::vector<std::thread> workers;
	std::thread cleaner = gated(cleanup_worker);
	for (int t = 0; t < kWorkers; t++) {
		if (sg)
			workers.push_back(gated([&, t] { sg_worker(t); }));
		else
			workers.push_back(gated([&, t] { contig_worker(t); }));
	}
	if (sg)
		workers.push_back(gated([&] { contig_worker(kWorkers); }));
	while (waiting.load() < int(workers.size()) + 1)
		std::this_thread::yield();
	go = true;
	for (auto &w : workers)
		w.join();
	stop = true;
	cleaner.join();

	for (size_t k = 0; k < errors.size() && k < 8; k++) {
		ADD_FAILURE() << errors[k].c_str();
	}
	if (errors.size() > 8) {
		ADD_FAILURE() << strf("(%zu more errors)", errors.size() - 8);
	}
	EXPECT_TRUE(held.empty())
		<< strf("%zu ids still recorded as held", held.size());
	EXPECT_TRUE(cleanups.load() > 0) << "no CLEANUP_SETUP completed";
	EXPECT_TRUE(max_held >= 2) << "no two buffers were ever held at the "
				      "same time: the threads did not overlap";
	note(strf("ConcurrentIoctls: at most %zu ids held at once, %d "
		  "CLEANUP_SETUP calls",
		  max_held, cleanups.load()));
	EXPECT_TRUE(stats_are(b, 0, 0, 0)) << "after the threads finished";
	EXPECT_TRUE(pins_moved_by(base, 0)) << "after the threads finished";
	// The program set last is the one that runs on close.
	EXPECT_TRUE(fd.reset() == 0);
	uint32_t want = last_cleanup.load();
	if (want) {
		EXPECT_TRUE(b.bar.r32(EDU_REG_LIVENESS) == ~want) << strf(
			"after close the liveness register reads 0x%08x, "
			"expected ~0x%08x (the last program set)",
			b.bar.r32(EDU_REG_LIVENESS), want);
	}
}

} // namespace
