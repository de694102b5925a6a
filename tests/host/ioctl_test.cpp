// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl handlers end to end through the C entry points, with the fake
 * glue underneath: every input and errno of docs/abi.md (Requests, mmap).
 */
#include <gtest/gtest.h>

#include <cstring>

#include "driver_limits.h"
#include "harness.h"
#include "page_table_util.h"

using namespace host;

using Open = RigTest;
using Ioctl = RigTest;
using LockBuffer = RigTest;
using Unlock = RigTest;
using CleanupSetup = RigTest;
using LockContig = RigTest;
using Mmap = RigTest;

/* ---- open ---------------------------------------------------------------- */

TEST_F(Open, SecondOpenIsBusyUntilTheFirstIsReleased)
{
	EXPECT_EQ(dev.open_again(), -EBUSY);
	dev.release();
	EXPECT_EQ(dev.open(), 0);
	EXPECT_NE(dev.file, nullptr);
}

TEST_F(Open, EachBoardHasItsOwnExclusiveOpen)
{
	long ret = 0;
	auto &b = rig.add({ 0, 4, 0, 0, 0x1A13, 0x08 }, true, &ret);
	EXPECT_EQ(ret, 0);
	EXPECT_STREQ(b.name, "crono_08_0004000");
	EXPECT_STREQ(rig.dev().name, "crono_06_0003000");
}

/* ---- dispatch ------------------------------------------------------------ */

TEST_F(Ioctl, UnknownRequestIsENOTTY)
{
	const u64 arg = fake::user_map(page);
	for (u32 request : { 0u, 0xC0086305u /* reserved: 2 MiB pages */,
			     0xC0286300u /* LOCK_BUFFER with the real size */,
			     0x40086300u /* LOCK_BUFFER, write-only */,
			     0xC0086400u /* another magic */, 0xC0086306u,
			     0xC0086310u, 0xffffffffu })
		EXPECT_EQ(dev.ioctl(request, arg), -ENOTTY)
			<< std::hex << request;
	rig.expect_at_baseline("after unknown requests");
}

TEST_F(Ioctl, UnreadableArgumentPointerIsEFAULT)
{
	const u64 unmapped = fake::user_map(page);
	fake::user_unmap(unmapped);
	const u64 write_only = fake::user_map(page, fake::prot_write);
	for (u32 request :
	     { IOCTL_CRONO_LOCK_BUFFER, IOCTL_CRONO_UNLOCK_BUFFER,
	       IOCTL_CRONO_CLEANUP_SETUP, IOCTL_CRONO_LOCK_CONTIG_BUFFER,
	       IOCTL_CRONO_UNLOCK_CONTIG_BUFFER }) {
		EXPECT_EQ(dev.ioctl(request, 0), -EFAULT)
			<< std::hex << request;
		EXPECT_EQ(dev.ioctl(request, unmapped), -EFAULT)
			<< std::hex << request;
		EXPECT_EQ(dev.ioctl(request, write_only), -EFAULT)
			<< std::hex << request;
	}
	/* A struct that straddles the end of the mapping. */
	const u64 tail = fake::user_map(page);
	EXPECT_EQ(dev.ioctl(IOCTL_CRONO_LOCK_BUFFER, tail + page - 8), -EFAULT);
	rig.expect_at_baseline("after unreadable arguments");
}

/* ---- LOCK_BUFFER --------------------------------------------------------- */

TEST_F(LockBuffer, CopiesBackTheStructWithOnlyTheIdSet)
{
	auto lock = dev.lock_sg(8);
	ASSERT_EQ(lock.ret, 0);
	EXPECT_EQ(lock.out.id, 0);
	CRONO_SG_BUFFER_INFO expected = lock.in;
	expected.id = 0;
	EXPECT_EQ(std::memcmp(&lock.out, &expected, sizeof(expected)), 0)
		<< "addr, size, pages, upages and pages_count must come back "
		   "unchanged";
	EXPECT_EQ(dev.read_table(lock),
		  reference_table(fake::last_mapped_segments(), 8));
}

TEST_F(LockBuffer, PinsChargesMapsAndCounts)
{
	const u64 bytes_before = fake::held_bytes();
	auto lock = dev.lock_sg(20);
	ASSERT_EQ(lock.ret, 0);
	EXPECT_EQ(fake::held().pins, 20u);
	EXPECT_EQ(fake::held().charged, 20u);
	EXPECT_EQ(fake::held().mapped, 1);
	for (u64 i = 0; i < 20; i++)
		EXPECT_TRUE(fake::page_pinned(lock.addr + i * page)) << i;
	/* Bookkeeping: exactly what the lock left allocated. */
	EXPECT_EQ(dev.stats(), (Stats{ 1, 20 * page, 0, 0,
				       fake::held_bytes() - bytes_before }));
	/* Charge before pin, pin before the table, map before the table
	 * is written. */
	EXPECT_LT(fake::first(Event::memlock_charge), fake::first(Event::pin));
	EXPECT_LT(fake::first(Event::sgt_create), fake::first(Event::pin));
	EXPECT_LT(fake::first(Event::pin), fake::first(Event::sgt_append));
	EXPECT_LT(fake::last(Event::sgt_append), fake::first(Event::dma_map));
	EXPECT_LT(fake::first(Event::dma_map), fake::first(Event::user_write));
}

TEST_F(LockBuffer, IdsCountUpPerFile)
{
	for (int i = 0; i < 5; i++)
		EXPECT_EQ(dev.lock_sg(1).out.id, i);
	EXPECT_EQ(dev.stats().locked_buffers, 5u);
}

TEST_F(LockBuffer, PinsInBatchesOfAPageOfPointersAppendingEach)
{
	ASSERT_EQ(crono::limits::pin_batch_pages, 512u);
	auto lock = dev.lock_sg(512 * 2 + 3);
	ASSERT_EQ(lock.ret, 0);
	const auto pins = fake::indexes_of(Event::pin);
	const auto appends = fake::indexes_of(Event::sgt_append);
	ASSERT_EQ(pins.size(), 3u);
	ASSERT_EQ(appends.size(), 3u);
	EXPECT_EQ(fake::records()[pins[0]].b, 512u);
	EXPECT_EQ(fake::records()[pins[1]].a, lock.addr + 512 * page);
	EXPECT_EQ(fake::records()[pins[2]].b, 3u);
	for (size_t i = 0; i < 3; i++) {
		EXPECT_LT(pins[i], appends[i]) << "batch " << i;
		EXPECT_EQ(fake::records()[appends[i]].b,
			  fake::records()[pins[i]].a)
			<< "batch " << i << " appended as pinned";
	}
	EXPECT_EQ(fake::count(Event::unpin), 0) << "the table took them all";
	/* Adjacent pages merged across the batches: one segment. */
	EXPECT_EQ(fake::sgt_segments(fake::records()[appends[0]].a), 1u);
	EXPECT_EQ(dev.read_table(lock),
		  reference_table(fake::last_mapped_segments(), 512 * 2 + 3));
}

TEST_F(LockBuffer, ShortPinsAreContinuedWhereTheyStopped)
{
	fake::set_pin_max_per_call(7);
	auto lock = dev.lock_sg(30);
	ASSERT_EQ(lock.ret, 0);
	EXPECT_EQ(fake::count(Event::pin), 5);
	EXPECT_EQ(fake::held().pins, 30u);
	for (u64 i = 0; i < 30; i++)
		EXPECT_TRUE(fake::page_pinned(lock.addr + i * page)) << i;
}

TEST_F(LockBuffer, SizeNotAPageMultipleCoversThePartialPage)
{
	const u64 buf = fake::user_map(4 * page, fake::prot_rw, false);
	const u64 table = fake::user_map(4 * 8);
	auto lock = dev.lock_sg(buf, 3 * page + 100, table, 4);
	ASSERT_EQ(lock.ret, 0);
	EXPECT_EQ(fake::held().pins, 4u);
	EXPECT_EQ(fake::held().charged, 4u);
	EXPECT_EQ(dev.read_table(lock),
		  reference_table(fake::last_mapped_segments(), 4));
	EXPECT_EQ(dev.stats().pinned_bytes, 4 * page);
}

TEST_F(LockBuffer, KernelPagesLargerThanTheDevicePage)
{
	/* 16 KiB kernel pages: 5 device pages are 2 kernel pages, and the
	 * table still has one entry per 4 KiB. */
	fake::set_kernel_page_size(16384);
	dev.pci.max_segment = 0xFFFFFFFFu & ~16383u; /* as the glue masks it */
	const u64 buf = fake::user_map(2 * 16384, fake::prot_rw, false);
	const u64 table = fake::user_map(5 * 8);
	fake::set_layout(fake::fixed_layout(
		{ { 0x400000, 16384 }, { 0x100000, 16384 } }));
	auto lock = dev.lock_sg(buf, 5 * page, table, 5);
	ASSERT_EQ(lock.ret, 0);
	EXPECT_EQ(fake::held().pins, 2u);
	EXPECT_EQ(fake::held().charged, 2u);
	EXPECT_EQ(dev.read_table(lock),
		  (std::vector<u64>{ 0x400000, 0x401000, 0x402000, 0x403000,
				     0x100000 }));
	EXPECT_EQ(dev.stats().pinned_bytes, 2 * 16384u);
	/* 4 KiB alignment is not enough for a 16 KiB kernel page. */
	EXPECT_EQ(dev.lock_sg(buf + page, page, table, 1).ret, -EINVAL);
	ASSERT_EQ(dev.unlock_sg(lock.id()), 0);
	/* Contiguous buffers round up to whole kernel pages. */
	auto contig = dev.lock_contig(page);
	ASSERT_EQ(contig.ret, 0);
	EXPECT_EQ(dev.stats().coherent_bytes, 16384u);
}

TEST_F(LockBuffer, BadInputIsEINVALAndTouchesNothing)
{
	const u64 buf = fake::user_map(16 * page, fake::prot_rw, false);
	const u64 table = fake::user_map(16 * 8);
	struct Case {
		const char *what;
		u64 addr, size;
		u32 count;
	} cases[] = {
		{ "addr 0", 0, 16 * page, 16 },
		{ "addr not page-aligned", buf + 8, 15 * page, 15 },
		{ "addr half a page in", buf + 2048, 15 * page, 15 },
		{ "size 0", buf, 0, 0 },
		{ "size 0, count 1", buf, 0, 1 },
		{ "pages_count one too few", buf, 16 * page, 15 },
		{ "pages_count one too many", buf, 16 * page, 17 },
		{ "pages_count for a rounded-down size", buf, 15 * page + 1,
		  15 },
		{ "wraps around", ~0ull - page + 1, 2 * page, 2 },
	};
	const unsigned kmallocs = fake::calls(Call::kmalloc);
	for (const Case &c : cases) {
		auto lock = dev.lock_sg(c.addr, c.size, table, c.count);
		EXPECT_EQ(lock.ret, -EINVAL) << c.what;
		EXPECT_EQ(lock.out.id, -77)
			<< c.what << ": struct written back";
	}
	EXPECT_EQ(fake::calls(Call::pin), 0u);
	EXPECT_EQ(fake::calls(Call::memlock_charge), 0u);
	EXPECT_EQ(fake::calls(Call::kmalloc), kmallocs)
		<< "validation runs before anything is allocated";
	rig.expect_at_baseline("after bad input");
	/* No id was used up. */
	EXPECT_EQ(dev.lock_sg(1).out.id, 0);
}

TEST_F(LockBuffer, MoreThanTheDriverLimitIsENOMEM)
{
	const u64 size = crono::limits::max_sg_buffer_bytes + page;
	const u64 buf = fake::user_map(page, fake::prot_rw, false);
	auto lock = dev.lock_sg(buf, size, fake::user_map(8), u32(size / page));
	EXPECT_EQ(lock.ret, -ENOMEM);
	EXPECT_EQ(fake::calls(Call::sgt_alloc), 0u);
	rig.expect_at_baseline("after the oversized lock");
}

TEST_F(LockBuffer, OverRlimitMemlockIsENOMEMAndNothingPinned)
{
	fake::set_memlock_limit(10);
	auto over = dev.lock_sg(11);
	EXPECT_EQ(over.ret, -ENOMEM);
	EXPECT_EQ(fake::calls(Call::pin), 0u) << "charged before pinning";
	rig.expect_at_baseline("after the refused charge");
	auto fits = dev.lock_sg(10);
	EXPECT_EQ(fits.ret, 0);
	EXPECT_EQ(dev.lock_sg(1).ret, -ENOMEM) << "the limit is a total";
	EXPECT_EQ(dev.unlock_sg(fits.id()), 0);
	EXPECT_EQ(fake::held().charged, 0u);
	EXPECT_EQ(dev.lock_sg(10).ret, 0) << "unlock returned the charge";
}

TEST_F(LockBuffer, BufferNotMappedIsEFAULTAndNothingLeftPinned)
{
	/* 8 pages of which only the first 5 exist: the pin stops short,
	 * then fails. */
	const u64 buf = fake::user_map(5 * page, fake::prot_rw, false);
	auto lock = dev.lock_sg(buf, 8 * page, fake::user_map(64), 8);
	EXPECT_EQ(lock.ret, -EFAULT);
	EXPECT_EQ(fake::count(Event::pin), 1);
	EXPECT_EQ(fake::count(Event::sgt_unpin), 1)
		<< "the 5 pages went into the table";
	EXPECT_EQ(fake::dirtied_pages(), 5u);
	rig.expect_at_baseline("after the partly mapped buffer");
}

TEST_F(LockBuffer, BufferReadOnlyIsEFAULT)
{
	const u64 buf = fake::user_map(4 * page, fake::prot_read, false);
	EXPECT_EQ(dev.lock_sg(buf, 4 * page, fake::user_map(32), 4).ret,
		  -EFAULT);
	rig.expect_at_baseline("after the read-only buffer");
}

TEST_F(LockBuffer, PageTableNotWritableIsEFAULTAndNothingLeftPinned)
{
	const u64 buf = fake::user_map(4 * page, fake::prot_rw, false);
	const u64 ro_table = fake::user_map(32, fake::prot_read);
	EXPECT_EQ(dev.lock_sg(buf, 4 * page, ro_table, 4).ret, -EFAULT);
	rig.expect_at_baseline("after the read-only table");
	/* A table shorter than pages_count entries. */
	const u64 short_table = fake::user_map(page);
	const u64 big = fake::user_map(600 * page, fake::prot_rw, false);
	EXPECT_EQ(dev.lock_sg(big, 600 * page, short_table, 600).ret, -EFAULT);
	rig.expect_at_baseline("after the short table");
	/* Table address 0. */
	EXPECT_EQ(dev.lock_sg(buf, 4 * page, 0, 4).ret, -EFAULT);
	rig.expect_at_baseline("after table address 0");
}

TEST_F(LockBuffer, StructNotWritableIsEFAULTAndTheBufferIsReleased)
{
	CRONO_SG_BUFFER_INFO info{};
	info.addr = fake::user_map(4 * page, fake::prot_rw, false);
	info.size = 4 * page;
	info.upages = fake::user_map(32);
	info.pages_count = 4;
	const u64 ro = fake::user_new(info, fake::prot_read);
	EXPECT_EQ(dev.ioctl(IOCTL_CRONO_LOCK_BUFFER, ro), -EFAULT);
	rig.expect_at_baseline("after the read-only struct");
	EXPECT_EQ(dev.lock_sg(1).out.id, 0) << "the id was given back";
}

TEST_F(LockBuffer, ForcedSwiotlbIsEOPNOTSUPPWithAReasonAndPinsNothing)
{
	dev.pci.always_bounces = true;
	EXPECT_EQ(dev.lock_sg(4).ret, -EOPNOTSUPP);
	EXPECT_EQ(fake::calls(Call::pin), 0u);
	EXPECT_EQ(fake::calls(Call::memlock_charge), 0u);
	EXPECT_TRUE(fake::logged("swiotlb")) << "the log must say why";
	rig.expect_at_baseline("after the refused lock");
	/* Contiguous buffers do not bounce: still served. */
	EXPECT_EQ(dev.lock_contig(page).ret, 0);
}

TEST_F(LockBuffer, BouncedMappingIsEOPNOTSUPPAndUnmapped)
{
	dev.pci.bounces = true;
	auto lock = dev.lock_sg(4);
	EXPECT_EQ(lock.ret, -EOPNOTSUPP);
	EXPECT_TRUE(fake::logged("bounce"));
	EXPECT_EQ(fake::count(Event::dma_map), 1);
	EXPECT_EQ(fake::count(Event::user_write), 0)
		<< "no entry of a bounced mapping reaches the table";
	EXPECT_EQ(fake::count(Event::dma_unmap), 1);
	expect_sg_release_order(0, lock);
	rig.expect_at_baseline("after the bounced mapping");
}

TEST_F(LockBuffer, FailedDmaMappingIsAnErrorNeverASuccess)
{
	fake::fail_next(Call::dma_map, -ENOMEM);
	auto lock = dev.lock_sg(4);
	EXPECT_EQ(lock.ret, -ENOMEM);
	EXPECT_EQ(dev.read_table(lock), std::vector<u64>(4, unwritten));
	EXPECT_TRUE(fake::logged("DMA mapping"));
	rig.expect_at_baseline("after the failed mapping");
}

TEST_F(LockBuffer, TheSameUserPagesCanBeLockedTwice)
{
	auto a = dev.lock_sg(4);
	ASSERT_EQ(a.ret, 0);
	auto b = dev.lock_sg(a.addr, a.size, fake::user_map(32), 4);
	ASSERT_EQ(b.ret, 0);
	EXPECT_EQ(fake::held().pins, 8u);
	EXPECT_EQ(dev.unlock_sg(a.id()), 0);
	EXPECT_EQ(fake::held().pins, 4u);
	EXPECT_TRUE(fake::page_pinned(a.addr));
}

/* ---- UNLOCK_BUFFER / UNLOCK_CONTIG_BUFFER -------------------------------- */

TEST_F(Unlock, UnlockBufferReleasesInOrderAndRunsNoCleanup)
{
	auto lock = dev.lock_sg(12);
	ASSERT_EQ(lock.ret, 0);
	auto contig = dev.lock_contig(page);
	ASSERT_EQ(contig.ret, 0);
	ASSERT_EQ(dev.cleanup({ { 0x04, 1 } }), 0);
	const long before = long(fake::records().size());
	EXPECT_EQ(dev.unlock_sg(lock.id()), 0);
	EXPECT_EQ(dev.unlock_contig(contig.id()), 0);
	EXPECT_EQ(fake::count(Event::coherent_free), 1);
	EXPECT_EQ(fake::count(Event::bar0_write), 0)
		<< "the cleanup program is for release and removal only";
	expect_sg_release_order(before, lock);
	EXPECT_EQ(fake::dirtied_pages(), 12u) << "unpinned dirty";
	EXPECT_EQ(dev.stats(), Stats{});
	rig.expect_at_baseline("after unlock");
}

TEST_F(Unlock, UnknownIdIsEINVAL)
{
	for (int id : { 0, 1, -1, 4095, 4096, 0x7fffffff }) {
		EXPECT_EQ(dev.unlock_sg(id), -EINVAL) << id;
		EXPECT_EQ(dev.unlock_contig(id), -EINVAL) << id;
	}
	auto lock = dev.lock_sg(1);
	EXPECT_EQ(dev.unlock_sg(lock.id() + 1), -EINVAL);
	EXPECT_EQ(fake::held().pins, 1u);
}

TEST_F(Unlock, DoubleUnlockIsEINVAL)
{
	auto sg = dev.lock_sg(2);
	auto contig = dev.lock_contig(page);
	EXPECT_EQ(dev.unlock_sg(sg.id()), 0);
	EXPECT_EQ(dev.unlock_sg(sg.id()), -EINVAL);
	EXPECT_EQ(dev.unlock_contig(contig.id()), 0);
	EXPECT_EQ(dev.unlock_contig(contig.id()), -EINVAL);
	rig.expect_at_baseline("after the unlocks");
}

TEST_F(Unlock, TheOtherKindsIdIsEINVAL)
{
	auto sg = dev.lock_sg(2);
	auto contig = dev.lock_contig(page);
	ASSERT_EQ(sg.id(), 0);
	ASSERT_EQ(contig.id(), 1);
	EXPECT_EQ(dev.unlock_contig(sg.id()), -EINVAL);
	EXPECT_EQ(dev.unlock_sg(contig.id()), -EINVAL);
	EXPECT_EQ(fake::held().pins, 2u);
	EXPECT_EQ(fake::held().coherent, 1);
}

TEST_F(Unlock, IdsAreSharedByBothKindsAndReusedLowestFirst)
{
	EXPECT_EQ(dev.lock_sg(1).id(), 0);
	EXPECT_EQ(dev.lock_contig(page).id(), 1);
	EXPECT_EQ(dev.lock_sg(1).id(), 2);
	EXPECT_EQ(dev.unlock_sg(0), 0);
	EXPECT_EQ(dev.lock_contig(page).id(), 0);
	EXPECT_EQ(dev.unlock_contig(1), 0);
	EXPECT_EQ(dev.lock_sg(1).id(), 1);
}

TEST_F(Unlock, AFileCannotUnlockAnotherBoardsBuffers)
{
	auto &a = rig.dev();
	long ret = 0;
	auto &b = rig.add({ 0, 5, 0, 0, 0x1A13, 0x0c }, true, &ret);
	ASSERT_EQ(ret, 0);
	auto a_sg = a.lock_sg(3);
	auto a_contig = a.lock_contig(page);
	ASSERT_EQ(a_sg.id(), 0);
	ASSERT_EQ(a_contig.id(), 1);
	/* b owns no buffer: a's ids mean nothing to it. */
	EXPECT_EQ(b.unlock_sg(0), -EINVAL);
	EXPECT_EQ(b.unlock_contig(1), -EINVAL);
	EXPECT_EQ(fake::held().pins, 3u);
	EXPECT_EQ(a.stats().locked_buffers, 2u);
	/* b's own id 0 is its own buffer. */
	auto b_sg = b.lock_sg(2);
	ASSERT_EQ(b_sg.id(), 0);
	EXPECT_EQ(b.unlock_sg(0), 0);
	EXPECT_TRUE(fake::page_pinned(a_sg.addr)) << "a's buffer 0 untouched";
	EXPECT_EQ(a.stats().locked_buffers, 2u);
	EXPECT_EQ(b.stats().locked_buffers, 0u);
	/* b cannot map a's contiguous buffer either. */
	EXPECT_EQ(b.mmap(1, page), -EINVAL);
	/* Releasing b leaves a's buffers alone. */
	b.release();
	EXPECT_EQ(fake::held().pins, 3u);
	EXPECT_EQ(fake::held().coherent, 1);
	EXPECT_EQ(fake::count(Event::bar0_write), 0);
}

/* ---- CLEANUP_SETUP ------------------------------------------------------- */

TEST_F(CleanupSetup, ValidProgramsAreAccepted)
{
	dev.pci.bar0_len = 0x100;
	EXPECT_EQ(dev.cleanup({ { 0x00, 1 }, { 0xfc, 2 } }), 0)
		<< "exactly at the end";
	std::vector<CRONO_KERNEL_CMD> sixteen;
	for (u32 i = 0; i < 16; i++)
		sixteen.push_back({ i * 4, i });
	EXPECT_EQ(dev.cleanup(sixteen), 0);
	EXPECT_EQ(dev.cleanup({}), 0) << "an empty program";
	EXPECT_EQ(dev.cleanup(0, 0), 0) << "count 0 reads nothing";
	EXPECT_EQ(fake::count(Event::bar0_write), 0) << "stored, not run";
}

TEST_F(CleanupSetup, InvalidProgramsAreEINVAL)
{
	dev.pci.bar0_len = 0x100;
	std::vector<CRONO_KERNEL_CMD> seventeen(17, CRONO_KERNEL_CMD{ 0, 0 });
	EXPECT_EQ(dev.cleanup(seventeen), -EINVAL);
	EXPECT_EQ(dev.cleanup(fake::user_map(page), 0xffffffffu), -EINVAL);
	EXPECT_EQ(dev.cleanup({ { 0x02, 1 } }), -EINVAL) << "unaligned";
	EXPECT_EQ(dev.cleanup({ { 0x00, 1 }, { 0x101, 1 } }), -EINVAL);
	EXPECT_EQ(dev.cleanup({ { 0x100, 1 } }), -EINVAL) << "one past the end";
	EXPECT_EQ(dev.cleanup({ { 0xfffffffc, 1 } }), -EINVAL);
	dev.pci.bar0_len = 0; /* BAR0 not MMIO */
	EXPECT_EQ(dev.cleanup({ { 0x0, 1 } }), -EINVAL);
}

TEST_F(CleanupSetup, UnreadableCommandsAreEFAULT)
{
	EXPECT_EQ(dev.cleanup(0, 1), -EFAULT);
	const u64 one = fake::user_map(8);
	/* Two commands of which the second lies in the unmapped guard page
	 * after the range. */
	EXPECT_EQ(dev.cleanup(one + page - 8, 2), -EFAULT);
	const u64 wo = fake::user_map(page, fake::prot_write);
	EXPECT_EQ(dev.cleanup(wo, 1), -EFAULT);
}

TEST_F(CleanupSetup, ARejectedProgramKeepsThePreviousOne)
{
	dev.pci.bar0_len = 0x1000;
	ASSERT_EQ(dev.cleanup({ { 0x98, 0 }, { 0x04, 0x1234 } }), 0);
	std::vector<CRONO_KERNEL_CMD> seventeen(17, CRONO_KERNEL_CMD{ 0, 0 });
	EXPECT_EQ(dev.cleanup(seventeen), -EINVAL);
	EXPECT_EQ(dev.cleanup({ { 0x10, 5 }, { 0x3, 1 } }), -EINVAL);
	EXPECT_EQ(dev.cleanup({ { 0x10, 5 }, { 0x1000, 1 } }), -EINVAL);
	EXPECT_EQ(dev.cleanup(0, 2), -EFAULT);
	fake::fail_next(Call::copy_from_user, -EFAULT, 2);
	EXPECT_EQ(dev.cleanup({ { 0x10, 5 } }), -EFAULT);
	dev.release();
	EXPECT_EQ(bar0_writes(), (Writes{ { 0x98, 0 }, { 0x04, 0x1234 } }));
	EXPECT_EQ(dev.pci.bar0[0x04], 0x1234u);
}

TEST_F(CleanupSetup, AValidProgramReplacesThePreviousOne)
{
	ASSERT_EQ(dev.cleanup({ { 0x98, 0 }, { 0x04, 1 } }), 0);
	ASSERT_EQ(dev.cleanup({ { 0x20, 9 } }), 0);
	dev.release();
	EXPECT_EQ(bar0_writes(), (Writes{ { 0x20, 9 } }));
}

TEST_F(CleanupSetup, AnEmptyProgramClearsThePreviousOne)
{
	ASSERT_EQ(dev.cleanup({ { 0x98, 0 } }), 0);
	ASSERT_EQ(dev.cleanup({}), 0);
	dev.release();
	EXPECT_EQ(fake::count(Event::bar0_write), 0);
}

TEST_F(CleanupSetup, TheProgramRunsOnceOnRelease)
{
	ASSERT_EQ(dev.cleanup({ { 0x98, 0 }, { 0x04, 1 } }), 0);
	dev.release();
	EXPECT_EQ(fake::count(Event::bar0_write), 2);
	ASSERT_EQ(dev.open(), 0);
	dev.release();
	EXPECT_EQ(fake::count(Event::bar0_write), 2)
		<< "a new open starts without a program";
}

/* ---- LOCK_CONTIG_BUFFER -------------------------------------------------- */

TEST_F(LockContig, ReturnsDmaHandleAndIdAndAddrZero)
{
	auto lock = dev.lock_contig(3 * page);
	ASSERT_EQ(lock.ret, 0);
	EXPECT_EQ(lock.out.addr, 0u) << "no kernel address leaves the kernel";
	EXPECT_EQ(lock.out.id, 0);
	EXPECT_EQ(lock.out.size, 3 * page);
	EXPECT_EQ(lock.out.pUserAddr, 0x2222u) << "passed through";
	EXPECT_EQ(lock.out.reserved, 0x4444u);
	const long alloc = fake::first(Event::coherent_alloc);
	ASSERT_GE(alloc, 0);
	EXPECT_EQ(lock.out.dma_handle, fake::records()[alloc].a);
	EXPECT_EQ(fake::records()[alloc].b, 3 * page);
	EXPECT_EQ(dev.stats(), (Stats{ 1, 0, 3 * page, 1, 0 }));
}

TEST_F(LockContig, SizeIsRoundedUpToWholePages)
{
	ASSERT_EQ(dev.lock_contig(5000).ret, 0);
	EXPECT_EQ(fake::records()[fake::first(Event::coherent_alloc)].b,
		  2 * page);
	EXPECT_EQ(dev.stats().coherent_bytes, 2 * page);
}

TEST_F(LockContig, SizeZeroIsEINVALAndOverTheLimitENOMEM)
{
	EXPECT_EQ(dev.lock_contig(0).ret, -EINVAL);
	EXPECT_EQ(
		dev.lock_contig(crono::limits::max_contig_buffer_bytes + 1).ret,
		-ENOMEM);
	EXPECT_EQ(dev.lock_contig(~0ull).ret, -ENOMEM);
	EXPECT_EQ(fake::calls(Call::coherent_alloc), 0u);
	rig.expect_at_baseline("after refused contiguous locks");
}

TEST_F(LockContig, StructNotWritableIsEFAULTAndNothingAllocated)
{
	CRONO_CONTIG_BUFFER_INFO info{};
	info.size = page;
	EXPECT_EQ(dev.ioctl(IOCTL_CRONO_LOCK_CONTIG_BUFFER,
			    fake::user_new(info, fake::prot_read)),
		  -EFAULT);
	EXPECT_EQ(fake::calls(Call::coherent_alloc), 0u)
		<< "the reply is pinned before anything is allocated";
	rig.expect_at_baseline("after the read-only struct");
	EXPECT_EQ(dev.lock_contig(page).id(), 0) << "the id was given back";
}

TEST_F(LockContig, FourThousandNinetySixBuffersThenENOMEM)
{
	for (int i = 0; i < 4096; i++) {
		auto lock = dev.lock_contig(page);
		ASSERT_EQ(lock.ret, 0) << i;
		ASSERT_EQ(lock.id(), i);
	}
	EXPECT_EQ(dev.lock_contig(page).ret, -ENOMEM);
	EXPECT_EQ(dev.lock_sg(1).ret, -ENOMEM)
		<< "ids are per file, both kinds";
	EXPECT_EQ(fake::held().pins, 0u);
	EXPECT_EQ(fake::held().coherent, 4096);
	EXPECT_EQ(dev.unlock_contig(1234), 0);
	EXPECT_EQ(dev.lock_sg(1).id(), 1234);
}

/* A lock that cannot get an id is refused before it charges, pins, maps or
 * allocates: a second mapping of pages already mapped (a retry on a full
 * file) is what DMA-API debug reports as overlapping. */
TEST_F(LockContig, AFullFileRefusesBeforeTouchingMemory)
{
	for (int i = 0; i < 4096; i++)
		ASSERT_EQ(dev.lock_contig(page).ret, 0) << i;
	const auto before = fake::held();
	const unsigned charges = fake::calls(Call::memlock_charge);
	const unsigned coherent = fake::calls(Call::coherent_alloc);
	EXPECT_EQ(dev.lock_sg(1).ret, -ENOMEM);
	EXPECT_EQ(dev.lock_contig(page).ret, -ENOMEM);
	EXPECT_EQ(fake::calls(Call::memlock_charge), charges);
	EXPECT_EQ(fake::calls(Call::pin), 0u);
	EXPECT_EQ(fake::calls(Call::dma_map), 0u);
	EXPECT_EQ(fake::calls(Call::coherent_alloc), coherent);
	EXPECT_EQ(fake::held(), before);
}

TEST_F(LockContig, ChargesRlimitMemlockUntilTheMemoryIsFreed)
{
	auto lock = dev.lock_contig(3 * page);
	ASSERT_EQ(lock.ret, 0);
	EXPECT_EQ(fake::held().charged, 3u);
	crono_vma *vma = dev.map_contig(lock.id(), 3 * page);
	ASSERT_EQ(dev.unlock_contig(lock.id()), 0);
	EXPECT_EQ(fake::held().charged, 3u) << "still mapped, still held";
	fake::vma_close(vma);
	EXPECT_EQ(fake::held().charged, 0u);
	EXPECT_EQ(fake::held().charges, 0);
}

TEST_F(LockContig, OverRlimitMemlockIsENOMEMAndNothingAllocated)
{
	fake::set_memlock_limit(4);
	ASSERT_EQ(dev.lock_contig(3 * page).ret, 0);
	EXPECT_EQ(dev.lock_contig(2 * page).ret, -ENOMEM);
	EXPECT_EQ(fake::calls(Call::coherent_alloc), 1u);
	EXPECT_EQ(dev.stats().coherent_buffers, 1u);
	EXPECT_EQ(dev.lock_contig(page).ret, 0) << "exactly at the limit";
}

TEST_F(LockContig, AFileHoldsAtMostFourGiBCountingUnlockedMappedBuffers)
{
	const u64 gib = 1ull << 30;
	std::vector<s32> ids;
	for (int i = 0; i < 4; i++) {
		auto lock = dev.lock_contig(gib);
		ASSERT_EQ(lock.ret, 0) << i;
		ids.push_back(lock.id());
	}
	EXPECT_EQ(dev.lock_contig(page).ret, -ENOMEM);
	/* Unlocked but mapped: the memory stays, and so does the count. */
	crono_vma *vma = dev.map_contig(ids[0], page);
	ASSERT_EQ(dev.unlock_contig(ids[0]), 0);
	const unsigned allocs = fake::calls(Call::coherent_alloc);
	EXPECT_EQ(dev.lock_contig(page).ret, -ENOMEM);
	EXPECT_EQ(fake::calls(Call::coherent_alloc), allocs)
		<< "refused before allocating";
	EXPECT_EQ(dev.stats().coherent_buffers, 4u);
	EXPECT_EQ(dev.stats().locked_buffers, 3u);
	fake::vma_close(vma);
	EXPECT_EQ(dev.stats().coherent_buffers, 3u);
	EXPECT_EQ(dev.lock_contig(page).ret, 0) << "room after the munmap";
}

TEST_F(LockContig, UnlockedMappedBuffersCountAgainstTheBufferLimit)
{
	const u32 max = crono::limits::max_contig_buffers_per_file;
	for (u32 i = 0; i < max; i++)
		ASSERT_EQ(dev.lock_contig(page).ret, 0) << i;
	crono_vma *vma = dev.map_contig(7, page);
	ASSERT_EQ(dev.unlock_contig(7), 0);
	/* Id 7 is free again, but its memory is still held. */
	EXPECT_EQ(dev.lock_contig(page).ret, -ENOMEM);
	fake::vma_close(vma);
	auto again = dev.lock_contig(page);
	EXPECT_EQ(again.ret, 0);
	EXPECT_EQ(again.id(), 7);
}

/* ---- mmap ---------------------------------------------------------------- */

TEST_F(Mmap, MapsAContiguousBufferAtItsIdOffset)
{
	auto a = dev.lock_contig(2 * page);
	auto b = dev.lock_contig(4 * page);
	crono_vma *vma = dev.map_contig(b.id(), 4 * page);
	EXPECT_EQ(vma->pgoff, 0u) << "the mapping starts at the buffer";
	ASSERT_EQ(fake::vma_touch(vma, 3), 0);
	EXPECT_EQ(fake::coherent_dma_of(fake::vma_page(vma, 3)),
		  b.out.dma_handle);
	crono_vma *part = fake::vma_new(&dev.kfile, a.id(), page);
	ASSERT_EQ(fake::vma_mmap(dev.file, part), 0) << "a prefix is fine";
	ASSERT_EQ(fake::vma_touch(part, 0), 0);
	EXPECT_EQ(fake::coherent_dma_of(fake::vma_page(part, 0)),
		  a.out.dma_handle);
	fake::vma_close(vma);
	fake::vma_close(part);
}

TEST_F(Mmap, OffsetNamingNoBufferOfThisFileIsEINVAL)
{
	auto sg = dev.lock_sg(4);
	auto contig = dev.lock_contig(page);
	for (u64 pgoff : { u64(sg.id()), u64(contig.id()) + 1, u64(4096), ~0ull,
			   u64(1) << 32 | u64(contig.id()) }) {
		EXPECT_EQ(dev.mmap(pgoff, page), -EINVAL) << pgoff;
	}
	EXPECT_EQ(fake::count(Event::vma_setup), 0);
}

TEST_F(Mmap, LongerThanTheBufferIsEINVAL)
{
	auto contig = dev.lock_contig(2 * page);
	EXPECT_EQ(dev.mmap(contig.id(), 3 * page), -EINVAL);
}

TEST_F(Mmap, PrivateMappingIsEINVAL)
{
	auto contig = dev.lock_contig(page);
	EXPECT_EQ(dev.mmap(contig.id(), page, false), -EINVAL);
}

TEST_F(Mmap, UnlockedBufferCannotBeMappedAgain)
{
	auto contig = dev.lock_contig(page);
	ASSERT_EQ(dev.unlock_contig(contig.id()), 0);
	EXPECT_EQ(dev.mmap(contig.id(), page), -EINVAL);
}

TEST_F(Mmap, MapsNothingUntilAFault)
{
	auto contig = dev.lock_contig(2 * page);
	crono_vma *vma = dev.map_contig(contig.id(), 2 * page);
	EXPECT_EQ(fake::vma_page(vma, 0), nullptr);
	EXPECT_EQ(fake::vma_page(vma, 1), nullptr);
	EXPECT_EQ(fake::vma_touch(vma, 1), 0);
	EXPECT_NE(fake::vma_page(vma, 1), nullptr);
	EXPECT_EQ(fake::count(Event::fault_insert), 1);
	EXPECT_EQ(fake::vma_touch(vma, 2), -EFAULT) << "beyond the buffer";
	fake::vma_close(vma);
}
