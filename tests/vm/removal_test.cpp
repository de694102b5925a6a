// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Removal of an open board (unbind), its races with mmap and with a
// stalled lock, bus mastering, and SIGKILL during a big lock.
#include "removed_board.h"

#include <linux/userfaultfd.h>
#include <poll.h>

#include <cmath>
#include <future>

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
	ASSERT_TRUE(liveness_holds(bar, before)) << "before the test";
	// The other board (plain, iommu) stays open and usable throughout.
	Fd other = bi > 0 ? open_node_checked(0) : Fd();
	ASSERT_TRUE(bi == 0 || other.valid());
	Fd fd = open_node_checked(bi);
	ASSERT_TRUE(fd.valid());
	const Pins base = read_pins();
	SgBuf s;
	ContigBuf c;
	if (!g.swiotlb()) {
		ASSERT_TRUE(s.lock(fd.get(), 1 << 20));
	}
	ASSERT_TRUE(c.lock(fd.get(), 64 << 10));
	fill_pattern(c.map.data(), c.size, next_tag());
	ASSERT_TRUE(succeeds(
		cleanup_setup(fd.get(), { kcmd(EDU_REG_LIVENESS, v) })));
	EXPECT_TRUE(stats_are(b, s.locked ? 2 : 1, s.locked ? 1 << 20 : 0,
			      64 << 10))
		<< "before the unbind";
	// A second buffer as the library leaves it between UNLOCK_CONTIG_BUFFER
	// and munmap: unlocked, still mapped.
	ContigBuf u;
	ASSERT_TRUE(u.lock(fd.get(), 2 * kPage));
	ASSERT_TRUE(succeeds(u.unlock()));

	ASSERT_TRUE(unbind(b));
	// The board must be bound again at the end: no ASSERT until then.
	EXPECT_NE(link_name(b.sysfs() + "/driver"), CRONO_DRIVER_NAME)
		<< "after unbind";
	EXPECT_FALSE(exists(kDrvDir + "/" + b.pci)) << "after unbind";
	EXPECT_TRUE(liveness_holds(
		bar, v, { { before, "the cleanup program did not run" } }))
		<< "after the unbind";
	{
		// The vendor library maps resource0 after the driver let go.
		EduBar fresh;
		const AssertionResult mapped = fresh.open(b.address);
		EXPECT_TRUE(mapped) << "resource0 after the unbind";
		if (mapped) {
			EXPECT_TRUE(fresh.r32(EDU_REG_ID) == EDU_ID_VALUE &&
				    liveness_holds(fresh, v))
				<< "resource0 mapped after the unbind reads id "
				<< hex(fresh.r32(EDU_REG_ID)) << ", liveness "
				<< hex(fresh.r32(EDU_REG_LIVENESS));
		}
	}
	check_removed(b, fd, s.locked ? &s : nullptr, c, base);
	expect_sigbus_child(u.map.data(), false);
	EXPECT_TRUE(succeeds(u.map.reset())) << "munmap of the unlocked buffer";
	if (other.valid()) {
		EXPECT_TRUE(exists(board(0).node()))
			<< board(0).node() << " vanished with the other board";
		ContigBuf oc;
		if (oc.lock(other.get(), kPage, false)) {
			EXPECT_TRUE(succeeds(oc.unlock()))
				<< "UNLOCK_CONTIG_BUFFER on the other board";
		}
		EXPECT_TRUE(succeeds(other.reset()));
	}

	ASSERT_TRUE(rebind(b));
	EXPECT_TRUE(bound_both_ways(b)) << "after bind";
	EXPECT_EQ(file_mode(b.node()), "chr 0660") << "after the rebind";
	EXPECT_TRUE(stats_are(b, 0, 0, 0)) << "after the rebind";
	const uint32_t later = 0x12121212u;
	bar.w32(EDU_REG_LIVENESS, later);
	{
		Fd fresh = open_node_checked(bi);
		ASSERT_TRUE(fresh.valid());
		if (!g.swiotlb()) {
			sg_round_trip(bar, fresh.get(), 64 << 10,
				      { { 0, 15 } });
		} else {
			ContigBuf c2;
			if (c2.lock(fresh.get(), 2 * kPage)) {
				EXPECT_TRUE(c2.dma_check(bar, 0, 1))
					<< "after the rebind";
			}
			EXPECT_TRUE(succeeds(c2.unlock()));
		}
	}
	EXPECT_TRUE(liveness_holds(bar, later))
		<< "the old file's cleanup program ran again on the rebound "
		   "board";
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
	const Pins base = read_pins();
	int ready[2];
	ASSERT_EQ(pipe2(ready, O_CLOEXEC), 0);
	Fd ready_rd(ready[0]), ready_wr(ready[1]);
	const pid_t pid = fork_child();
	ASSERT_GE(pid, 0) << "fork: " << errno_name(errno);
	if (pid == 0) {
		Fd fd = open_node(b);
		Fd mem(memfd_create("crono-big", MFD_CLOEXEC));
		if (!fd.valid() || !mem.valid() ||
		    ftruncate(mem.get(), piece) != 0)
			_exit(2);
		auto *start = static_cast<uint8_t *>(
			mmap(nullptr, size, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
		if (start == MAP_FAILED)
			_exit(3);
		for (size_t i = 0; i < pieces; i++)
			if (mmap(start + i * piece, piece,
				 PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED | MAP_POPULATE,
				 mem.get(), 0) == MAP_FAILED)
				_exit(4);
		std::vector<uint64_t> table(size / kPage);
		CRONO_SG_BUFFER_INFO info =
			sg_info(uaddr(start), size, uaddr(table.data()),
				uint32_t(table.size()));
		(void)!write(ready_wr.get(), "r", 1);
		lock_sg(fd.get(), &info);
		_exit(0);
	}
	ready_wr.reset();
	char c;
	const bool started = read(ready_rd.get(), &c, 1) == 1;
	// Kill once the pins are under way.
	const uint64_t total = size / kPage;
	uint64_t before_kill = 0;
	wait_until(60.0, [&] {
		before_kill = read_pins_vmstat().acquired - base.acquired;
		return before_kill >= 4096;
	});
	const double t0 = now_s();
	kill(pid, SIGKILL);
	const int st = wait_child(pid);
	const double died_ms = (now_s() - t0) * 1000;
	EXPECT_TRUE(started && status_str(st) == "killed by signal 9")
		<< "the locking process " << status_str(st);
	const uint64_t pinned = read_pins().acquired - base.acquired;
	EXPECT_LT(pinned, total)
		<< "pages pinned by a lock killed after " << before_kill
		<< ": a killed task must stop between pin batches";
	EXPECT_TRUE(pins_moved_by(base, 0)) << "after the killed 4 GiB lock";
	EXPECT_TRUE(stats_are(b, 0, 0, 0)) << "after the killed 4 GiB lock";
	note("SigkillDuringBigLock: ", before_kill, " of ", total,
	     " pages pinned when the kill was sent, ", pinned, " in all; dead ",
	     std::lround(died_ms), " ms later");
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
		ASSERT_TRUE(c.lock(fd.get(), kPage));
	}
	EXPECT_TRUE(bus_master_is(b, false)) << "after close";
	const pid_t pid = fork_child();
	ASSERT_GE(pid, 0) << "fork: " << errno_name(errno);
	if (pid == 0) {
		Fd fd = open_node(b);
		pause();
		_exit(0);
	}
	EXPECT_TRUE(wait_until(10.0, [&] {
		return bool(bus_master_is(b, true));
	})) << "bus mastering never went on for the child's open";
	kill(pid, SIGKILL);
	wait_child(pid);
	ASSERT_TRUE(wait_until(5.0, [] { return module_refcnt() == "0"; }));
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
		Fd ready_rd(ready[0]), ready_wr(ready[1]);
		Fd result_rd(result[0]), result_wr(result[1]);
		const pid_t pid = fork_child();
		ASSERT_GE(pid, 0) << "fork: " << errno_name(errno);
		if (pid == 0) {
			size_t counts[2] = { 0, 0 };
			Fd fd = open_node(b);
			CRONO_CONTIG_BUFFER_INFO info = contig_info(kPage);
			int probe[2];
			if (lock_contig(fd.get(), &info) ||
			    pipe2(probe, O_CLOEXEC) != 0)
				_exit(2);
			(void)!write(ready_wr.get(), "r", 1);
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
			(void)!write(result_wr.get(), counts, sizeof counts);
			_exit(0);
		}
		ready_wr.reset();
		result_wr.reset();
		char c;
		const bool started = read(ready_rd.get(), &c, 1) == 1;
		if (started) {
			// A few mappings first, then the removal among them.
			std::this_thread::sleep_for(1ms * (round % 5));
			unbind(b);
		}
		size_t counts[2] = { 0, 0 };
		const bool reported = read(result_rd.get(), counts,
					   sizeof counts) == sizeof counts;
		const int st = wait_child(pid);
		EXPECT_TRUE(started && reported)
			<< "round " << round << ": the mapping process "
			<< status_str(st);
		made += counts[0];
		readable += counts[1];
		if (started && !rebind(b))
			return;
	}
	EXPECT_EQ(readable, 0u) << "of " << made << " mappings made around "
				<< rounds << " removals, readable after the "
				<< "removal";
	note("MmapRemoveRace: ", made, " mappings made around ", rounds,
	     " removals");
}

// Stalls a LOCK_BUFFER on a page-table destination registered with
// userfaultfd. While it waits inside the driver, a second open of the board
// must answer EBUSY at once, an open of another misc device must not wait
// (open runs under the kernel's global misc lock), and removal of the board
// must complete; when the fault is resolved the lock fails and nothing stays
// pinned.
TEST_F(Removal_PlainIommu, StalledLockBlocksNothing)
{
	const size_t bi = g.boards.size() - 1;
	const Board &b = board(bi);
	Fd fd = open_node_checked(bi);
	ASSERT_TRUE(fd.valid());
	const Pins base = read_pins();
	Fd uffd(int(syscall(SYS_userfaultfd, O_CLOEXEC)));
	ASSERT_TRUE(succeeds(uffd.err())) << "userfaultfd";
	struct uffdio_api api = {};
	api.api = UFFD_API;
	ASSERT_EQ(ioctl(uffd.get(), UFFDIO_API, &api), 0);
	Mapping table = Mapping::anon(kPage); // never touched: missing
	Mapping buf = Mapping::anon(kPage);
	ASSERT_TRUE(table.ok() && buf.ok());
	memset(buf.data(), 1, kPage);
	struct uffdio_register reg = {};
	reg.range.start = table.addr();
	reg.range.len = kPage;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_TRUE(
		succeeds(errno_of(ioctl(uffd.get(), UFFDIO_REGISTER, &reg))))
		<< "UFFDIO_REGISTER";

	auto locker = std::async(std::launch::async, [&] {
		CRONO_SG_BUFFER_INFO info =
			sg_info(buf.addr(), kPage, table.addr(), 1);
		return lock_sg(fd.get(), &info);
	});
	struct pollfd pfd = { uffd.get(), POLLIN, 0 };
	EXPECT_EQ(poll(&pfd, 1, 10000), 1)
		<< "LOCK_BUFFER never faulted on its page table";

	// Each probe runs in a thread of its own; one still blocked after its
	// deadline is a failure (it goes on when the fault is resolved).
	auto in_time = [](auto &probe, auto deadline) {
		return probe.wait_for(deadline) == std::future_status::ready;
	};
	auto second = std::async(std::launch::async,
				 [&] { return open_node(b).err(); });
	const bool second_in_time = in_time(second, 1s);
	EXPECT_TRUE(second_in_time) << "a second open of " << b.node()
				    << " blocked while a lock waited on user "
				       "memory";
	auto other = std::async(std::launch::async, [] {
		return open_fd("/dev/cpu_dma_latency", O_RDONLY).err();
	});
	EXPECT_TRUE(in_time(other, 1s))
		<< "open of /dev/cpu_dma_latency blocked (the misc lock is "
		   "held by an open of this driver)";
	auto removal = std::async(std::launch::async, [&] {
		return write_file(kDrvDir + "/unbind", b.pci);
	});
	EXPECT_TRUE(in_time(removal, 10s))
		<< "removal of " << b.pci
		<< " did not complete while a lock waited on user memory";

	// Resolve the fault: everything stuck goes on.
	struct uffdio_zeropage zero = {};
	zero.range.start = table.addr();
	zero.range.len = kPage;
	EXPECT_TRUE(
		succeeds(errno_of(ioctl(uffd.get(), UFFDIO_ZEROPAGE, &zero))))
		<< "UFFDIO_ZEROPAGE";
	const int second_err = second.get();
	if (second_in_time) {
		EXPECT_TRUE(fails_with(second_err, EBUSY)) << "second open";
	}
	EXPECT_TRUE(succeeds(removal.get())) << "unbind";
	EXPECT_TRUE(fails_with(locker.get(), ENODEV))
		<< "the stalled LOCK_BUFFER after the removal";
	other.wait();
	fd.reset();
	EXPECT_TRUE(pins_moved_by(base, 0))
		<< "after the stalled lock and the removal";
	rebind(b);
}

} // namespace
