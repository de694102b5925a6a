// SPDX-License-Identifier: GPL-2.0
/* kernel/id_allocator.*: per-file buffer ids. */
#include <gtest/gtest.h>

#include <memory>

#include "cxxrt/errno.h"
#include "id_allocator.h"

using crono::IdAllocator;

namespace {

int take(IdAllocator &ids)
{
	auto r = ids.allocate();
	return r ? r.value() : r.error().code() - 1000000;
}

} // namespace

TEST(IdAllocator, StartsAtZeroAndCountsUp)
{
	IdAllocator ids;
	EXPECT_EQ(ids.count(), 0u);
	for (int i = 0; i < 130; i++)
		EXPECT_EQ(take(ids), i);
	EXPECT_EQ(ids.count(), 130u);
	EXPECT_TRUE(ids.in_use(0));
	EXPECT_TRUE(ids.in_use(129));
	EXPECT_FALSE(ids.in_use(130));
}

TEST(IdAllocator, ReleasedIdsAreReusedLowestFirst)
{
	IdAllocator ids;
	for (int i = 0; i < 200; i++)
		take(ids);
	ids.release(150);
	ids.release(3);
	ids.release(64);
	EXPECT_EQ(ids.count(), 197u);
	EXPECT_FALSE(ids.in_use(3));
	EXPECT_EQ(take(ids), 3);
	EXPECT_EQ(take(ids), 64);
	EXPECT_EQ(take(ids), 150);
	EXPECT_EQ(take(ids), 200);
}

TEST(IdAllocator, CapacityIs4096ThenENOMEM)
{
	auto ids = std::make_unique<IdAllocator>();
	ASSERT_EQ(IdAllocator::capacity, 4096u);
	for (int i = 0; i < 4096; i++)
		ASSERT_EQ(take(*ids), i);
	EXPECT_EQ(ids->count(), 4096u);
	auto full = ids->allocate();
	ASSERT_TRUE(full.is_error());
	EXPECT_EQ(full.error().code(), -ENOMEM);
	EXPECT_EQ(ids->count(), 4096u);

	ids->release(4095);
	EXPECT_EQ(take(*ids), 4095);
	ids->release(2048);
	EXPECT_EQ(take(*ids), 2048);
	EXPECT_TRUE(ids->allocate().is_error());
}

TEST(IdAllocator, InvalidReleasesAreIgnored)
{
	IdAllocator ids;
	take(ids);
	take(ids);
	ids.release(-1);
	ids.release(4096);
	ids.release(0x7fffffff);
	ids.release(5); /* never allocated */
	EXPECT_EQ(ids.count(), 2u);
	ids.release(1);
	ids.release(1); /* double release */
	EXPECT_EQ(ids.count(), 1u);
	EXPECT_TRUE(ids.in_use(0));
	EXPECT_FALSE(ids.in_use(-1));
	EXPECT_FALSE(ids.in_use(4096));
	EXPECT_EQ(take(ids), 1);
}
