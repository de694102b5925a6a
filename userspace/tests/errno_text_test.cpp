// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <gtest/gtest.h>

#include <cerrno>

#include "errno_text.hpp"

namespace crono {
namespace {

TEST(ErrnoText, NamesTheErrorsTheDriverReturns)
{
	EXPECT_EQ(errno_name(EBUSY), "EBUSY");
	EXPECT_EQ(errno_name(ENOMEM), "ENOMEM");
	EXPECT_EQ(errno_name(EOPNOTSUPP), "EOPNOTSUPP");
	EXPECT_EQ(errno_name(ENAMETOOLONG), "ENAMETOOLONG");
}

TEST(ErrnoText, GivesTheNumberOfAnUnknownError)
{
	EXPECT_EQ(errno_name(4000), "errno 4000");
	EXPECT_EQ(errno_name(-1), "errno -1");
}

TEST(ErrnoText, PutsTheNameAfterTheMessage)
{
	EXPECT_EQ(errno_text(EBUSY), "Device or resource busy (EBUSY)");
}

} // namespace
} // namespace crono
