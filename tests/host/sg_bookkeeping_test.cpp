// SPDX-License-Identifier: GPL-2.0
/*
 * What a locked S/G buffer keeps: its pins known only through its sg table
 * (no page array), released per table after the DMA unmap, and the
 * bookkeeping_bytes counter, which must equal exactly the kernel memory the
 * lock left allocated (the fake's own account) and fall to zero on release.
 */
#include <gtest/gtest.h>

#include "driver_limits.h"
#include "harness.h"

using namespace host;

using SgBookkeeping = RigTest;

TEST_F(SgBookkeeping, IsExactlyWhatTheLockLeftAllocated)
{
	const u64 before = fake::held_bytes();
	auto lock = dev.lock_sg(1100);
	ASSERT_EQ(lock.ret, 0);
	const u64 kept = fake::held_bytes() - before;
	EXPECT_EQ(dev.stats().bookkeeping_bytes, kept);
	/* The object, its charge and a one-segment table: far less than a
	 * page array of 1100 pointers. */
	EXPECT_LT(kept, 1100u * 8);
	ASSERT_EQ(dev.unlock_sg(lock.id()), 0);
	EXPECT_EQ(dev.stats().bookkeeping_bytes, 0u);
	EXPECT_EQ(fake::held_bytes(), before);
}

TEST_F(SgBookkeeping, GrowsWithAFragmentedBufferByTheTableSize)
{
	auto contiguous = dev.lock_sg(1000);
	ASSERT_EQ(contiguous.ret, 0);
	const u64 one = dev.stats().bookkeeping_bytes;
	fake::set_scattered_pages(true);
	const u64 before = fake::held_bytes();
	auto scattered = dev.lock_sg(1000);
	ASSERT_EQ(scattered.ret, 0);
	const u64 both = dev.stats().bookkeeping_bytes;
	EXPECT_EQ(both - one, fake::held_bytes() - before);
	EXPECT_EQ(both - one - one, fake::sgt_bytes(1000) - fake::sgt_bytes(1))
		<< "the two buffers differ by their tables only";
	ASSERT_EQ(dev.unlock_sg(scattered.id()), 0);
	EXPECT_EQ(dev.stats().bookkeeping_bytes, one);
	dev.release();
	EXPECT_EQ(dev.stats().bookkeeping_bytes, 0u) << "released at close";
}

TEST_F(SgBookkeeping, UnlockUnpinsThroughTheTableAfterTheUnmapDirty)
{
	fake::set_scattered_pages(true);
	fake::set_pin_max_per_call(300);
	auto lock = dev.lock_sg(1100);
	ASSERT_EQ(lock.ret, 0);
	const long from = long(fake::records().size());
	ASSERT_EQ(dev.unlock_sg(lock.id()), 0);
	expect_sg_release_order(from, lock);
	EXPECT_EQ(fake::count(Event::sgt_unpin, from), 1);
	EXPECT_EQ(fake::count(Event::unpin, from), 0) << "no page array";
	EXPECT_EQ(fake::held().pins, 0u) << "pins balanced";
	EXPECT_EQ(fake::dirtied_pages(), 1100u) << "every page dirtied";
}

TEST_F(SgBookkeeping, KilledAfterABatchReleasesTheTableAndItsPins)
{
	fake::set_pin_max_per_call(400);
	fake::kill_at_signal_check(3); /* after two batches were appended */
	auto lock = dev.lock_sg(1100);
	EXPECT_EQ(lock.ret, -EINTR);
	EXPECT_EQ(fake::count(Event::sgt_append), 2);
	EXPECT_EQ(fake::count(Event::sgt_unpin), 1);
	EXPECT_EQ(fake::dirtied_pages(), 800u);
	EXPECT_EQ(dev.stats(), Stats{});
	rig.expect_at_baseline("after the killed lock");
}

TEST_F(SgBookkeeping, AFailedAppendUnpinsTheBatchInHandAndTheTable)
{
	fake::set_pin_max_per_call(400);
	fake::fail_next(Call::sgt_append, -ENOMEM, 2);
	auto lock = dev.lock_sg(1100);
	EXPECT_EQ(lock.ret, -ENOMEM);
	const long batch = fake::first(Event::unpin);
	const long table = fake::first(Event::sgt_unpin);
	ASSERT_GE(batch, 0) << "the batch in hand was not unpinned";
	ASSERT_GE(table, 0) << "the table's pages were not unpinned";
	EXPECT_LT(batch, table) << "the batch goes first, then the table";
	EXPECT_EQ(fake::records()[size_t(batch)].b, 400u);
	EXPECT_EQ(fake::dirtied_pages(), 800u);
	rig.expect_at_baseline("after the failed append");
}
