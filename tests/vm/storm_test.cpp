// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Under fire: processes killed at random points of their work with the
// board, and a bounded stress of both boards by eight threads with one board
// removed from the bus and found again by a rescan in the middle. On the
// debug kernel, whose checkers watch every release this provokes.
#include "fixture.h"

#include <random>
#include <shared_mutex>
#include <thread>

using namespace vt;

namespace {

class Storm_PlainOnDebugKernel : public TwoBoardTest {};

constexpr size_t kMemlockBytes = 64 << 20; // each child's allowance

// What a killed child was doing with board 0 when the SIGKILL came.
enum class Work { lock_big, dma_into_buffer, cleanup_then_lock, contig_mmap };
const char *const kWorkNames[] = { "LOCK_BUFFER of 32 MiB",
				   "device DMA into a locked buffer",
				   "CLEANUP_SETUP then LOCK_BUFFER",
				   "mmap of contiguous buffers" };

// The child's loop: never returns, the SIGKILL ends it.
[[noreturn]] void work_until_killed(Work work, uint32_t mark, int ready)
{
	become_memlock_limited(kMemlockBytes);
	Fd fd = open_node(board(0));
	if (work != Work::cleanup_then_lock)
		cleanup_setup(fd.get(), { kcmd(EDU_REG_LIVENESS, mark) });
	(void)!write(ready, "r", 1);
	for (;;) {
		switch (work) {
		case Work::lock_big: {
			SgBuf s;
			s.lock(fd.get(), 32 << 20, false);
			s.unlock();
			break;
		}
		case Work::dma_into_buffer: {
			SgBuf s;
			if (s.lock(fd.get(), 1 << 20, false))
				for (size_t i = 0; i < s.count; i++)
					(void)board(0).bar.dma(true, s.table[i],
							       kPage);
			s.unlock();
			break;
		}
		case Work::cleanup_then_lock: {
			cleanup_setup(fd.get(),
				      { kcmd(EDU_REG_LIVENESS, mark) });
			SgBuf s;
			s.lock(fd.get(), 4 << 20, false);
			s.unlock();
			break;
		}
		case Work::contig_mmap: {
			ContigBuf c;
			c.lock(fd.get(), 1 << 20);
			c.map = Mapping();
			c.unlock();
			break;
		}
		}
	}
}

// 100 children, 25 per kind of work, each killed after a random delay. After
// each: the cleanup program ran, nothing is pinned or counted; every 25 the
// board still works.
TEST_F(Storm_PlainOnDebugKernel, HundredKillsAtRandomPoints)
{
	const EduBar &bar = board(0).bar;
	const Pins base = read_pins();
	std::mt19937_64 rng(20261202);
	for (int i = 0; i < 100; i++) {
		const Work work = Work(i / 25);
		const uint32_t mark = 0x6b000000u + uint32_t(i);
		SCOPED_TRACE(
			cat("kill ", i + 1, " during ", kWorkNames[i / 25]));
		bar.w32(EDU_REG_LIVENESS, 0);
		int ready[2];
		ASSERT_EQ(pipe(ready), 0);
		const pid_t pid = fork();
		if (pid == 0) {
			close(ready[0]);
			work_until_killed(work, mark, ready[1]);
		}
		close(ready[1]);
		char c;
		EXPECT_EQ(read(ready[0], &c, 1), 1) << "the child never opened";
		close(ready[0]);
		usleep(useconds_t(rng() % 300000));
		kill(pid, SIGKILL);
		EXPECT_EQ(status_str(wait_child(pid)), "killed by signal 9");
		EXPECT_TRUE(liveness_holds(bar, mark))
			<< "the cleanup program did not run";
		EXPECT_TRUE(pins_back_to(base));
		EXPECT_TRUE(stats_are(board(0), 0, 0, 0));
		if (i % 25 == 24) {
			// The allowance is whole again: nothing stayed charged.
			join_child(spawn_child("reuse", [] {
				become_memlock_limited(kMemlockBytes);
				Fd fd = open_node_checked(0);
				SgBuf s;
				EXPECT_TRUE(s.lock(fd.get(), kMemlockBytes));
				EXPECT_TRUE(s.dma_check(
					board(0).bar, { { 0, s.count - 1 } }));
				EXPECT_TRUE(succeeds(s.unlock()));
			}));
		}
		if (HasFailure())
			break; // one broken release is enough to read
	}
}

// The stress run's length: crono.stress=SECONDS on the kernel command line
// (tests/vm/run passes CRONO_STRESS_SECONDS), else 60.
unsigned stress_seconds()
{
	const char *s = getenv("CRONO_STRESS_SECONDS");
	return s && atoi(s) > 0 ? unsigned(atoi(s)) : 60;
}

// One board's open file, shared by its threads. A thread's operation holds
// the file shared and leaves nothing locked behind it; a reopen or the
// removal holds it alone.
struct SharedBoard {
	size_t index;
	std::shared_mutex mu;
	std::mutex dma_mu; // one DMA engine: one transfer at a time
	Fd fd;
	bool removed = false;
};

struct StressCounts {
	std::atomic<uint64_t> ops{ 0 }, mismatches{ 0 };
};

// Counts the operation, and a mismatch (already reported) when !ok.
void count(StressCounts &n, bool ok)
{
	n.ops++;
	if (!ok)
		n.mismatches++;
}

// One random operation on b's file: an S/G lock with device DMA through
// random pages, a contiguous lock with mmap and DMA, a cleanup program, or a
// reopen of the file.
void stress_op(SharedBoard &b, std::mt19937_64 &rng, StressCounts &n)
{
	const unsigned kind = unsigned(rng() % 16);
	if (kind == 15) {
		std::unique_lock lk(b.mu);
		if (b.removed)
			return;
		b.fd.reset();
		b.fd = open_node(board(b.index));
		EXPECT_TRUE(succeeds(b.fd.err()))
			<< "reopen of board " << b.index;
		count(n, b.fd.valid());
		return;
	}
	std::shared_lock lk(b.mu);
	if (b.removed || !b.fd.valid())
		return;
	bool ok = true;
	auto expect = [&ok](const AssertionResult &r) {
		EXPECT_TRUE(r);
		ok = ok && r;
	};
	auto dma_check = [&b](auto &buffer, auto... pages) {
		std::lock_guard dma(b.dma_mu);
		return buffer.dma_check(board(b.index).bar, pages...);
	};
	if (kind < 10) {
		const size_t pages = 1 + rng() % 256;
		SgBuf s;
		ok = s.lock(b.fd.get(), pages * kPage, false);
		if (ok)
			expect(dma_check(s, pick_pairs(pages, 1, rng())));
		expect(succeeds(s.unlock()));
	} else if (kind < 14) {
		const size_t pages = 1 + rng() % 16;
		ContigBuf c;
		ok = c.lock(b.fd.get(), pages * kPage);
		if (ok)
			expect(dma_check(c, size_t(0), pages - 1));
		c.map = Mapping();
		expect(succeeds(c.unlock()));
	} else {
		expect(succeeds(cleanup_setup(
			b.fd.get(),
			{ kcmd(EDU_REG_LIVENESS, uint32_t(rng())) })));
	}
	count(n, ok);
}

// Board 1 leaves the bus (sysfs remove) while its file is open, and comes
// back through a rescan: the open file fails with ENODEV, a new open works.
void remove_and_rescan(SharedBoard &b, StressCounts &n)
{
	std::unique_lock lk(b.mu);
	Board &dev = board(b.index);
	dev.bar.close();
	EXPECT_TRUE(succeeds(write_file(dev.sysfs() + "/remove", "1")));
	EXPECT_TRUE(wait_until(10, [&] { return !exists(dev.sysfs()); }));
	CRONO_SG_BUFFER_INFO info = sg_info(0, kPage, 0, 1);
	EXPECT_TRUE(fails_with(lock_sg(b.fd.get(), &info), ENODEV))
		<< "LOCK_BUFFER on the file of a removed board";
	b.fd.reset();
	EXPECT_TRUE(succeeds(write_file("/sys/bus/pci/rescan", "1")));
	EXPECT_TRUE(wait_until(10, [&] { return exists(dev.node()); }))
		<< dev.node() << " after the rescan";
	EXPECT_TRUE(dev.bar.open(dev.address));
	b.fd = open_node(dev);
	EXPECT_TRUE(succeeds(b.fd.err())) << "open after the rescan";
	n.ops += 2;
}

// Eight threads, four per board, for stress_seconds(); board 1 removed and
// rescanned half way. Afterwards nothing is pinned or counted.
TEST_F(Storm_PlainOnDebugKernel, EightThreadsTwoBoardsWithARemoval)
{
	const Pins base = read_pins();
	SharedBoard boards[2];
	for (size_t i = 0; i < 2; i++) {
		boards[i].index = i;
		boards[i].fd = open_node_checked(i);
		ASSERT_TRUE(boards[i].fd.valid());
	}
	StressCounts n;
	const double start = now_s(), end = start + stress_seconds();
	std::atomic<bool> removed{ false };
	std::vector<std::thread> threads;
	for (unsigned t = 0; t < 8; t++)
		threads.emplace_back([&, t] {
			std::mt19937_64 rng(1000 + t);
			SharedBoard &b = boards[t % 2];
			// Thread 1 removes the board even when one slow
			// operation carried it past the end.
			while (now_s() < end || (t == 1 && !removed)) {
				if (t == 1 && !removed &&
				    now_s() > start + (end - start) / 2) {
					remove_and_rescan(b, n);
					removed = true;
				}
				stress_op(b, rng, n);
			}
		});
	for (std::thread &t : threads)
		t.join();
	std::printf("stress: %llu operations in %.0f s, %llu mismatches\n",
		    (unsigned long long)n.ops.load(), now_s() - start,
		    (unsigned long long)n.mismatches.load());
	EXPECT_TRUE(removed) << "board 1 was never removed";
	EXPECT_EQ(n.mismatches.load(), 0u);
	for (SharedBoard &b : boards)
		EXPECT_TRUE(succeeds(b.fd.reset()));
	EXPECT_TRUE(pins_back_to(base));
	for (size_t i = 0; i < 2; i++)
		EXPECT_TRUE(stats_are(board(i), 0, 0, 0)) << "board " << i;
}

} // namespace
