// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetimes through the C entry points: board create/remove/put, release
 * ordering (cleanup writes before unmap, unmap before table destroy, destroy
 * before unpin, unpin before uncharge), removal under an open file, and
 * contiguous buffers whose memory must outlive the unlock while mapped.
 */
#include <gtest/gtest.h>

#include <cstring>

#include "harness.h"

using namespace host;

using Release = RigTest;
using ContigMapping = RigTest;
using ContigFault = RigTest;
using StalledUserMemory = RigTest;
using FatalSignal = RigTest;

namespace {

const fake::Record &rec(long i)
{
	return fake::records().at(size_t(i));
}

/*
 * The teardown that started at record `from`: every cleanup write first,
 * then the read that flushes them, then bus mastering off; only then, per
 * S/G buffer, unmap < unpin < destroy < uncharge, and contiguous memory
 * zapped and freed.
 */
void expect_teardown_order(long from, long cleanup_writes,
			   const std::vector<const SgLock *> &buffers,
			   long coherent_frees)
{
	EXPECT_EQ(fake::count(Event::bar0_write, from), cleanup_writes)
		<< fake::dump_records();
	const long last_write = fake::last(Event::bar0_write, from);
	const long flush = fake::first(Event::flush, from);
	const long master_off =
		fake::first(Event::bus_master, from, fake::with_a(0));
	EXPECT_LT(last_write, flush) << "no read after the cleanup writes\n"
				     << fake::dump_records();
	EXPECT_LT(flush, master_off) << "bus mastering not cleared after "
					"the flush\n"
				     << fake::dump_records();
	for (Event e :
	     { Event::dma_unmap, Event::sgt_unpin, Event::sgt_destroy,
	       Event::memlock_uncharge, Event::coherent_free, Event::zap }) {
		const long first = fake::first(e, from);
		if (first >= 0) {
			EXPECT_LT(last_write, first)
				<< "a cleanup write after " << e << "\n"
				<< fake::dump_records();
			EXPECT_LT(master_off, first)
				<< "the board could still write at " << e
				<< "\n"
				<< fake::dump_records();
		}
	}
	for (const SgLock *buffer : buffers)
		expect_sg_release_order(from, *buffer);
	EXPECT_EQ(fake::count(Event::coherent_free, from), coherent_frees);
}

} // namespace

/* ---- board create / put -------------------------------------------------- */

TEST(Board, CreateHandsTheMiscNameToTheGlue)
{
	Rig rig(false);
	EXPECT_STREQ(rig.dev().name, "crono_06_0003000");
	EXPECT_EQ(rig.dev().stats(), Stats{});
}

TEST(Board, NameIsCutToTheGlueBuffer)
{
	Rig rig(false);
	crono_pci pci;
	pci.loc = { 0, 7, 0, 0, 0x1A13, 0x02 };
	crono_board *board = nullptr;
	char name[9];
	std::memset(name, 'x', sizeof(name));
	ASSERT_EQ(crono_board_create(&pci, &board, name, sizeof(name)), 0);
	EXPECT_STREQ(name, "crono_02");
	crono_board_remove(board);
	crono_board_put(board);
	EXPECT_EQ(pci.refs, 1) << "the board gave its reference back";
	crono_kpci_put(&pci);
}

TEST(Board, SameNameTwiceIsEEXISTAndTheGlueKeepsItsPciFunction)
{
	Rig rig(false);
	long ret = 0;
	auto &twin = rig.add(rig.dev().pci.loc, false, &ret);
	EXPECT_EQ(ret, -EEXIST);
	/* The glue frees its crono_pci itself after a failed probe: the core
	 * must hold no reference to it then. */
	EXPECT_EQ(twin.pci.refs, 1);
	EXPECT_EQ(fake::held().allocations, rig.baseline().allocations);
	EXPECT_EQ(fake::held().mutexes, 4) << "registry + one board's three";
	EXPECT_TRUE(fake::logged("exists"));
}

TEST(Board, NameTooLongFailsCreateAndLeavesThePciFunctionToTheGlue)
{
	Rig rig(false);
	long ret = 0;
	auto &dev = rig.add({ 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
			      0x1A13, 0xffffffff },
			    false, &ret);
	EXPECT_EQ(ret, -ENAMETOOLONG);
	EXPECT_EQ(dev.pci.refs, 1);
	EXPECT_EQ(fake::held().allocations, rig.baseline().allocations);
}

TEST(Board, CreateFailuresLeaveNothingAndKeepThePciFunction)
{
	struct Case {
		fake::Call call;
		unsigned nth;
	} cases[] = { { Call::kmalloc, 1 },
		      { Call::mutex_create, 1 },
		      { Call::mutex_create, 2 },
		      { Call::mutex_create, 3 } };
	for (const Case &c : cases) {
		SCOPED_TRACE(::testing::Message() << c.call << " #" << c.nth);
		Rig rig(false);
		fake::fail_next(c.call, -ENOMEM, c.nth);
		long ret = 0;
		auto &dev = rig.add({ 0, 9, 0, 0, 0x1A13, 0x0d }, false, &ret);
		EXPECT_EQ(ret, -ENOMEM);
		EXPECT_EQ(dev.pci.refs, 1);
		EXPECT_EQ(fake::held().allocations, rig.baseline().allocations);
		EXPECT_EQ(fake::held().mutexes, 4);
		/* The same location binds fine afterwards. */
		auto &again = rig.add({ 0, 9, 0, 0, 0x1A13, 0x0d }, true, &ret);
		EXPECT_EQ(ret, 0);
		EXPECT_EQ(again.lock_sg(1).ret, 0);
	}
}

TEST(Board, CoreInitFailureIsENOMEMAndLeavesNothing)
{
	for (fake::Call call : { Call::kmalloc, Call::mutex_create }) {
		fake::reset();
		fake::fail_next(call, -ENOMEM);
		EXPECT_EQ(crono_core_init(), -ENOMEM) << call;
		EXPECT_TRUE(fake::clean()) << fake::held();
	}
}

TEST(Board, OpenAllocationFailureIsENOMEMAndLeavesTheBoardUsable)
{
	Rig rig(false);
	auto &dev = rig.dev();
	fake::fail_next(Call::kmalloc, 0);
	EXPECT_EQ(dev.open(), -ENOMEM);
	EXPECT_EQ(fake::held().allocations, rig.baseline().allocations);
	EXPECT_EQ(dev.open(), 0);
	EXPECT_EQ(dev.lock_sg(1).ret, 0);
}

/* ---- release ------------------------------------------------------------- */

TEST_F(Release, CleanupWritesFirstThenUnmapDestroyUnpinUncharge)
{
	auto a = dev.lock_sg(5);
	auto b = dev.lock_sg(7);
	auto c = dev.lock_contig(2 * page);
	ASSERT_EQ(a.ret, 0);
	ASSERT_EQ(b.ret, 0);
	ASSERT_EQ(c.ret, 0);
	ASSERT_EQ(dev.cleanup({ { 0x98, 0 }, { 0x90, 0 }, { 0x04, 0xdead } }),
		  0);
	const long from = long(fake::records().size());
	dev.release();
	expect_teardown_order(from, 3, { &a, &b }, 1);
	/* The writes in program order, with their values. */
	EXPECT_EQ(bar0_writes(),
		  (Writes{ { 0x98, 0 }, { 0x90, 0 }, { 0x04, 0xdead } }));
	EXPECT_EQ(fake::held().pins, 0u);
	EXPECT_EQ(fake::held().charged, 0u);
	EXPECT_EQ(fake::held().sgts, 0);
	EXPECT_EQ(fake::held().coherent, 0);
	EXPECT_EQ(fake::dirtied_pages(), 12u);
	EXPECT_EQ(dev.kfile.zaps, 0) << "nothing was mapped";
	EXPECT_EQ(dev.stats(), Stats{});
}

/* Also the release without a cleanup program. */
TEST_F(Release, UnlockedBuffersAreNotReleasedTwice)
{
	auto a = dev.lock_sg(3);
	auto b = dev.lock_sg(4);
	auto c = dev.lock_contig(page);
	ASSERT_EQ(dev.unlock_sg(a.id()), 0);
	ASSERT_EQ(dev.unlock_contig(c.id()), 0);
	const long from = long(fake::records().size());
	dev.release();
	expect_teardown_order(from, 0, { &b }, 0);
	EXPECT_EQ(fake::held().pins, 0u);
	EXPECT_EQ(fake::count(Event::dma_unmap), 2);
	EXPECT_EQ(fake::count(Event::coherent_free), 1);
}

/* ---- removal ------------------------------------------------------------- */

/* The board stops (bus mastering off, after the flush) before any buffer
 * is released. */
TEST(Removal, CleanupWritesFirstThenEveryBufferIsReleased)
{
	Rig rig;
	auto &dev = rig.dev();
	auto a = dev.lock_sg(6);
	auto b = dev.lock_sg(2);
	ASSERT_EQ(dev.lock_contig(page).ret, 0);
	ASSERT_EQ(dev.lock_contig(3 * page).ret, 0);
	ASSERT_EQ(dev.cleanup({ { 0x98, 0 }, { 0x10, 1 } }), 0);
	const long from = long(fake::records().size());
	dev.remove();
	expect_teardown_order(from, 2, { &a, &b }, 2);
	EXPECT_FALSE(dev.pci.bus_master);
	EXPECT_EQ(fake::held().pins, 0u);
	EXPECT_EQ(fake::held().coherent, 0);
	EXPECT_TRUE(fake::logged("removed while open"));
	EXPECT_EQ(dev.stats(), Stats{});
}

TEST(Removal, AfterRemovalEveryCallIsENODEVAndReleaseStillWorks)
{
	Rig rig;
	auto &dev = rig.dev();
	auto sg = dev.lock_sg(2);
	auto contig = dev.lock_contig(page);
	ASSERT_EQ(dev.cleanup({ { 0x98, 0 } }), 0);
	dev.remove();
	EXPECT_EQ(fake::count(Event::bar0_write), 1);

	EXPECT_EQ(dev.lock_sg(1).ret, -ENODEV);
	EXPECT_EQ(dev.unlock_sg(sg.id()), -ENODEV);
	EXPECT_EQ(dev.cleanup({ { 0x98, 0 } }), -ENODEV);
	EXPECT_EQ(dev.lock_contig(page).ret, -ENODEV);
	EXPECT_EQ(dev.unlock_contig(contig.id()), -ENODEV);
	EXPECT_EQ(dev.ioctl(0x1234, 0), -ENODEV) << "even an unknown request";
	EXPECT_EQ(dev.ioctl(IOCTL_CRONO_LOCK_BUFFER, 0), -ENODEV);
	EXPECT_EQ(dev.mmap(contig.id(), page), -ENODEV);
	EXPECT_EQ(dev.open_again(), -ENODEV);

	dev.release();
	EXPECT_EQ(fake::count(Event::bar0_write), 1)
		<< "the device is gone: release writes nothing";
	EXPECT_EQ(fake::count(Event::dma_unmap), 1) << "nothing released twice";
	EXPECT_EQ(fake::count(Event::sgt_unpin), 1);
	EXPECT_EQ(fake::count(Event::coherent_free), 1);
}

TEST(Removal, TheBoardLivesUntilTheLastFileIsReleased)
{
	Rig rig;
	auto &dev = rig.dev();
	ASSERT_EQ(dev.lock_sg(1).ret, 0);
	dev.remove();
	dev.put_board(); /* the PCI binding lets go */
	EXPECT_EQ(dev.pci.refs, 1)
		<< "the open file's board still holds the PCI function";
	EXPECT_EQ(dev.ioctl(IOCTL_CRONO_UNLOCK_BUFFER, fake::user_new(0)),
		  -ENODEV);
	dev.release();
	EXPECT_EQ(dev.pci.refs, 0)
		<< "the last board reference puts the PCI function";
}

TEST(Removal, WithoutAnOpenFileTheBoardGoesAtPut)
{
	Rig rig(false);
	auto &dev = rig.dev();
	dev.remove();
	EXPECT_EQ(dev.pci.refs, 2) << "the glue's and the board's";
	dev.put_board();
	EXPECT_EQ(dev.pci.refs, 0);
	EXPECT_EQ(fake::count(Event::bar0_write), 0);
}

TEST(Removal, ZapsAndFreesMappedContiguousMemory)
{
	Rig rig;
	auto &dev = rig.dev();
	auto a = dev.lock_contig(2 * page);
	ASSERT_EQ(dev.lock_contig(page).ret, 0); /* stays locked */
	auto c = dev.lock_contig(page);
	crono_vma *va = dev.map_contig(a.id(), 2 * page);
	crono_vma *va_fork = fake::vma_copy(va);
	crono_vma *vc = dev.map_contig(c.id(), page);
	ASSERT_EQ(dev.unlock_contig(c.id()), 0); /* unlocked, still mapped */
	EXPECT_EQ(fake::held().coherent, 3);
	ASSERT_EQ(dev.cleanup({ { 0x98, 0 } }), 0);

	const long from = long(fake::records().size());
	dev.remove();
	const long zap = fake::first(Event::zap, from);
	ASSERT_GE(zap, 0) << "mapped memory must be zapped";
	const long first_free = fake::first(Event::coherent_free, from);
	EXPECT_LT(zap, first_free) << "zapped before the memory goes";
	expect_teardown_order(from, 1, {}, 3);
	EXPECT_EQ(fake::held().coherent, 0);
	EXPECT_TRUE(va->zapped);
	EXPECT_TRUE(va_fork->zapped);
	EXPECT_TRUE(vc->zapped);
	EXPECT_EQ(dev.stats().coherent_bytes, 0u);
	EXPECT_EQ(dev.stats().locked_buffers, 0u);

	/* The vmas close later (munmap or exit): nothing is freed twice. */
	fake::vma_close(va);
	fake::vma_close(vc);
	fake::vma_close(va_fork);
	EXPECT_EQ(fake::count(Event::coherent_free), 3);
	dev.release();
}

/* ---- contiguous buffers and their mappings ------------------------------- */

TEST_F(ContigMapping, MemorySurvivesUnlockWhileMappedAndGoesWithTheLastClose)
{
	auto lock = dev.lock_contig(4 * page);
	crono_vma *vma = dev.map_contig(lock.id(), 4 * page);
	crono_vma *copy = fake::vma_copy(vma); /* fork */

	/* The vendor library unlocks before munmap. */
	ASSERT_EQ(dev.unlock_contig(lock.id()), 0);
	EXPECT_EQ(fake::count(Event::coherent_free), 0);
	EXPECT_EQ(dev.stats().locked_buffers, 0u);
	EXPECT_EQ(dev.stats().coherent_bytes, 4 * page) << "still allocated";
	fake::vma_close(vma);
	EXPECT_EQ(fake::count(Event::coherent_free), 0) << "the fork maps it";
	fake::vma_close(copy);
	EXPECT_EQ(fake::count(Event::coherent_free), 1);
	EXPECT_EQ(dev.stats().coherent_bytes, 0u);
	EXPECT_EQ(fake::held().coherent, 0);
}

TEST_F(ContigMapping, ClosingAMappingOfALockedBufferFreesNothing)
{
	auto lock = dev.lock_contig(page);
	crono_vma *vma = dev.map_contig(lock.id(), page);
	fake::vma_close(vma);
	EXPECT_EQ(fake::held().coherent, 1);
	fake::vma_close(dev.map_contig(lock.id(), page)); /* map, unmap, map */
	ASSERT_EQ(dev.unlock_contig(lock.id()), 0);
	EXPECT_EQ(fake::held().coherent, 0);
}

TEST_F(ContigMapping, AReusedIdMapsTheNewBufferWhileTheOldIsStillMapped)
{
	auto old_lock = dev.lock_contig(page);
	crono_vma *old_vma = dev.map_contig(old_lock.id(), page);
	ASSERT_EQ(dev.unlock_contig(old_lock.id()), 0);

	auto new_lock = dev.lock_contig(2 * page);
	ASSERT_EQ(new_lock.id(), old_lock.id()) << "the id was reused";
	EXPECT_NE(new_lock.out.dma_handle, old_lock.out.dma_handle);
	crono_vma *new_vma = dev.map_contig(new_lock.id(), 2 * page);
	ASSERT_EQ(fake::vma_touch(new_vma, 1), 0);
	EXPECT_EQ(fake::coherent_dma_of(fake::vma_page(new_vma, 1)),
		  new_lock.out.dma_handle);

	fake::vma_close(old_vma);
	EXPECT_EQ(fake::count(Event::coherent_free), 1);
	EXPECT_EQ(rec(fake::first(Event::coherent_free)).a,
		  old_lock.out.dma_handle);
	fake::vma_close(new_vma);
	EXPECT_EQ(fake::held().coherent, 1) << "the new buffer is still locked";
}

TEST_F(ContigMapping, ReleaseFreesUnmappedBuffersWithoutZapping)
{
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(dev.lock_contig((i + 1) * page).ret, 0);
	fake::vma_close(dev.map_contig(0, page));
	dev.release();
	EXPECT_EQ(fake::count(Event::coherent_free), 3);
	EXPECT_EQ(dev.kfile.zaps, 0);
}

/* ---- faults of contiguous mappings against teardown ---------------------- */

TEST_F(ContigFault, TouchedPagesAreZappedBeforeRemovalFreesThem)
{
	auto lock = dev.lock_contig(2 * page);
	crono_vma *vma = dev.map_contig(lock.id(), 2 * page);
	ASSERT_EQ(fake::vma_touch(vma, 0), 0);
	const long from = long(fake::records().size());
	dev.remove();
	const long zap = fake::first(Event::zap, from);
	const long freed = fake::first(Event::coherent_free, from);
	ASSERT_GE(zap, 0);
	EXPECT_LT(zap, freed);
	EXPECT_EQ(fake::vma_page(vma, 0), nullptr);
	/* Every later touch, of a page mapped before or not, is SIGBUS. */
	EXPECT_EQ(fake::vma_touch(vma, 0), -ENODEV);
	EXPECT_EQ(fake::vma_touch(vma, 1), -ENODEV);
	EXPECT_EQ(fake::vma_page(vma, 1), nullptr);
	fake::vma_close(vma);
	dev.release();
}

TEST_F(ContigFault, AMappingMadeBeforeRemovalButNeverTouchedFaultsAfterIt)
{
	/* The race the fault handler closes: a vma the removal could not
	 * zap (mmap had not returned yet) has no page to keep. */
	auto lock = dev.lock_contig(page);
	crono_vma *vma = dev.map_contig(lock.id(), page);
	EXPECT_EQ(fake::count(Event::fault_insert), 0)
		<< "mmap must not map pages";
	dev.remove();
	EXPECT_EQ(fake::vma_touch(vma, 0), -ENODEV);
	EXPECT_EQ(fake::count(Event::fault_insert), 0);
	fake::vma_close(vma);
	dev.release();
}

TEST_F(ContigFault, AForkThatCopiedEntriesAcrossARemovalDropsThem)
{
	/* fork copies the entries of a PFN mapping before ->open: if the
	 * memory went in between, open must zap the child's copy. */
	auto lock = dev.lock_contig(page);
	crono_vma *vma = dev.map_contig(lock.id(), page);
	ASSERT_EQ(fake::vma_touch(vma, 0), 0);
	crono_vma *child = fake::vma_copy(vma, [&] { dev.remove(); });
	EXPECT_EQ(fake::vma_page(child, 0), nullptr)
		<< "the child kept a page of freed memory";
	EXPECT_EQ(fake::vma_touch(child, 0), -ENODEV);
	fake::vma_close(child);
	fake::vma_close(vma);
	dev.release();
}

TEST_F(ContigFault, UnlockedButMappedMemoryStillFaultsIn)
{
	auto lock = dev.lock_contig(2 * page);
	crono_vma *vma = dev.map_contig(lock.id(), 2 * page);
	ASSERT_EQ(dev.unlock_contig(lock.id()), 0);
	EXPECT_EQ(fake::vma_touch(vma, 1), 0);
	fake::vma_close(vma);
	EXPECT_EQ(fake::held().coherent, 0);
}

/* ---- bus mastering ------------------------------------------------------- */

TEST(BusMaster, OnWhileAFileIsOpenOffAfterRelease)
{
	Rig rig(false);
	auto &dev = rig.dev();
	EXPECT_FALSE(dev.pci.bus_master) << "off until the first open";
	ASSERT_EQ(dev.open(), 0);
	EXPECT_TRUE(dev.pci.bus_master);
	ASSERT_EQ(dev.lock_sg(3).ret, 0);
	dev.release();
	EXPECT_FALSE(dev.pci.bus_master);
	ASSERT_EQ(dev.open(), 0);
	EXPECT_TRUE(dev.pci.bus_master) << "on again with the next open";
}

TEST(BusMaster, ASecondOpenThatFailsLeavesItAsItWas)
{
	Rig rig;
	auto &dev = rig.dev();
	const long before = fake::count(Event::bus_master);
	EXPECT_EQ(dev.open_again(), -EBUSY);
	EXPECT_EQ(fake::count(Event::bus_master), before);
	EXPECT_TRUE(dev.pci.bus_master);
}

TEST(Shutdown, ReplaysTheProgramFlushesAndStopsMasteringFreeingNothing)
{
	Rig rig;
	auto &dev = rig.dev();
	ASSERT_EQ(dev.lock_sg(3).ret, 0);
	ASSERT_EQ(dev.lock_contig(page).ret, 0);
	ASSERT_EQ(dev.cleanup({ { 0x98, 0 } }), 0);
	const long from = long(fake::records().size());
	dev.shutdown();
	const long write = fake::first(Event::bar0_write, from);
	const long flush = fake::first(Event::flush, from);
	const long off = fake::first(Event::bus_master, from);
	ASSERT_GE(write, 0);
	EXPECT_LT(write, flush);
	EXPECT_LT(flush, off);
	EXPECT_EQ(rec(off).a, 0u);
	EXPECT_FALSE(dev.pci.bus_master);
	for (Event e : { Event::dma_unmap, Event::sgt_unpin, Event::unpin,
			 Event::coherent_free })
		EXPECT_EQ(fake::first(e, from), -1) << e << " at shutdown";
	/* The program is kept: release replays it once more. */
	const long release_from = long(fake::records().size());
	dev.release();
	EXPECT_GE(fake::first(Event::bar0_write, release_from), 0);
}

TEST(Shutdown, WithoutAnOpenFileStopsMasteringOnly)
{
	Rig rig(false);
	auto &dev = rig.dev();
	dev.shutdown();
	EXPECT_EQ(fake::count(Event::bar0_write), 0);
	EXPECT_FALSE(dev.pci.bus_master);
}

/* ---- requests never hold a lock across user memory ----------------------- */

TEST_F(StalledUserMemory, OpenIsBusyAndRemovalCompletesWhileALockWaits)
{
	/* The page-table destination faults and stalls (userfaultfd, FUSE):
	 * meanwhile a second open answers EBUSY and removal goes through,
	 * and the stalled lock then fails with ENODEV, holding nothing. */
	bool stalled = false;
	long second_open = 0;
	fake::on_user_access("pin of a user window", [&] {
		stalled = true;
		second_open = dev.open_again();
		dev.remove();
	});
	auto lock = dev.lock_sg(8);
	ASSERT_TRUE(stalled);
	EXPECT_EQ(second_open, -EBUSY);
	EXPECT_EQ(lock.ret, -ENODEV);
	EXPECT_EQ(fake::held().pins, 0u);
	EXPECT_EQ(fake::held().windows, 0);
	EXPECT_EQ(fake::held().mapped, 0);
	EXPECT_TRUE(fake::held().violations.empty()) << fake::held();
	dev.release();
}

TEST_F(StalledUserMemory, ContigLockWaitingOnItsArgumentDoesNotBlockOpen)
{
	long second_open = 0;
	fake::on_user_access("pin of a user window",
			     [&] { second_open = dev.open_again(); });
	auto lock = dev.lock_contig(page);
	EXPECT_EQ(lock.ret, 0);
	EXPECT_EQ(second_open, -EBUSY);
}

/* ---- a killed task stops a long lock ------------------------------------- */

TEST_F(FatalSignal, StopsALockBetweenPinBatchesReleasingEverything)
{
	fake::set_pin_max_per_call(400);
	fake::kill_at_signal_check(2); /* after the first batch */
	auto lock = dev.lock_sg(1100);
	EXPECT_EQ(lock.ret, -EINTR);
	EXPECT_EQ(fake::count(Event::pin), 1) << "no batch after the kill";
	EXPECT_EQ(fake::held().pins, 0u);
	EXPECT_EQ(fake::held().charged, 0u);
	rig.expect_at_baseline("after the killed lock");
}
