// SPDX-License-Identifier: GPL-2.0
/* kernel/id_allocator.*: per-file buffer ids and the BufferId that owns one. */
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "cxxrt/errno.h"
#include "id_allocator.h"

using crono::BufferId;
using crono::IdAllocator;

namespace {

/* The ids a test holds, by value. */
class Held {
public:
	explicit Held(IdAllocator &ids) : ids_(ids) {}
	/* The next id, or the error's code - 1000000. */
	int take()
	{
		auto r = ids_.allocate();
		if (r.is_error())
			return r.error().code() - 1000000;
		const int id = r.value().value();
		held_[id] = r.release_value();
		return id;
	}
	void give_back(int id) { held_.erase(id); }

private:
	IdAllocator &ids_;
	std::map<int, BufferId> held_;
};

} // namespace

TEST(IdAllocator, StartsAtZeroAndCountsUp)
{
	IdAllocator ids;
	Held held(ids);
	EXPECT_EQ(ids.count(), 0u);
	for (int i = 0; i < 130; i++)
		EXPECT_EQ(held.take(), i);
	EXPECT_EQ(ids.count(), 130u);
	EXPECT_TRUE(ids.in_use(0));
	EXPECT_TRUE(ids.in_use(129));
	EXPECT_FALSE(ids.in_use(130));
	EXPECT_FALSE(ids.in_use(-1));
	EXPECT_FALSE(ids.in_use(4096));
}

TEST(IdAllocator, ReleasedIdsAreReusedLowestFirst)
{
	IdAllocator ids;
	Held held(ids);
	for (int i = 0; i < 200; i++)
		held.take();
	held.give_back(150);
	held.give_back(3);
	held.give_back(64);
	EXPECT_EQ(ids.count(), 197u);
	EXPECT_FALSE(ids.in_use(3));
	EXPECT_EQ(held.take(), 3);
	EXPECT_EQ(held.take(), 64);
	EXPECT_EQ(held.take(), 150);
	EXPECT_EQ(held.take(), 200);
}

TEST(IdAllocator, CapacityIs4096ThenENOMEM)
{
	auto ids = std::make_unique<IdAllocator>();
	Held held(*ids);
	ASSERT_EQ(IdAllocator::capacity, 4096u);
	for (int i = 0; i < 4096; i++)
		ASSERT_EQ(held.take(), i);
	EXPECT_EQ(ids->count(), 4096u);
	auto full = ids->allocate();
	ASSERT_TRUE(full.is_error());
	EXPECT_EQ(full.error().code(), -ENOMEM);
	EXPECT_EQ(ids->count(), 4096u);

	held.give_back(4095);
	EXPECT_EQ(held.take(), 4095);
	held.give_back(2048);
	EXPECT_EQ(held.take(), 2048);
	EXPECT_TRUE(ids->allocate().is_error());
}

TEST(BufferId, GivesItsIdBackExactlyOnce)
{
	IdAllocator ids;
	Held held(ids);
	held.take(); /* 0 stays taken */
	auto first = ids.allocate();
	ASSERT_FALSE(first.is_error());
	BufferId id = first.release_value();
	EXPECT_EQ(id.value(), 1);
	EXPECT_TRUE(id.held());

	BufferId moved = std::move(id);
	EXPECT_FALSE(id.held()) << "a moved-from id owns nothing";
	EXPECT_EQ(id.value(), -1);
	id.reset();
	EXPECT_TRUE(ids.in_use(1))
		<< "resetting the moved-from id frees nothing";

	moved.reset();
	EXPECT_FALSE(ids.in_use(1));
	EXPECT_EQ(ids.count(), 1u);
	moved.reset();
	EXPECT_EQ(ids.count(), 1u) << "a second reset gives nothing back";
	EXPECT_TRUE(ids.in_use(0));
}

TEST(BufferId, DestructionGivesTheIdBack)
{
	IdAllocator ids;
	{
		auto r = ids.allocate();
		ASSERT_FALSE(r.is_error());
		BufferId id = r.release_value();
		EXPECT_EQ(ids.count(), 1u);
	}
	EXPECT_EQ(ids.count(), 0u);
	EXPECT_FALSE(ids.in_use(0));
}
