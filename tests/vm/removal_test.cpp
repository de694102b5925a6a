// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Removal of an open board (unbind), its races with mmap and with a
// stalled lock, bus mastering, and SIGKILL during a big lock.
#include "removed_board.h"

#include <linux/userfaultfd.h>
#include <poll.h>
#include <sys/syscall.h>

#include <atomic>
#include <thread>

using namespace vt;

namespace {

class Removal_PlainIommuSwiotlb : public BoardTest {};
class Removal_PlainIommu : public BoardTest {};

// The last board is unbound through sysfs while its file is open with buffers
// and a cleanup program; then bound again.
TEST_F(Removal_PlainIommuSwiotlb, RemoveWhileOpen)
{
	const size_t bi = g.boards.size() - 1;
	const Board &b = board(bi);
	const EduBar &bar = b.bar;
	const uint32_t before = 0x77777777u, v = 0x5a5a0007u;
	bar.w32(EDU_REG_LIVENESS, before);
	ASSERT_TRUE(bar.r32(EDU_REG_LIVENESS) == ~before)
		<< "liveness register does not work";
	// The other board (plain, iommu) stays open and usable throughout.
	Fd other;
	if (bi > 0) {
		other = open_node_checked(0);
		ASSERT_TRUE(other.valid());
	}
	Fd fd = open_node_checked(bi);
	ASSERT_TRUE(fd.valid());
	Pins base = read_pins();
	SgBuf s;
	ContigBuf c;
	if (!g.swiotlb()) {
		ASSERT_TRUE(sg_lock_checked(fd.get(), 1 << 20, &s));
	}
	ASSERT_TRUE(contig_lock_checked(fd.get(), 64 << 10, &c));
	fill_pattern(c.map.data(), c.size, next_tag());
	ASSERT_TRUE(cleanup_setup(fd.get(), { kcmd(EDU_REG_LIVENESS, v) }) ==
		    0);
	EXPECT_TRUE(stats_are(b, s.locked ? 2 : 1, s.locked ? 1 << 20 : 0,
			      64 << 10))
		<< "before the unbind";
	// A second buffer as the library leaves it between UNLOCK_CONTIG_BUFFER
	// and munmap: unlocked, still mapped.
	ContigBuf u;
	ASSERT_TRUE(contig_lock_checked(fd.get(), 2 * kPage, &u));
	ASSERT_TRUE(u.unlock() == 0);

	int e = write_file(kDrvDir + "/unbind", b.pci);
	ASSERT_TRUE(no_error(e)) << strf("write %s to %s/unbind", b.pci.c_str(),
					 kDrvDir.c_str());
	// The board must be bound again at the end: no REQUIRE until then.
	EXPECT_TRUE(!bound_to_us(b) && !exists(kDrvDir + "/" + b.pci))
		<< strf("%s still bound after unbind", b.pci.c_str());
	uint32_t got = bar.r32(EDU_REG_LIVENESS);
	EXPECT_TRUE(got == ~v) << strf(
		"after the unbind the liveness register reads 0x%08x, expected "
		"~0x%08x%s",
		got, v,
		got == ~before ? " (the cleanup program did not run)" : "");
	{
		// The vendor library maps resource0 after the driver let go.
		EduBar fresh;
		std::string err;
		if (fresh.open_bar(b.pci, &err)) {
			EXPECT_TRUE(fresh.r32(EDU_REG_ID) == EDU_ID_VALUE &&
				    fresh.r32(EDU_REG_LIVENESS) == ~v)
				<< strf("resource0 mapped after the unbind "
					"reads id 0x%08x, liveness 0x%08x",
					fresh.r32(EDU_REG_ID),
					fresh.r32(EDU_REG_LIVENESS));
		} else {
			ADD_FAILURE() << strf("resource0 after the unbind: %s",
					      err.c_str());
		}
	}
	check_removed(b, fd, s.locked ? &s : nullptr, c, base);
	s.locked = false;
	expect_sigbus_child(u.map.data(), false);
	EXPECT_TRUE(u.map.reset() == 0) << strf(
		"munmap of the unlocked buffer: %s", errno_name(errno).c_str());
	if (other.valid()) {
		EXPECT_TRUE(exists(board(0).node()))
			<< strf("%s vanished with the other board",
				board(0).node().c_str());
		ContigBuf oc;
		if (contig_lock_checked(other.get(), kPage, &oc, false)) {
			EXPECT_TRUE(oc.unlock() == 0)
				<< "UNLOCK_CONTIG_BUFFER on the other board";
		}
		EXPECT_TRUE(other.reset() == 0);
	}

	ASSERT_TRUE(rebind(b));
	EXPECT_TRUE(bound_both_ways(b)) << "after bind";
	struct stat st;
	EXPECT_TRUE(stat(b.node().c_str(), &st) == 0 &&
		    (st.st_mode & 07777) == 0660)
		<< strf("%s missing or not mode 0660 after the rebind",
			b.node().c_str());
	EXPECT_TRUE(stats_are(b, 0, 0, 0)) << "after the rebind";
	const uint32_t later = 0x12121212u;
	bar.w32(EDU_REG_LIVENESS, later);
	{
		Fd fresh = open_node_checked(bi);
		ASSERT_TRUE(fresh.valid());
		if (!g.swiotlb()) {
			SgBuf s2;
			if (sg_lock_checked(fresh.get(), 64 << 10, &s2))
				sg_dma_check(bar, s2, { { 0, 15 } });
			EXPECT_TRUE(s2.unlock() == 0);
		} else {
			ContigBuf c2;
			std::string err;
			if (contig_lock_checked(fresh.get(), 2 * kPage, &c2)) {
				EXPECT_TRUE(dma_check_pair(
					bar, c2.page(0), c2.dma, c2.page(1),
					c2.dma + kPage, &err))
					<< strf("DMA check after the rebind: "
						"%s",
						err.c_str());
			}
			EXPECT_TRUE(c2.unlock() == 0);
		}
	}
	EXPECT_TRUE(bar.r32(EDU_REG_LIVENESS) == ~later)
		<< strf("the old file's cleanup program ran again on the "
			"rebound board (0x%08x)",
			bar.r32(EDU_REG_LIVENESS));
}

// A SIGKILL during a multi-GiB LOCK_BUFFER: the process dies and every pin is
// released. The guest has 1 GiB, so the buffer is 4 GiB of address space
// over one 64 MiB memfd mapped 64 times (a page may be pinned many times).
// The lock must stop between pin batches, long before it pinned everything;
// prints how far it got and how long dying took.
TEST_F(Removal_PlainIommu, SigkillDuringBigLock)
{
	const Board &b = board(0);
	const size_t piece = 64 << 20, pieces = 64, size = piece * pieces;
	Pins base = read_pins();
	int ready[2];
	ASSERT_TRUE(pipe2(ready, O_CLOEXEC) == 0);
	pid_t pid = fork();
	ASSERT_TRUE(pid >= 0) << strf("fork: %s", errno_name(errno).c_str());
	if (pid == 0) {
		Fd fd = open_node(b);
		int mem = memfd_create("crono-big", MFD_CLOEXEC);
		if (!fd.valid() || mem < 0 || ftruncate(mem, piece) != 0)
			_exit(2);
		auto *base_addr = static_cast<uint8_t *>(
			mmap(nullptr, size, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
		if (base_addr == MAP_FAILED)
			_exit(3);
		for (size_t i = 0; i < pieces; i++)
			if (mmap(base_addr + i * piece, piece,
				 PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED | MAP_POPULATE, mem,
				 0) == MAP_FAILED)
				_exit(4);
		std::vector<uint64_t> table(size / kPage);
		CRONO_SG_BUFFER_INFO info =
			sg_info(uaddr(base_addr), size, uaddr(table.data()),
				uint32_t(table.size()));
		(void)!write(ready[1], "r", 1);
		ioctl(fd.get(), IOCTL_CRONO_LOCK_BUFFER, &info);
		_exit(0);
	}
	close(ready[1]);
	live_children().push_back(pid);
	char c;
	const bool started = read(ready[0], &c, 1) == 1;
	close(ready[0]);
	// Kill once the pins are under way.
	const uint64_t total = size / kPage;
	uint64_t before_kill = 0;
	wait_until(60.0, [&] {
		Pins now = read_pins_vmstat();
		before_kill = now.acquired - base.acquired;
		return before_kill >= 4096;
	});
	const double t0 = now_s();
	kill(pid, SIGKILL);
	const int st = wait_child(pid);
	const double died_ms = (now_s() - t0) * 1000;
	EXPECT_TRUE(started && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		<< strf("the locking process %s", wait_status_str(st).c_str());
	const uint64_t pinned = read_pins().acquired - base.acquired;
	EXPECT_TRUE(pinned < total) << strf(
		"the lock pinned all %llu pages although it was killed after "
		"%llu: a killed task must stop between pin batches",
		(unsigned long long)total, (unsigned long long)before_kill);
	EXPECT_TRUE(pins_moved_by(base, 0)) << "after the killed 4 GiB lock";
	EXPECT_TRUE(stats_are(b, 0, 0, 0)) << "after the killed 4 GiB lock";
	note(strf("SigkillDuringBigLock: %llu of %llu pages pinned when the "
		  "kill was sent, %llu in all; dead %.0f ms later",
		  (unsigned long long)before_kill, (unsigned long long)total,
		  (unsigned long long)pinned, died_ms));
}

// Bus mastering is on exactly while a file is open: the board cannot write
// into memory that no open file owns. Off after close, SIGKILL and removal.
TEST_F(Removal_PlainIommuSwiotlb, BusMasterWhileOpen)
{
	const Board &b = board(0);
	EXPECT_TRUE(bus_master_is(b, false)) << "with no file open";
	{
		Fd fd = open_node_checked(0);
		ASSERT_TRUE(fd.valid());
		EXPECT_TRUE(bus_master_is(b, true)) << "while the file is open";
		ContigBuf c;
		ASSERT_TRUE(contig_lock_checked(fd.get(), kPage, &c));
	}
	EXPECT_TRUE(bus_master_is(b, false)) << "after close";
	pid_t pid = fork();
	ASSERT_TRUE(pid >= 0) << strf("fork: %s", errno_name(errno).c_str());
	if (pid == 0) {
		Fd fd = open_node(b);
		pause();
		_exit(0);
	}
	live_children().push_back(pid);
	EXPECT_TRUE(wait_until(10.0, [&] {
		bool on = false;
		return bus_master_on(b, &on) && on;
	})) << "bus mastering never went on for the child's open";
	kill(pid, SIGKILL);
	wait_child(pid);
	ASSERT_TRUE(wait_until(5.0, [&] { return module_refcnt() == "0"; }));
	EXPECT_TRUE(bus_master_is(b, false)) << "after the holder was killed";
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	if (unbind(b)) {
		EXPECT_TRUE(bus_master_is(b, false))
			<< "after the removal of the open board";
		fd.reset();
		rebind(b);
	}
}

// Whether one byte of p can be read, asked of the kernel: write(2) copies it
// into a pipe, and a read that would raise SIGBUS in the process fails with
// EFAULT there instead.
bool touch_ok(int pipe_in, int pipe_out, const volatile uint8_t *p)
{
	if (write(pipe_in, const_cast<const uint8_t *>(p), 1) != 1)
		return false;
	char c;
	return read(pipe_out, &c, 1) == 1;
}

// A process that keeps mapping and touching a contiguous buffer while the
// board is unbound: afterwards no mapping made before or during the removal
// may still reach the freed memory (every touch SIGBUS). Repeated so that a
// window of microseconds between ->mmap and the vma becoming visible to the
// removal's zap is hit.
TEST_F(Removal_PlainIommuSwiotlb, MmapRemoveRace)
{
	const Board &b = board(g.boards.size() - 1);
	const int rounds = 50;
	size_t made = 0, readable = 0;
	for (int round = 0; round < rounds && !HasFailure(); round++) {
		int ready[2], result[2];
		ASSERT_TRUE(pipe2(ready, O_CLOEXEC) == 0 &&
			    pipe2(result, O_CLOEXEC) == 0);
		pid_t pid = fork();
		ASSERT_TRUE(pid >= 0)
			<< strf("fork: %s", errno_name(errno).c_str());
		if (pid == 0) {
			size_t counts[2] = { 0, 0 };
			Fd fd = open_node(b);
			CRONO_CONTIG_BUFFER_INFO info = contig_info(kPage);
			if (!fd.valid() ||
			    ioctl(fd.get(), IOCTL_CRONO_LOCK_CONTIG_BUFFER,
				  &info) != 0)
				_exit(2);
			int probe[2];
			if (pipe2(probe, O_CLOEXEC) != 0)
				_exit(2);
			(void)!write(ready[1], "r", 1);
			std::vector<volatile uint8_t *> maps;
			for (;;) {
				void *p = mmap(nullptr, kPage,
					       PROT_READ | PROT_WRITE,
					       MAP_SHARED, fd.get(),
					       off_t(info.id) * off_t(kPage));
				if (p == MAP_FAILED)
					break; // ENODEV once removed
				maps.push_back(static_cast<uint8_t *>(p));
				if (!touch_ok(probe[1], probe[0], maps.back()))
					break;
			}
			// pagemap cannot tell: it skips PFN mappings.
			counts[0] = maps.size();
			for (auto *p : maps)
				counts[1] += touch_ok(probe[1], probe[0], p);
			(void)!write(result[1], counts, sizeof counts);
			_exit(0);
		}
		close(ready[1]);
		close(result[1]);
		live_children().push_back(pid);
		char c;
		bool started = read(ready[0], &c, 1) == 1;
		if (started) {
			// A few mappings first, then the removal among them.
			sleep_ms(round % 5);
			unbind(b);
		}
		size_t counts[2] = { 0, 0 };
		bool reported =
			read(result[0], counts, sizeof counts) == sizeof counts;
		const int st = wait_child(pid);
		close(ready[0]);
		close(result[0]);
		EXPECT_TRUE(started && reported)
			<< strf("round %d: the mapping process %s", round,
				wait_status_str(st).c_str());
		made += counts[0];
		readable += counts[1];
		if (started && !rebind(b))
			return;
	}
	EXPECT_TRUE(readable == 0)
		<< strf("of %zu mappings made around %d removals, %zu stayed "
			"readable after the removal",
			made, rounds, readable);
	note(strf("MmapRemoveRace: %zu mappings made around %d removals", made,
		  rounds));
}

// Stalls a LOCK_BUFFER on a page-table destination registered with
// userfaultfd. While it waits inside the driver, a second open of the board
// must answer EBUSY at once, an open of another misc device must not wait
// (open runs under the kernel's global misc lock), and removal of the board
// must complete; when the fault is resolved the lock fails and nothing stays
// pinned.
TEST_F(Removal_PlainIommu, StalledLockBlocksNothing)
{
	const Board &b = board(g.boards.size() - 1);
	Fd fd = open_node_checked(g.boards.size() - 1);
	ASSERT_TRUE(fd.valid());
	Pins base = read_pins();
	Fd uffd(static_cast<int>(syscall(SYS_userfaultfd, O_CLOEXEC)));
	ASSERT_TRUE(uffd.valid())
		<< strf("userfaultfd: %s", errno_name(errno).c_str());
	struct uffdio_api api = {};
	api.api = UFFD_API;
	ASSERT_TRUE(ioctl(uffd.get(), UFFDIO_API, &api) == 0);
	Mapping table = Mapping::anon(kPage); // never touched: missing
	Mapping buf = Mapping::anon(kPage);
	ASSERT_TRUE(table.ok() && buf.ok());
	memset(buf.data(), 1, kPage);
	struct uffdio_register reg = {};
	reg.range.start = table.addr();
	reg.range.len = kPage;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_TRUE(ioctl(uffd.get(), UFFDIO_REGISTER, &reg) == 0)
		<< strf("UFFDIO_REGISTER: %s", errno_name(errno).c_str());

	std::atomic<int> lock_err{ -1 };
	std::thread locker([&] {
		CRONO_SG_BUFFER_INFO info =
			sg_info(buf.addr(), kPage, table.addr(), 1);
		lock_err =
			crono_ioctl(fd.get(), IOCTL_CRONO_LOCK_BUFFER, &info);
	});
	struct pollfd pfd = { uffd.get(), POLLIN, 0 };
	bool stalled = poll(&pfd, 1, 10000) == 1;
	EXPECT_TRUE(stalled) << "LOCK_BUFFER never faulted on its page table";

	// Each probe runs in a thread; a probe still blocked after the
	// deadline is a failure (it is let go when the fault is resolved).
	auto timed = [](double seconds, std::function<void()> fn) {
		auto done = std::make_shared<std::atomic<bool>>(false);
		std::thread t([fn, done] {
			fn();
			*done = true;
		});
		bool in_time =
			wait_until(seconds, [&] { return done->load(); });
		return std::make_pair(in_time, std::move(t));
	};
	int second_err = 0;
	auto second = timed(1.0, [&] {
		Fd again = open_node(b, &second_err);
		if (again.valid())
			second_err = 0;
	});
	EXPECT_TRUE(second.first) << strf("a second open of %s blocked while a "
					  "lock waited on user memory",
					  b.node().c_str());
	int other_err = 0;
	auto other = timed(1.0, [&] {
		Fd latency =
			open_fd("/dev/cpu_dma_latency", O_RDONLY, &other_err);
	});
	EXPECT_TRUE(other.first)
		<< "open of /dev/cpu_dma_latency blocked (the misc lock is "
		   "held by an open of this driver)";
	int unbind_err = -1;
	auto removal = timed(10.0, [&] {
		unbind_err = write_file(kDrvDir + "/unbind", b.pci);
	});
	EXPECT_TRUE(removal.first) << strf("removal of %s did not complete "
					   "while a lock waited on user memory",
					   b.pci.c_str());

	// Resolve the fault: everything stuck goes on.
	struct uffdio_zeropage zero = {};
	zero.range.start = table.addr();
	zero.range.len = kPage;
	EXPECT_TRUE(ioctl(uffd.get(), UFFDIO_ZEROPAGE, &zero) == 0)
		<< strf("UFFDIO_ZEROPAGE: %s", errno_name(errno).c_str());
	locker.join();
	second.second.join();
	other.second.join();
	removal.second.join();
	if (second.first) {
		EXPECT_TRUE(second_err == EBUSY)
			<< strf("second open: %s, expected EBUSY",
				errno_name(second_err).c_str());
	}
	EXPECT_TRUE(no_error(unbind_err)) << "unbind";
	EXPECT_TRUE(lock_err == ENODEV)
		<< strf("the stalled LOCK_BUFFER returned %s after the "
			"removal, expected ENODEV",
			errno_name(lock_err).c_str());
	fd.reset();
	EXPECT_TRUE(pins_moved_by(base, 0))
		<< "after the stalled lock and the removal";
	rebind(b);
}

} // namespace
