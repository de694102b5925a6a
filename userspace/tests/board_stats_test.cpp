// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <cerrno>

#include "crono/board_stats.hpp"
#include "fake_system.hpp"

namespace crono::test {
namespace {

using BoardStatsTest = OneBoardTest;

TEST_F(BoardStatsTest, ReadsTheDriversAttributes)
{
	tree.write("class/misc/" + node + "/locked_buffers", "3\n");
	tree.write("class/misc/" + node + "/pinned_bytes", "274877906944\n");
	tree.write("class/misc/" + node + "/coherent_bytes", "65536\n");
	auto stats = read_board_stats(context, node);
	ASSERT_TRUE(stats) << stats.error().message();
	EXPECT_EQ(stats->locked_buffers, 3u);
	EXPECT_EQ(stats->pinned_bytes, 274877906944u);
	EXPECT_EQ(stats->coherent_bytes, 65536u);
}

TEST_F(BoardStatsTest, RefusesGarbage)
{
	for (const char *garbage :
	     { "", "-1\n", "1 2\n", "0x10\n", "abc", "18446744073709551616\n",
	       "123456789012345678901\n" }) {
		tree.write("class/misc/" + node + "/pinned_bytes", garbage);
		auto stats = read_board_stats(context, node);
		ASSERT_FALSE(stats) << garbage;
		EXPECT_EQ(stats.error().code(), EINVAL);
		EXPECT_TRUE(contains(stats.error().message(), "pinned_bytes"));
		EXPECT_TRUE(contains(stats.error().message(), "decimal"));
	}
	tree.write("class/misc/" + node + "/pinned_bytes",
		   "18446744073709551615\n");
	EXPECT_TRUE(read_board_stats(context, node));
}

TEST_F(BoardStatsTest, ReportsMissingAndUnreadableAttributes)
{
	os.fail_open(tree.path("class/misc/" + node + "/locked_buffers"),
		     EACCES);
	auto denied = read_board_stats(context, node);
	ASSERT_FALSE(denied);
	EXPECT_EQ(denied.error().code(), EACCES);

	auto missing = read_board_stats(context, "crono_06_0009000");
	ASSERT_FALSE(missing);
	EXPECT_EQ(missing.error().code(), ENOENT);
	EXPECT_TRUE(contains(missing.error().message(), "locked_buffers"));
}

} // namespace
} // namespace crono::test
