// SPDX-License-Identifier: GPL-2.0
/* kernel/cxxrt: the freestanding runtime, on the host. */
#include <gtest/gtest.h>

#include <vector>

#include "cxxrt/errno.h"
#include "cxxrt/intrusive_list.h"
#include "cxxrt/mutex.h"
#include "cxxrt/own_ptr.h"
#include "cxxrt/owning_list.h"
#include "cxxrt/ref_ptr.h"
#include "cxxrt/refcount.h"
#include "cxxrt/result.h"
#include "cxxrt/span.h"
#include "cxxrt/unique_resource.h"
#include "cxxrt/utility.h"
#include "fake_glue.h"

using crono::Error;
using crono::OwnPtr;
using crono::Result;

namespace {

struct Tracked {
	static int alive;
	int value;
	explicit Tracked(int v) noexcept : value(v) { alive++; }
	~Tracked() { alive--; }
};
int Tracked::alive = 0;

struct TrackedChild : Tracked {
	explicit TrackedChild(int v) noexcept : Tracked(v) {}
};

class CxxrtTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		fake::reset();
		Tracked::alive = 0;
	}
	void TearDown() override
	{
		EXPECT_EQ(Tracked::alive, 0);
		EXPECT_EQ(fake::held(), fake::Held{}) << "left behind";
	}
};

int evaluations;

Result<int> source(int v)
{
	evaluations++;
	if (v < 0)
		return Error::from_errno(v);
	return int(v);
}

Result<int> doubled(int v)
{
	const int x = CRONO_TRY(source(v));
	return x * 2;
}

Result<void> checked(int v, bool *reached)
{
	const int x = CRONO_TRY(source(v));
	*reached = x >= 0;
	return {};
}

Result<OwnPtr<Tracked>> make_tracked(int v)
{
	return crono::make_own<Tracked>(crono::Gfp::kernel, v);
}

Result<int> unwrap_owned(int v)
{
	auto owned = CRONO_TRY(make_tracked(v));
	return owned->value + 1;
}

} // namespace

/* ---- Result / CRONO_TRY -------------------------------------------------- */

TEST_F(CxxrtTest, ResultHoldsAValueOrAnErrno)
{
	Result<int> ok = source(21);
	ASSERT_TRUE(bool(ok));
	EXPECT_FALSE(ok.is_error());
	EXPECT_EQ(ok.value(), 21);
	EXPECT_EQ(ok.to_errno(), 0);

	Result<int> bad = source(-EFAULT);
	EXPECT_FALSE(bool(bad));
	EXPECT_TRUE(bad.is_error());
	EXPECT_EQ(bad.error().code(), -EFAULT);
}

TEST_F(CxxrtTest, TryPropagatesTheErrorAndEvaluatesOnce)
{
	evaluations = 0;
	EXPECT_EQ(doubled(5).value(), 10);
	EXPECT_EQ(evaluations, 1);
	EXPECT_EQ(doubled(-ENOMEM).error().code(), -ENOMEM);
	EXPECT_EQ(evaluations, 2);

	bool reached = false;
	EXPECT_EQ(checked(-EBUSY, &reached).error().code(), -EBUSY);
	EXPECT_FALSE(reached) << "code after a failed CRONO_TRY must not run";
	EXPECT_FALSE(checked(1, &reached).is_error());
	EXPECT_TRUE(reached);
}

TEST_F(CxxrtTest, ResultVoidAndFromErrno)
{
	Result<void> ok;
	EXPECT_TRUE(bool(ok));
	EXPECT_EQ(ok.to_errno(), 0);
	EXPECT_EQ(crono::from_errno(0).to_errno(), 0);
	EXPECT_FALSE(crono::from_errno(3).is_error()) << "positive is success";
	EXPECT_EQ(crono::from_errno(-EIO).error().code(), -EIO);
	Result<void> assigned;
	assigned = Error::from_errno(-EINVAL);
	EXPECT_EQ(assigned.error().code(), -EINVAL);
}

TEST_F(CxxrtTest, ErrorHoldsOnlyNegativeErrnos)
{
	EXPECT_EQ(Error::from_errno(-ENODEV).code(), -ENODEV);
	EXPECT_EQ(Error::from_errno(-4095).code(), -4095);
	EXPECT_FALSE(fake::logged("not an errno"));
	for (int bad : { 0, 1, 22, -4096, -100000 }) {
		SCOPED_TRACE(bad);
		EXPECT_EQ(Error::from_errno(bad).code(), -EINVAL)
			<< "a slip never reads as success or as a pointer";
	}
	EXPECT_TRUE(fake::logged("not an errno: 0"));
	Result<void> failed = Error::from_errno(0);
	EXPECT_TRUE(failed.is_error());
	EXPECT_EQ(failed.to_errno(), -EINVAL);
}

TEST_F(CxxrtTest, ResultOwnsAMoveOnlyValue)
{
	{
		auto result = make_tracked(7);
		ASSERT_TRUE(bool(result));
		EXPECT_EQ(Tracked::alive, 1);
		Result<OwnPtr<Tracked>> moved(crono::move(result));
		EXPECT_EQ(Tracked::alive, 1);
		OwnPtr<Tracked> owned = moved.release_value();
		EXPECT_EQ(owned->value, 7);
		EXPECT_EQ(Tracked::alive, 1);
	}
	EXPECT_EQ(Tracked::alive, 0) << "the value died with its last owner";
	EXPECT_EQ(unwrap_owned(4).value(), 5);
	EXPECT_EQ(Tracked::alive, 0);
}

/* ---- OwnPtr / make_own --------------------------------------------------- */

template <typename T> OwnPtr<T> adopt(T *raw)
{
	return crono::adopt_own_or_enomem(raw).release_value();
}

TEST_F(CxxrtTest, OwnPtrDeletesOnResetAndDestruction)
{
	{
		OwnPtr<Tracked> p = adopt(new (crono::Gfp::kernel) Tracked(1));
		EXPECT_EQ(fake::held().allocations, 1u);
		p = adopt(new (crono::Gfp::kernel_account) Tracked(2));
		EXPECT_EQ(Tracked::alive, 1);
		EXPECT_EQ(p->value, 2);
		EXPECT_EQ((*p).value, 2);
		p.reset();
		EXPECT_FALSE(bool(p));
		EXPECT_EQ(Tracked::alive, 0);
		p = adopt(new (crono::Gfp::kernel) Tracked(3));
	}
	EXPECT_EQ(Tracked::alive, 0);
}

TEST_F(CxxrtTest, OwnPtrMoveTransfersOwnership)
{
	OwnPtr<Tracked> a = adopt(new (crono::Gfp::kernel) Tracked(1));
	Tracked *raw = a.get();
	OwnPtr<Tracked> b(crono::move(a));
	EXPECT_EQ(a.get(), nullptr);
	EXPECT_EQ(b.get(), raw);
	OwnPtr<Tracked> c = adopt(new (crono::Gfp::kernel) Tracked(2));
	c = crono::move(b); /* deletes c's old object */
	EXPECT_EQ(Tracked::alive, 1);
	EXPECT_EQ(c.get(), raw);
	OwnPtr<Tracked> base(adopt(new (crono::Gfp::kernel) TrackedChild(9)));
	EXPECT_EQ(base->value, 9);
	EXPECT_EQ(Tracked::alive, 2);
}

TEST_F(CxxrtTest, OwnPtrCrossesIntoCAndBack)
{
	OwnPtr<Tracked> p = adopt(new (crono::Gfp::kernel) Tracked(1));
	Tracked *handle = p.into_foreign();
	EXPECT_FALSE(bool(p));
	p.reset();
	EXPECT_EQ(Tracked::alive, 1) << "the handle owns it now";
	OwnPtr<Tracked> back = OwnPtr<Tracked>::from_foreign(handle);
	EXPECT_EQ(back->value, 1);
	back.reset();
	EXPECT_EQ(Tracked::alive, 0);
}

TEST_F(CxxrtTest, AdoptNullIsENOMEM)
{
	auto result = crono::adopt_own_or_enomem<Tracked>(nullptr);
	ASSERT_TRUE(result.is_error());
	EXPECT_EQ(result.error().code(), -ENOMEM);
}

TEST_F(CxxrtTest, MakeOwnFailsWithENOMEMAndConstructsNothing)
{
	fake::fail_next(fake::Call::kmalloc, 0);
	auto result = make_tracked(1);
	ASSERT_TRUE(result.is_error());
	EXPECT_EQ(result.error().code(), -ENOMEM);
	EXPECT_EQ(Tracked::alive, 0);
	EXPECT_EQ(fake::held().allocations, 0u);
}

/* ---- IntrusiveList ------------------------------------------------------- */

namespace {
struct OtherTag;
struct Item : crono::ListNode<Item>, crono::ListNode<Item, OtherTag> {
	explicit Item(int v) : value(v) {}
	int value;
};
using List = crono::IntrusiveList<Item>;

std::vector<int> values(const List &list)
{
	std::vector<int> out;
	for (Item &item : list)
		out.push_back(item.value);
	return out;
}
} // namespace

TEST_F(CxxrtTest, IntrusiveListPushIterateRemovePop)
{
	Item a(1), b(2), c(3);
	List list;
	EXPECT_TRUE(list.empty());
	EXPECT_EQ(list.first(), nullptr);
	EXPECT_EQ(list.pop_front(), nullptr);
	list.push_back(a);
	list.push_back(b);
	list.push_back(c);
	EXPECT_EQ(values(list), (std::vector<int>{ 1, 2, 3 }));
	EXPECT_EQ(list.first(), &a);

	List::remove(b);
	EXPECT_FALSE(static_cast<crono::ListNode<Item> &>(b).is_linked());
	EXPECT_EQ(values(list), (std::vector<int>{ 1, 3 }));
	List::remove(b); /* removing an unlinked node is harmless */

	list.insert_before(&c, b);
	EXPECT_EQ(values(list), (std::vector<int>{ 1, 2, 3 }));
	Item d(4);
	list.insert_before(nullptr, d);
	EXPECT_EQ(values(list), (std::vector<int>{ 1, 2, 3, 4 }));

	EXPECT_EQ(list.pop_front(), &a);
	EXPECT_EQ(list.pop_front(), &b);
	EXPECT_EQ(values(list), (std::vector<int>{ 3, 4 }));
	/* push_back of a linked item moves it. */
	list.push_back(c);
	EXPECT_EQ(values(list), (std::vector<int>{ 4, 3 }));
	while (list.pop_front()) {
	}
	EXPECT_TRUE(list.empty());
}

TEST_F(CxxrtTest, IntrusiveListNodeUnlinksItselfOnDestruction)
{
	List list;
	Item a(1);
	list.push_back(a);
	{
		Item b(2);
		list.push_back(b);
		Item c(3);
		list.push_back(c);
		EXPECT_EQ(values(list), (std::vector<int>{ 1, 2, 3 }));
	}
	EXPECT_EQ(values(list), (std::vector<int>{ 1 }));
	List::remove(a);
	EXPECT_TRUE(list.empty());
}

TEST_F(CxxrtTest, IntrusiveListTagsLetAnItemSitInTwoLists)
{
	Item a(1), b(2);
	List one;
	crono::IntrusiveList<Item, OtherTag> two;
	one.push_back(a);
	one.push_back(b);
	two.push_back(b);
	two.push_back(a);
	EXPECT_EQ(values(one), (std::vector<int>{ 1, 2 }));
	EXPECT_EQ(two.first(), &b);
	List::remove(a);
	EXPECT_EQ(values(one), (std::vector<int>{ 2 }));
	EXPECT_EQ(two.pop_front(), &b);
	EXPECT_EQ(two.pop_front(), &a);
	EXPECT_EQ(two.pop_front(), nullptr);
}

/* ---- Span ---------------------------------------------------------------- */

TEST_F(CxxrtTest, SpanBasics)
{
	int array[5] = { 1, 2, 3, 4, 5 };
	crono::Span<int> s(array);
	EXPECT_EQ(s.size(), 5u);
	EXPECT_EQ(s.data(), array);
	EXPECT_FALSE(s.empty());
	EXPECT_EQ(s[4], 5);
	int sum = 0;
	for (int v : s)
		sum += v;
	EXPECT_EQ(sum, 15);
	EXPECT_TRUE(crono::Span<int>().empty());
}

TEST_F(CxxrtTest, SpanSubspanClamps)
{
	int array[5] = { 1, 2, 3, 4, 5 };
	crono::Span<int> s(array);
	auto mid = s.subspan(1, 3);
	EXPECT_EQ(mid.data(), array + 1);
	EXPECT_EQ(mid.size(), 3u);
	auto tail = s.subspan(3, 100);
	EXPECT_EQ(tail.data(), array + 3);
	EXPECT_EQ(tail.size(), 2u);
	auto past = s.subspan(7, 2);
	EXPECT_EQ(past.data(), array + 5);
	EXPECT_TRUE(past.empty());
	auto end = s.subspan(5, 1);
	EXPECT_TRUE(end.empty());
	EXPECT_EQ(s.subspan(0, ~size_t(0)).size(), 5u);
}

/* ---- UniqueResource, OwningList, RefPtr, RefCount, Statistic ---------- */

std::vector<int> released;

struct NumberState {
	int number = 0;
	bool held() const noexcept { return number != 0; }
	void release() noexcept { released.push_back(number); }
};
using Number = crono::UniqueResource<NumberState>;

/* Declared in acquisition order: released in reverse. */
struct ThreeResources {
	Number first{ NumberState{ 1 } };
	Number second{ NumberState{ 2 } };
	Number third{ NumberState{ 3 } };
};

TEST_F(CxxrtTest, UniqueResourceReleasesExactlyOnceInReverseOrder)
{
	released.clear();
	{
		ThreeResources owner;
		Number moved = crono::move(owner.second);
		EXPECT_FALSE(owner.second.held());
		moved.reset();
		moved.reset();
		EXPECT_EQ(released, std::vector<int>{ 2 });
		Number target{ NumberState{ 4 } };
		target = Number{ NumberState{ 5 } };
		EXPECT_EQ(released, (std::vector<int>{ 2, 4 }))
			<< "assignment releases what the target held";
	}
	EXPECT_EQ(released, (std::vector<int>{ 2, 4, 5, 3, 1 }));
}

struct Listed : crono::ListNode<Listed> {
	static std::vector<int> destroyed;
	int value;
	explicit Listed(int v) noexcept : value(v) {}
	~Listed() { destroyed.push_back(value); }
};
std::vector<int> Listed::destroyed;

OwnPtr<Listed> listed(int v)
{
	return crono::make_own<Listed>(crono::Gfp::kernel, v).release_value();
}

TEST_F(CxxrtTest, OwningListDestroysWhatItHoldsFirstToLast)
{
	Listed::destroyed.clear();
	{
		crono::OwningList<Listed> list;
		list.push_back(listed(1));
		Listed &two = list.push_back(listed(2));
		list.push_back(listed(3));
		OwnPtr<Listed> taken = list.take(two);
		EXPECT_FALSE(taken->is_linked());
		EXPECT_TRUE(Listed::destroyed.empty());
		taken.reset();
		EXPECT_EQ(Listed::destroyed, std::vector<int>{ 2 });
		EXPECT_EQ(list.pop_front()->value, 1) << "destroyed at once";
		list.push_back(listed(4));
	}
	EXPECT_EQ(Listed::destroyed, (std::vector<int>{ 2, 1, 3, 4 }));
	EXPECT_EQ(fake::held().allocations, 0u);
}

struct Shared : crono::RefCounted<Shared> {
	static int alive;
	Shared() noexcept { alive++; }
	~Shared() { alive--; }
};
int Shared::alive = 0;

TEST_F(CxxrtTest, RefPtrDeletesWithTheLastReference)
{
	auto created =
		crono::adopt_ref_or_enomem(new (crono::Gfp::kernel) Shared());
	ASSERT_FALSE(created.is_error());
	crono::RefPtr<Shared> first = created.release_value();
	crono::RefPtr<Shared> second(first);
	crono::RefPtr<Shared> third(*first);
	Shared *handle = third.into_foreign();
	first.reset();
	second.reset();
	EXPECT_EQ(Shared::alive, 1) << "the C handle still holds a reference";
	crono::RefPtr<Shared>::from_foreign(handle).reset();
	EXPECT_EQ(Shared::alive, 0);
	EXPECT_TRUE(crono::adopt_ref_or_enomem<Shared>(nullptr).is_error());
}

TEST_F(CxxrtTest, RefCountReportsTheLastPut)
{
	crono::RefCount refs; /* the creator's reference */
	refs.get();
	refs.get();
	EXPECT_FALSE(refs.put());
	EXPECT_FALSE(refs.put());
	EXPECT_TRUE(refs.put());
}

TEST_F(CxxrtTest, StatisticAddsAndSubtracts)
{
	crono::Statistic stat;
	EXPECT_EQ(stat.read(), 0u);
	stat.add(1ull << 40);
	stat.add(5);
	stat.sub(1ull << 40);
	EXPECT_EQ(stat.read(), 5u);
}

/* ---- arithmetic helpers -------------------------------------------------- */

TEST_F(CxxrtTest, AddOverflows)
{
	crono::u64 sum = 0;
	EXPECT_FALSE(crono::add_overflows<crono::u64>(1, 2, &sum));
	EXPECT_EQ(sum, 3u);
	EXPECT_FALSE(crono::add_overflows<crono::u64>(~0ull - 1, 1, &sum));
	EXPECT_EQ(sum, ~0ull);
	EXPECT_TRUE(crono::add_overflows<crono::u64>(~0ull, 1, &sum));
	crono::u32 small = 0;
	EXPECT_TRUE(crono::add_overflows<crono::u32>(0xffffffffu, 1, &small));
	EXPECT_FALSE(crono::add_overflows<crono::u32>(0xfffffffeu, 1, &small));
	int s = 0;
	EXPECT_TRUE(crono::add_overflows<int>(0x7fffffff, 1, &s));
	EXPECT_TRUE(crono::add_overflows<int>(-0x7fffffff - 1, -1, &s));
}

TEST_F(CxxrtTest, MulOverflows)
{
	crono::u64 product = 0;
	EXPECT_FALSE(crono::mul_overflows<crono::u64>(1ull << 31, 1ull << 32,
						      &product));
	EXPECT_EQ(product, 1ull << 63);
	EXPECT_TRUE(crono::mul_overflows<crono::u64>(1ull << 32, 1ull << 32,
						     &product));
	EXPECT_FALSE(crono::mul_overflows<crono::u64>(0, ~0ull, &product));
	EXPECT_EQ(product, 0u);
	crono::u32 small = 0;
	EXPECT_TRUE(crono::mul_overflows<crono::u32>(0x10000, 0x10000, &small));
	EXPECT_FALSE(crono::mul_overflows<crono::u32>(0xffff, 0x10001, &small));
	EXPECT_EQ(small, 0xffffffffu);
}

TEST_F(CxxrtTest, RoundingAlignmentAndMinMax)
{
	EXPECT_EQ(crono::div_round_up(0, 4096), 0u);
	EXPECT_EQ(crono::div_round_up(1, 4096), 1u);
	EXPECT_EQ(crono::div_round_up(4096, 4096), 1u);
	EXPECT_EQ(crono::div_round_up(4097, 4096), 2u);
	EXPECT_EQ(crono::div_round_up(~0ull, 4096), (~0ull >> 12) + 1);
	EXPECT_TRUE(crono::is_aligned(0, 4096));
	EXPECT_TRUE(crono::is_aligned(0x7000, 4096));
	EXPECT_FALSE(crono::is_aligned(0x7004, 4096));
	EXPECT_TRUE(crono::is_aligned(0x7004, 4));
	EXPECT_EQ(crono::min(3, 4), 3);
	EXPECT_EQ(crono::max(3, 4), 4);
	int slot = 1;
	EXPECT_EQ(crono::exchange(slot, 2), 1);
	EXPECT_EQ(slot, 2);
}

/* ---- Mutex over the glue's lock ------------------------------------------ */

TEST_F(CxxrtTest, MutexCreateGuardAndDestroy)
{
	{
		auto created = crono::Mutex::create(CRONO_LOCK_BOARD);
		ASSERT_TRUE(bool(created));
		crono::Mutex m = created.release_value();
		EXPECT_EQ(fake::held().mutexes, 1);
		{
			crono::MutexGuard guard(m);
			EXPECT_EQ(fake::held().locked, 1);
		}
		EXPECT_EQ(fake::held().locked, 0);
		crono::Mutex moved(crono::move(m));
		EXPECT_EQ(fake::held().mutexes, 1) << "a move does not create";
	}
	EXPECT_EQ(fake::held().mutexes, 0) << "destroyed exactly once";
}

TEST_F(CxxrtTest, MutexCreateFailureIsENOMEM)
{
	fake::fail_next(fake::Call::mutex_create, 0);
	auto created = crono::Mutex::create(CRONO_LOCK_BOARD);
	ASSERT_TRUE(created.is_error());
	EXPECT_EQ(created.error().code(), -ENOMEM);
	EXPECT_EQ(fake::held().mutexes, 0);
}
