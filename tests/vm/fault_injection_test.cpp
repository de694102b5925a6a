// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Every failure point of the real kernel, one at a time. The kernel's
// systematic fault injection (/proc/thread-self/fail-nth) fails the Nth slab
// allocation, page allocation or user copy that a task makes from then on.
// Each request runs with fault N for N = 1, 2, ... until it passes without
// reaching its Nth point; after each run the call returned a clean errno or
// succeeded, the pin count, the locked-memory charge and the board's
// statistics are back where they were, and the board still works. Only the
// debug kernel has the fault injection (and KASAN, kmemleak and lockdep to
// catch what a failure path does wrong).
#include "fixture.h"

#include <sys/mman.h>

using namespace vt;

namespace {

class FaultInjection_IommuOnDebugKernel : public BoardTest {};

constexpr unsigned kMaxPoints = 400; // more would be a loop, not a request
constexpr size_t kBufferBytes = 64 << 10;
// The charge every sweep runs under, room for one buffer of each kind:
// board_works() locks all of it, which fails if any earlier failure left some
// of it charged.
constexpr size_t kMemlockBytes = 2 * kBufferBytes;
constexpr uint32_t kCleanupMark = 0x5a5a0077u;

struct Tally {
	unsigned injected = 0, passed = 0, failed = 0;
};
Tally tally;

// Lets fail-nth reach every allocation: by default the kernel skips
// allocations that may sleep, high-memory and order-0 pages. Its reports
// ("forcing a failure" with a stack dump) are noise here.
void enable_fault_points()
{
	const std::pair<const char *, const char *> knobs[] = {
		{ "failslab/ignore-gfp-wait", "N" },
		{ "failslab/verbose", "0" },
		{ "fail_page_alloc/ignore-gfp-wait", "N" },
		{ "fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "fail_page_alloc/min-order", "0" },
		{ "fail_page_alloc/verbose", "0" },
		{ "fail_usercopy/verbose", "0" },
	};
	for (const auto &[knob, value] : knobs)
		ASSERT_TRUE(succeeds(write_file(
			std::string("/sys/kernel/debug/") + knob, value)))
			<< knob;
}

// A task's fail-nth: armed with N, the Nth fault point the task passes fails.
class FailNth {
public:
	explicit FailNth(pid_t tid = 0)
	    : fd_(open_fd(tid ? cat("/proc/", tid, "/task/", tid, "/fail-nth")
			      : std::string("/proc/thread-self/fail-nth"),
			  O_RDWR))
	{
	}
	bool ok() const { return fd_.valid(); }
	void arm(unsigned n) const
	{
		const std::string s = std::to_string(n);
		(void)!pwrite(fd_.get(), s.data(), s.size(), 0);
	}
	// Disarms; true when the armed fault was injected. A read the armed
	// fault hits itself fails, and means the call before passed all its
	// points; so may a disarming write, which disarms all the same.
	bool injected() const
	{
		char buf[16] = {};
		const ssize_t n = pread(fd_.get(), buf, sizeof buf - 1, 0);
		for (int i = 0; i < 2 && pwrite(fd_.get(), "0", 1, 0) != 1; i++)
			;
		return n > 0 && buf[0] == '0';
	}

private:
	Fd fd_;
};

// What a request may fail with when a kernel allocation or user copy fails.
const std::vector<int> kInjectedErrs = { ENOMEM, EFAULT };

// The board's statistics are zero, nothing is pinned beyond base, and a lock
// of the whole memlock allowance with device DMA from its first to its last
// page works (one transfer each way: 0.2 s of guest time).
void board_works(int fd, const Pins &base)
{
	EXPECT_TRUE(stats_are(board(0), 0, 0, 0));
	EXPECT_TRUE(pins_moved_by(base, 0));
	sg_round_trip(board(0).bar, fd, kMemlockBytes,
		      { { 0, kMemlockBytes / kPage - 1 } });
}

// Runs one(n) for n = 1, 2, ... until it reports that its call passed without
// reaching the nth fault point, counting each injected run as passed when it
// recorded no failure. A call that must copy from user space or allocate
// (reached) that reaches no point at all means the injection is not working.
void sweep(const char *what, bool reached,
	   const std::function<bool(unsigned)> &one)
{
	for (unsigned n = 1; n <= kMaxPoints; n++) {
		SCOPED_TRACE(cat(what, " with fault ", n));
		const int failures = recorded_failures();
		if (!one(n)) {
			note(what, ": ", n - 1, " fault points");
			EXPECT_TRUE(n > 1 || !reached)
				<< what << " reached no fault point";
			return;
		}
		tally.injected++;
		(recorded_failures() == failures ? tally.passed
						 : tally.failed)++;
	}
	ADD_FAILURE() << what << " passed more than " << kMaxPoints
		      << " fault points";
}

void sweep(const char *what, const std::function<bool(unsigned)> &one)
{
	sweep(what, true, one);
}

// A prefaulted buffer and its page table, so that the lock's own points are
// the only ones.
struct SgRequest {
	Mapping mem = Mapping::anon(kBufferBytes);
	std::vector<uint64_t> table =
		std::vector<uint64_t>(kBufferBytes / kPage);
	CRONO_SG_BUFFER_INFO info{};

	SgRequest()
	{
		memset(mem.data(), 0x5a, kBufferBytes);
		info = sg_info(mem.addr(), kBufferBytes, uaddr(table.data()),
			       uint32_t(table.size()));
	}
};

void sweep_requests(const FailNth &fail)
{
	const Pins base = read_pins();

	sweep("open", [&](unsigned n) {
		fail.arm(n);
		Fd fd = open_node(board(0));
		const bool injected = fail.injected();
		EXPECT_TRUE(fd.valid() || fails_with(fd.err(), kInjectedErrs))
			<< "open";
		fd.reset();
		Fd again = open_node_checked(0);
		board_works(again.get(), base);
		return injected;
	});

	sweep("LOCK_BUFFER", [&](unsigned n) {
		Fd fd = open_node_checked(0);
		SgRequest r;
		fail.arm(n);
		const int e = lock_sg(fd.get(), &r.info);
		const bool injected = fail.injected();
		if (e) {
			EXPECT_TRUE(fails_with(e, kInjectedErrs));
		} else {
			EXPECT_TRUE(pins_moved_by(base, kBufferBytes / kPage));
			EXPECT_TRUE(stats_are(board(0), 1, kBufferBytes, 0));
			EXPECT_TRUE(aligned_entries(r.table.data(),
						    r.table.size()));
			EXPECT_TRUE(succeeds(unlock_sg(fd.get(), r.info.id)));
		}
		board_works(fd.get(), base);
		return injected;
	});

	sweep("UNLOCK_BUFFER", [&](unsigned n) {
		Fd fd = open_node_checked(0);
		SgRequest r;
		EXPECT_TRUE(succeeds(lock_sg(fd.get(), &r.info)));
		fail.arm(n);
		const int e = unlock_sg(fd.get(), r.info.id);
		const bool injected = fail.injected();
		if (e) {
			EXPECT_TRUE(fails_with(e, kInjectedErrs));
			EXPECT_TRUE(stats_are(board(0), 1, kBufferBytes, 0))
				<< "a failed unlock keeps the buffer";
			EXPECT_TRUE(succeeds(unlock_sg(fd.get(), r.info.id)));
		}
		board_works(fd.get(), base);
		return injected;
	});

	sweep("CLEANUP_SETUP", [&](unsigned n) {
		Fd fd = open_node_checked(0);
		const std::vector<CRONO_KERNEL_CMD> cmds = {
			kcmd(EDU_REG_LIVENESS, 1), kcmd(EDU_REG_LIVENESS, 2)
		};
		fail.arm(n);
		const int e = cleanup_setup(fd.get(), cmds);
		const bool injected = fail.injected();
		EXPECT_TRUE(!e || fails_with(e, kInjectedErrs));
		board_works(fd.get(), base);
		return injected;
	});

	sweep("LOCK_CONTIG_BUFFER", [&](unsigned n) {
		Fd fd = open_node_checked(0);
		CRONO_CONTIG_BUFFER_INFO info = contig_info(kBufferBytes);
		fail.arm(n);
		const int e = lock_contig(fd.get(), &info);
		const bool injected = fail.injected();
		if (e) {
			EXPECT_TRUE(fails_with(e, kInjectedErrs));
		} else {
			EXPECT_TRUE(stats_are(board(0), 1, 0, kBufferBytes));
			EXPECT_TRUE(succeeds(unlock_contig(fd.get(), info.id)));
		}
		board_works(fd.get(), base);
		return injected;
	});

	sweep("UNLOCK_CONTIG_BUFFER", [&](unsigned n) {
		Fd fd = open_node_checked(0);
		CRONO_CONTIG_BUFFER_INFO info = contig_info(kBufferBytes);
		EXPECT_TRUE(succeeds(lock_contig(fd.get(), &info)));
		fail.arm(n);
		const int e = unlock_contig(fd.get(), info.id);
		const bool injected = fail.injected();
		if (e) {
			EXPECT_TRUE(fails_with(e, kInjectedErrs));
			EXPECT_TRUE(succeeds(unlock_contig(fd.get(), info.id)));
		}
		board_works(fd.get(), base);
		return injected;
	});

	sweep("mmap of a contiguous buffer", [&](unsigned n) {
		Fd fd = open_node_checked(0);
		CRONO_CONTIG_BUFFER_INFO info = contig_info(kBufferBytes);
		EXPECT_TRUE(succeeds(lock_contig(fd.get(), &info)));
		fail.arm(n);
		void *p = mmap(nullptr, kBufferBytes, PROT_READ | PROT_WRITE,
			       MAP_SHARED, fd.get(), off_t(info.id) * kPage);
		const int e = p == MAP_FAILED ? errno : 0;
		const bool injected = fail.injected();
		EXPECT_TRUE(!e || fails_with(e, kInjectedErrs));
		if (!e)
			munmap(p, kBufferBytes);
		EXPECT_TRUE(succeeds(unlock_contig(fd.get(), info.id)));
		board_works(fd.get(), base);
		return injected;
	});

	// Each run maps at a fresh 1 GiB of address space, so that the fault
	// must allocate the page tables it inserts into.
	sweep("a contiguous mapping's first fault", [&](unsigned n) {
		Fd fd = open_node_checked(0);
		ContigBuf c;
		EXPECT_TRUE(c.lock(fd.get(), kBufferBytes, false));
		c.map = Mapping::map(
			kBufferBytes, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_FIXED_NOREPLACE, fd.get(),
			off_t(c.id) * off_t(kPage),
			reinterpret_cast<void *>(0x300000000000ull +
						 (uint64_t(n) << 30)));
		if (!c.map.ok())
			return false;
		volatile uint8_t *byte = c.page(0);
		fail.arm(n);
		*byte = 0x77; // a failed insert is retried, never SIGBUS
		const bool injected = fail.injected();
		EXPECT_EQ(*byte, 0x77);
		EXPECT_TRUE(c.dma_check(board(0).bar, 0, 1));
		c.map = Mapping();
		EXPECT_TRUE(succeeds(c.unlock()));
		board_works(fd.get(), base);
		return injected;
	});

	// Release frees, and runs the cleanup program, with whatever
	// allocation or copy fails on the way.
	const EduBar &bar = board(0).bar;
	auto held_file = [&](SgRequest &r, CRONO_CONTIG_BUFFER_INFO &info) {
		Fd fd = open_node_checked(0);
		EXPECT_TRUE(succeeds(lock_sg(fd.get(), &r.info)));
		EXPECT_TRUE(succeeds(lock_contig(fd.get(), &info)));
		EXPECT_TRUE(succeeds(cleanup_setup(
			fd.get(), { kcmd(EDU_REG_LIVENESS, kCleanupMark) })));
		bar.w32(EDU_REG_LIVENESS, 0);
		return fd;
	};
	auto released = [&] {
		EXPECT_TRUE(liveness_holds(bar, kCleanupMark))
			<< "the cleanup program did not run";
		EXPECT_TRUE(pins_back_to(base));
		Fd fd = open_node_checked(0);
		board_works(fd.get(), base);
	};

	sweep("close", [&](unsigned n) {
		SgRequest r;
		CRONO_CONTIG_BUFFER_INFO info = contig_info(kBufferBytes);
		Fd fd = held_file(r, info);
		fail.arm(n);
		const int e = fd.reset();
		const bool injected = fail.injected();
		EXPECT_TRUE(succeeds(e)) << "close";
		released();
		return injected;
	});

	// Exit may allocate nothing: no point to reach.
	sweep("the release after SIGKILL", false, [&](unsigned n) {
		int ready[2];
		if (pipe(ready) != 0)
			return false;
		const pid_t pid = fork();
		if (pid == 0) {
			SgRequest r;
			CRONO_CONTIG_BUFFER_INFO info =
				contig_info(kBufferBytes);
			Fd fd = held_file(r, info);
			(void)!write(ready[1], "r", 1);
			for (;;)
				pause();
		}
		close(ready[1]);
		char c;
		EXPECT_EQ(read(ready[0], &c, 1), 1)
			<< "the child never got ready";
		close(ready[0]);
		const FailNth child(pid);
		EXPECT_TRUE(child.ok());
		child.arm(n);
		kill(pid, SIGKILL);
		// Dead but not reaped: its fail-nth can still be read.
		siginfo_t si{};
		waitid(P_PID, id_t(pid), &si, WEXITED | WNOWAIT);
		const bool injected = child.injected();
		EXPECT_EQ(status_str(wait_child(pid)), "killed by signal 9");
		released();
		return injected;
	});
}

TEST_F(FaultInjection_IommuOnDebugKernel, EveryFailurePointOfEveryRequest)
{
	ASSERT_NO_FATAL_FAILURE(enable_fault_points());
	join_child(spawn_child("memlock-limited child", [] {
		ASSERT_NO_FATAL_FAILURE(become_memlock_limited(kMemlockBytes));
		const FailNth fail;
		ASSERT_TRUE(fail.ok()) << "no /proc/thread-self/fail-nth";
		sweep_requests(fail);
		std::printf("faults: %u injected, %u passed, %u failed\n",
			    tally.injected, tally.passed, tally.failed);
		std::fflush(stdout);
	}));
}

} // namespace
