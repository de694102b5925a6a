// SPDX-License-Identifier: GPL-2.0
/*
 * Every error path of LOCK_BUFFER, LOCK_CONTIG_BUFFER and CLEANUP_SETUP: the
 * fake glue fails one call at a time, and after each failure the ioctl must
 * return the injected (or documented) errno and leave nothing behind: no
 * allocation beyond what existed before, no pin, no charge, no sg table, no
 * DMA mapping, no coherent memory, no id used up.
 *
 * Two layers: named cases for the failure points the ABI talks about, and
 * sweeps that first count every glue call an ioctl makes and then fail each
 * of them in turn, so a new call in the core is covered without a new test.
 */
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "harness.h"

using namespace host;

namespace {

/* The errno a failing call of each kind is made to return, and what the
 * ioctl must then return. */
int injected_errno(Call call)
{
	switch (call) {
	case Call::copy_from_user:
	case Call::window_pin:
		return -EFAULT;
	case Call::memlock_charge:
		return -ENOMEM;
	case Call::pin:
		return -EINTR; /* a fatal signal during the pin */
	case Call::sgt_alloc:
		return -ENOMEM;
	case Call::sgt_append:
		return -E2BIG;
	case Call::dma_map:
		return -EREMOTEIO;
	case Call::fault_insert:
		return -ENOMEM;
	default:
		return 0; /* the call returns NULL or a flag */
	}
}

int expected_errno(Call call)
{
	switch (call) {
	case Call::kmalloc:
	case Call::mutex_create:
	case Call::coherent_alloc:
		return -ENOMEM;
	case Call::sgt_bounced:
	case Call::always_bounces:
		return -EOPNOTSUPP;
	default:
		return injected_errno(call);
	}
}

/* ---- the standard requests ----------------------------------------------- */

/* 1100 pages pinned in batches of at most 400 (3 pin calls, each appended
 * to the sg table), mapped as 18 DMA segments of at most 64 pages, a page
 * table of 3 chunks (512 + 512 + 76 entries), then the struct. */
constexpr u64 sg_pages = 1100;

long lock_standard_sg(Dev &dev)
{
	fake::set_pin_max_per_call(400);
	dev.pci.max_segment = 64 * page;
	auto lock = dev.lock_sg(sg_pages);
	if (lock.ret == 0 && lock.out.id < 0)
		ADD_FAILURE() << "success without an id";
	return lock.ret;
}

long lock_standard_contig(Dev &dev)
{
	return dev.lock_contig(3 * page).ret;
}

long setup_standard_cleanup(Dev &dev)
{
	return dev.cleanup({ { 0x80, 1 }, { 0x84, 2 }, { 0x88, 3 } });
}

/* ---- named failure points ------------------------------------------------ */

struct Point {
	const char *name;
	Call call;
	unsigned nth;
	int err;	  /* injected */
	int expected;	  /* returned by the ioctl */
	long short_pages; /* >= 0: this pin call pins only that many */
};

void PrintTo(const Point &point, std::ostream *out)
{
	*out << point.name;
}

std::string point_name(const ::testing::TestParamInfo<Point> &info)
{
	return info.param.name;
}

using LockBufferFails = RigParamTest<Point>;

TEST_P(LockBufferFails, ReturnsTheErrorAndLeavesNothing)
{
	const Point p = GetParam();
	if (p.short_pages >= 0) {
		/* This pin call stops short; the one after it fails. */
		fake::pin_short_next(p.short_pages, p.nth);
		if (p.short_pages > 0)
			fake::fail_next(Call::pin, p.err, p.nth + 1);
	} else {
		fake::fail_next(p.call, p.err, p.nth);
	}
	EXPECT_EQ(lock_standard_sg(dev), p.expected);
	rig.expect_at_baseline(p.name);
	EXPECT_EQ(dev.stats(), Stats{});
	/* Every pinned page was unpinned (dirty), once. */
	u64 pinned = 0;
	for (long i : fake::indexes_of(Event::pin))
		pinned += fake::records()[size_t(i)].b;
	EXPECT_EQ(fake::dirtied_pages(), pinned);
	/* The id was not used up and the next lock works. */
	auto retry = dev.lock_sg(2);
	EXPECT_EQ(retry.ret, 0);
	EXPECT_EQ(retry.id(), 0);
}

INSTANTIATE_TEST_SUITE_P(
	AtEachGlueCall, LockBufferFails,
	::testing::Values(
		Point{ "CopyInOfTheStruct", Call::copy_from_user, 1, -EFAULT,
		       -EFAULT, -1 },
		Point{ "ForcedSwiotlb", Call::always_bounces, 1, 0, -EOPNOTSUPP,
		       -1 },
		Point{ "MemlockCharge", Call::memlock_charge, 1, -ENOMEM,
		       -ENOMEM, -1 },
		Point{ "SgTableAllocation", Call::sgt_alloc, 1, -ENOMEM,
		       -ENOMEM, -1 },
		Point{ "PinBatchAllocation", Call::kmalloc, 1, 0, -ENOMEM, -1 },
		Point{ "FirstPin", Call::pin, 1, -EINTR, -EINTR, -1 },
		Point{ "SecondPinAfterAFullBatch", Call::pin, 2, -EFAULT,
		       -EFAULT, -1 },
		Point{ "LastPin", Call::pin, 3, -ENOMEM, -ENOMEM, -1 },
		Point{ "ShortPinThenError", Call::pin, 2, -EFAULT, -EFAULT,
		       150 },
		Point{ "ShortFirstPinThenError", Call::pin, 1, -EINTR, -EINTR,
		       1 },
		Point{ "PinReturnsNothing", Call::pin, 1, 0, -EFAULT, 0 },
		Point{ "PinReturnsNothingAfterAFullBatch", Call::pin, 2, 0,
		       -EFAULT, 0 },
		Point{ "FirstAppendWithTheBatchInHand", Call::sgt_append, 1,
		       -ENOMEM, -ENOMEM, -1 },
		Point{ "LastAppendWithTheBatchInHand", Call::sgt_append, 3,
		       -E2BIG, -E2BIG, -1 },
		Point{ "AllocationOfTheBufferObject", Call::kmalloc, 2, 0,
		       -ENOMEM, -1 },
		Point{ "DmaMapping", Call::dma_map, 1, -EIO, -EIO, -1 },
		Point{ "BouncedMapping", Call::sgt_bounced, 1, 0, -EOPNOTSUPP,
		       -1 },
		Point{ "StagingAllocation", Call::kmalloc, 3, 0, -ENOMEM, -1 },
		Point{ "PageTableWindow", Call::window_pin, 1, -EFAULT, -EFAULT,
		       -1 },
		Point{ "ArgumentWindow", Call::window_pin, 2, -EFAULT, -EFAULT,
		       -1 }),
	point_name);

using LockContigFails = RigParamTest<Point>;

TEST_P(LockContigFails, ReturnsTheErrorAndLeavesNothing)
{
	const Point p = GetParam();
	fake::fail_next(p.call, p.err, p.nth);
	EXPECT_EQ(lock_standard_contig(dev), p.expected);
	rig.expect_at_baseline(p.name);
	EXPECT_EQ(dev.stats(), Stats{});
	auto retry = dev.lock_contig(page);
	EXPECT_EQ(retry.ret, 0);
	EXPECT_EQ(retry.id(), 0) << "the id was not used up";
}

INSTANTIATE_TEST_SUITE_P(
	AtEachGlueCall, LockContigFails,
	::testing::Values(Point{ "CopyInOfTheStruct", Call::copy_from_user, 1,
				 -EFAULT, -EFAULT, -1 },
			  Point{ "AllocationOfTheBufferObject", Call::kmalloc,
				 1, 0, -ENOMEM, -1 },
			  Point{ "CoherentAllocation", Call::coherent_alloc, 1,
				 0, -ENOMEM, -1 },
			  Point{ "ArgumentWindow", Call::window_pin, 1, -EFAULT,
				 -EFAULT, -1 }),
	point_name);

using CleanupSetupFails = RigParamTest<Point>;

TEST_P(CleanupSetupFails, ReturnsTheErrorAndKeepsThePreviousProgram)
{
	const Point p = GetParam();
	ASSERT_EQ(dev.cleanup({ { 0x98, 0 } }), 0);
	fake::fail_next(p.call, p.err, p.nth);
	EXPECT_EQ(setup_standard_cleanup(dev), p.expected);
	rig.expect_at_baseline(p.name);
	dev.release();
	EXPECT_EQ(bar0_writes(), (Writes{ { 0x98, 0 } }))
		<< "the previous program ran, alone";
}

INSTANTIATE_TEST_SUITE_P(
	AtEachGlueCall, CleanupSetupFails,
	::testing::Values(Point{ "CopyInOfTheStruct", Call::copy_from_user, 1,
				 -EFAULT, -EFAULT, -1 },
			  Point{ "CopyInOfTheCommands", Call::copy_from_user, 2,
				 -EFAULT, -EFAULT, -1 }),
	point_name);

/* ---- sweeps: every glue call of an ioctl, failed in turn ----------------- */

using Counts = std::map<Call, unsigned>;

Counts count_calls()
{
	Counts counts;
	for (int c = 0; c < int(Call::count_); c++)
		counts[Call(c)] = fake::calls(Call(c));
	return counts;
}

struct Sweep {
	/* Brings the rig into the state before the ioctl (other buffers,
	 * a cleanup program); runs before the snapshot. */
	std::function<void(Dev &)> prepare;
	std::function<long(Dev &)> run;
	/* Checks after a failure, beyond the snapshot. */
	std::function<void(Dev &)> after_failure;
	/* Calls the dry run must have made, at least that many times: the
	 * sweep covers what the scenario was built to reach. */
	std::vector<std::pair<Call, unsigned>> must_call;
};

void prepare_busy_file(Dev &dev)
{
	/* Another buffer of each kind and a program: a failure must not
	 * touch them. */
	ASSERT_EQ(dev.lock_sg(3).ret, 0);
	ASSERT_EQ(dev.lock_contig(page).ret, 0);
	ASSERT_EQ(dev.cleanup({ { 0x98, 0 } }), 0);
}

void run_sweep(const Sweep &sweep)
{
	/* The dry run: which calls, how many. */
	Counts before, made;
	{
		Rig rig;
		auto &dev = rig.dev();
		sweep.prepare(dev);
		before = count_calls();
		ASSERT_EQ(sweep.run(dev), 0) << "the dry run must succeed";
		const Counts after = count_calls();
		for (const auto &entry : after)
			made[entry.first] = entry.second - before[entry.first];
	}
	for (const auto &need : sweep.must_call)
		EXPECT_GE(made[need.first], need.second)
			<< "the request called " << need.first
			<< " too few times";

	int failures_injected = 0;
	for (const auto &entry : made) {
		const Call call = entry.first;
		for (unsigned n = 1; n <= entry.second; n++) {
			SCOPED_TRACE(::testing::Message()
				     << "failing " << call << " #" << n
				     << " of " << entry.second);
			Rig rig;
			auto &dev = rig.dev();
			sweep.prepare(dev);
			const fake::Held held = fake::held();
			const auto stats = dev.stats();
			fake::fail_nth(call, before[call] + n,
				       injected_errno(call));
			EXPECT_EQ(sweep.run(dev), expected_errno(call));
			EXPECT_EQ(fake::calls(call), before[call] + n)
				<< "nothing of that kind after the failure";
			EXPECT_EQ(fake::held(), held) << "left behind";
			EXPECT_TRUE(fake::held().violations.empty())
				<< fake::held();
			EXPECT_EQ(dev.stats(), stats);
			if (sweep.after_failure)
				sweep.after_failure(dev);
			/* The same request succeeds afterwards. */
			EXPECT_EQ(sweep.run(dev), 0)
				<< "retry after the failure";
			failures_injected++;
		}
	}
	EXPECT_GT(failures_injected, 0);
	::testing::Test::RecordProperty("injected_failures", failures_injected);
}

} // namespace

TEST(ErrorPathSweep, LockBufferEveryGlueCallFailedInTurn)
{
	run_sweep({ [](Dev &dev) { prepare_busy_file(dev); },
		    [](Dev &dev) { return lock_standard_sg(dev); },
		    [](Dev &dev) {
			    /* ids 0 and 1 are taken: the failed lock gave
			     * its id back. */
			    auto probe = dev.lock_sg(1);
			    EXPECT_EQ(probe.id(), 2);
			    EXPECT_EQ(dev.unlock_sg(probe.id()), 0);
		    },
		    { { Call::copy_from_user, 1 },
		      { Call::always_bounces, 1 },
		      { Call::kmalloc, 3 },
		      { Call::memlock_charge, 1 },
		      { Call::sgt_alloc, 1 },
		      { Call::pin, 3 },
		      { Call::sgt_append, 3 },
		      { Call::dma_map, 1 },
		      { Call::sgt_bounced, 1 },
		      { Call::window_pin, 2 } } });
}

TEST(ErrorPathSweep, LockBufferOnAFreshFileEveryGlueCallFailedInTurn)
{
	run_sweep({ [](Dev &) {},
		    [](Dev &dev) { return lock_standard_sg(dev); },
		    nullptr,
		    { { Call::pin, 3 }, { Call::window_pin, 2 } } });
}

TEST(ErrorPathSweep, LockContigEveryGlueCallFailedInTurn)
{
	run_sweep({ [](Dev &dev) { prepare_busy_file(dev); },
		    [](Dev &dev) { return lock_standard_contig(dev); },
		    [](Dev &dev) {
			    auto probe = dev.lock_contig(page);
			    EXPECT_EQ(probe.id(), 2);
			    EXPECT_EQ(dev.unlock_contig(probe.id()), 0);
		    },
		    { { Call::copy_from_user, 1 },
		      { Call::kmalloc, 1 },
		      { Call::coherent_alloc, 1 },
		      { Call::window_pin, 1 } } });
}

TEST(ErrorPathSweep, CleanupSetupEveryGlueCallFailedInTurn)
{
	run_sweep({ [](Dev &dev) { prepare_busy_file(dev); },
		    [](Dev &dev) {
			    /* A failed setup keeps 0x98; a retry replaces it.
			     */
			    return setup_standard_cleanup(dev);
		    },
		    [](Dev &dev) {
			    /* The kept program is the old one: release runs
			     * exactly its one write. */
			    const long before = fake::count(Event::bar0_write);
			    dev.release();
			    EXPECT_EQ(fake::count(Event::bar0_write),
				      before + 1);
			    ASSERT_EQ(dev.open(), 0);
		    },
		    { { Call::copy_from_user, 2 } } });
}

TEST(ErrorPathSweep, FaultEveryGlueCallFailedInTurn)
{
	/* A fault makes one glue call that can fail (the insertion): the
	 * fault reports it, nothing is mapped, and the next touch works. */
	Rig rig;
	auto &dev = rig.dev();
	auto lock = dev.lock_contig(page);
	crono_vma *vma = dev.map_contig(lock.id(), page);
	const fake::Held held = fake::held();
	fake::fail_next(Call::fault_insert, injected_errno(Call::fault_insert));
	EXPECT_EQ(fake::vma_touch(vma, 0), -ENOMEM);
	EXPECT_EQ(fake::vma_page(vma, 0), nullptr);
	EXPECT_EQ(fake::held(), held);
	EXPECT_EQ(fake::vma_touch(vma, 0), 0);
	EXPECT_NE(fake::vma_page(vma, 0), nullptr);
	ASSERT_EQ(dev.unlock_contig(lock.id()), 0);
	EXPECT_EQ(fake::held().coherent, 1) << "still mapped";
	fake::vma_close(vma);
	EXPECT_EQ(fake::held().coherent, 0);
}
