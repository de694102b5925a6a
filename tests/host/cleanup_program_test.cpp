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

TEST(CleanupProgram, ValidationAgainstBar0)
{
	const std::vector<CRONO_KERNEL_CMD> seventeen(CRONO_KERNEL_CMDS_MAX + 1,
						      CRONO_KERNEL_CMD{ 0, 0 });
	struct Case {
		const char *what;
		std::vector<CRONO_KERNEL_CMD> cmds;
		u64 bar0_len;
		int err;
	} cases[] = {
		{ "more than sixteen commands", seventeen, 4096, -EINVAL },
		{ "offset 1", { { 0, 1 }, { 1, 2 } }, 4096, -EINVAL },
		{ "offset 2", { { 0, 1 }, { 2, 2 } }, 4096, -EINVAL },
		{ "offset 3", { { 0, 1 }, { 3, 2 } }, 4096, -EINVAL },
		{ "offset 6", { { 0, 1 }, { 6, 2 } }, 4096, -EINVAL },
		{ "offset 0x7f", { { 0, 1 }, { 0x7f, 2 } }, 4096, -EINVAL },
		{ "at the end of BAR0", { { 0x100, 1 } }, 0x100, -EINVAL },
		{ "beyond BAR0", { { 0x1000, 1 } }, 0x100, -EINVAL },
		{ "last 32-bit offset", { { 0xfffffffc, 1 } }, 0x100, -EINVAL },
		{ "BAR0 shorter than a register", { { 0, 1 } }, 2, -EINVAL },
		{ "ending exactly at the end", { { 0xfc, 1 } }, 0x100, 0 },
		{ "the one register of BAR0", { { 0, 1 } }, 4, 0 },
		/* The last register of a 4 GiB BAR: no 32-bit overflow. */
		{ "end of a 4 GiB BAR0", { { 0xfffffffc, 1 } }, 1ull << 32, 0 },
		{ "a byte short of 4 GiB",
		  { { 0xfffffffc, 1 } },
		  (1ull << 32) - 1,
		  -EINVAL },
		/* No BAR0 (not MMIO): every command is refused, the empty
		 * program is not. */
		{ "a command without BAR0", { { 0, 1 } }, 0, -EINVAL },
		{ "no command without BAR0", {}, 0, 0 },
	};
	for (const Case &c : cases)
		EXPECT_EQ(validate(c.cmds, c.bar0_len).to_errno(), c.err)
			<< c.what;
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
