// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <gtest/gtest.h>

#include <cerrno>
#include <memory>

#include "crono/result.hpp"

namespace crono {
namespace {

Result<int> half(int n)
{
	if (n % 2)
		return Error(EINVAL, "odd");
	return n / 2;
}

TEST(Result, HoldsAValue)
{
	Result<int> r = half(8);
	ASSERT_TRUE(r.ok());
	EXPECT_TRUE(static_cast<bool>(r));
	EXPECT_EQ(*r, 4);
	EXPECT_EQ(r.value(), 4);
	EXPECT_EQ(r.value_or(7), 4);
}

TEST(Result, HoldsAnErrorWithErrnoAndMessage)
{
	Result<int> r = half(3);
	ASSERT_FALSE(r.ok());
	EXPECT_EQ(r.error().code(), EINVAL);
	EXPECT_EQ(r.error().message(), "odd");
	EXPECT_EQ(r.error().error_code(), std::errc::invalid_argument);
	EXPECT_EQ(r.value_or(7), 7);
	EXPECT_EQ(r.error().with_context("halving 3").message(),
		  "halving 3: odd");
}

TEST(Result, MovesMoveOnlyValuesOut)
{
	Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
	std::unique_ptr<int> p = std::move(r).value();
	ASSERT_TRUE(p);
	EXPECT_EQ(*p, 5);
}

TEST(Result, VoidSucceedsOrFails)
{
	Result<void> good;
	EXPECT_TRUE(good.ok());
	good.value();
	Result<void> bad = Error(EBUSY, "busy");
	EXPECT_FALSE(bad.ok());
	EXPECT_EQ(bad.error().code(), EBUSY);
}

TEST(ResultDeathTest, ValueOfAFailureAbortsWithTheMessage)
{
	GTEST_FLAG_SET(death_test_style, "threadsafe");
	EXPECT_DEATH((void)half(3).value(), "value of a failed Result.*odd");
	EXPECT_DEATH((void)Result<void>(Error(EIO, "broken")).value(),
		     "broken");
	EXPECT_DEATH((void)half(2).error(), "error\\(\\) called");
}

} // namespace
} // namespace crono
