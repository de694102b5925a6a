// SPDX-License-Identifier: GPL-2.0
/* kernel/cleanup_program.*: validation against BAR0 and replay. */
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "cleanup_program.h"
#include "cxxrt/errno.h"

using crono::CleanupProgram;
using crono::u32;
using crono::u64;

namespace {

crono::Result<CleanupProgram>
validate(const std::vector<CRONO_KERNEL_CMD> &cmds, u64 bar0_len)
{
	return CleanupProgram::validate(
		crono::Span<const CRONO_KERNEL_CMD>(cmds.data(), cmds.size()),
		bar0_len);
}

std::vector<std::pair<u32, u32>> replay(CleanupProgram &program)
{
	std::vector<std::pair<u32, u32>> writes;
	program.replay_and_clear([&](u32 offset, u32 value) {
		writes.emplace_back(offset, value);
	});
	return writes;
}

} // namespace

TEST(CleanupProgram, EmptyProgramIsValidAndWritesNothing)
{
	auto result = validate({}, 4096);
	ASSERT_FALSE(result.is_error());
	EXPECT_TRUE(result.value().empty());
	EXPECT_EQ(result.value().size(), 0u);
	EXPECT_TRUE(replay(result.value()).empty());
}

TEST(CleanupProgram, SixteenCommandsAreAccepted)
{
	std::vector<CRONO_KERNEL_CMD> cmds;
	for (u32 i = 0; i < CRONO_KERNEL_CMDS_MAX; i++)
		cmds.push_back({ i * 4, 0x100 + i });
	auto result = validate(cmds, 4096);
	ASSERT_FALSE(result.is_error());
	EXPECT_EQ(result.value().size(), 16u);
}

TEST(CleanupProgram, MoreThanSixteenCommandsAreRejected)
{
	std::vector<CRONO_KERNEL_CMD> cmds(CRONO_KERNEL_CMDS_MAX + 1,
					   CRONO_KERNEL_CMD{ 0, 0 });
	EXPECT_EQ(validate(cmds, 4096).error().code(), -EINVAL);
}

TEST(CleanupProgram, UnalignedOffsetIsRejected)
{
	for (u32 offset : { 1u, 2u, 3u, 6u, 0x7fu })
		EXPECT_EQ(validate({ { 0, 1 }, { offset, 2 } }, 4096)
				  .error()
				  .code(),
			  -EINVAL)
			<< offset;
}

TEST(CleanupProgram, WriteReachingBeyondBar0IsRejected)
{
	EXPECT_EQ(validate({ { 0x100, 1 } }, 0x100).error().code(), -EINVAL);
	EXPECT_EQ(validate({ { 0x1000, 1 } }, 0x100).error().code(), -EINVAL);
	EXPECT_EQ(validate({ { 0xfffffffc, 1 } }, 0x100).error().code(),
		  -EINVAL);
	/* A BAR shorter than one register. */
	EXPECT_EQ(validate({ { 0, 1 } }, 2).error().code(), -EINVAL);
}

TEST(CleanupProgram, WriteEndingExactlyAtTheEndOfBar0IsAccepted)
{
	EXPECT_FALSE(validate({ { 0xfc, 1 } }, 0x100).is_error());
	EXPECT_FALSE(validate({ { 0, 1 } }, 4).is_error());
	/* The last register of a 4 GiB BAR: no 32-bit overflow. */
	EXPECT_FALSE(validate({ { 0xfffffffc, 1 } }, 1ull << 32).is_error());
	EXPECT_EQ(validate({ { 0xfffffffc, 1 } }, (1ull << 32) - 1)
			  .error()
			  .code(),
		  -EINVAL);
}

TEST(CleanupProgram, NoBar0MeansNoCommandIsValid)
{
	EXPECT_EQ(validate({ { 0, 1 } }, 0).error().code(), -EINVAL);
	EXPECT_FALSE(validate({}, 0).is_error());
}

TEST(CleanupProgram, ReplayWritesInOrderThenForgets)
{
	auto result =
		validate({ { 0x98, 0 }, { 0x04, 0xdead }, { 0x98, 7 } }, 4096);
	ASSERT_FALSE(result.is_error());
	CleanupProgram program = result.release_value();
	EXPECT_EQ(replay(program),
		  (std::vector<std::pair<u32, u32>>{
			  { 0x98, 0 }, { 0x04, 0xdead }, { 0x98, 7 } }));
	EXPECT_TRUE(program.empty());
	EXPECT_TRUE(replay(program).empty())
		<< "a second replay writes nothing";
}

TEST(CleanupProgram, ARejectedProgramLeavesTheOldOneInPlace)
{
	/* The pattern OpenFile uses: assign only a validated program. */
	CleanupProgram program =
		validate({ { 0x10, 1 } }, 4096).release_value();
	auto bad = validate({ { 0x10, 2 }, { 0x2000, 3 } }, 4096);
	ASSERT_TRUE(bad.is_error());
	EXPECT_EQ(replay(program),
		  (std::vector<std::pair<u32, u32>>{ { 0x10, 1 } }));
}
