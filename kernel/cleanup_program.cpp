// SPDX-License-Identifier: GPL-2.0
#include "cleanup_program.h"

#include "cxxrt/errno.h"

namespace crono {

Result<CleanupProgram>
CleanupProgram::validate(Span<const CRONO_KERNEL_CMD> commands,
			 u64 bar0_len) noexcept
{
	if (commands.size() > CRONO_KERNEL_CMDS_MAX)
		return Error::from_errno(-EINVAL);

	CleanupProgram program;
	for (const CRONO_KERNEL_CMD &command : commands) {
		const u64 end = u64(command.addr) + sizeof(u32);
		if (!is_aligned(command.addr, sizeof(u32)) || end > bar0_len)
			return Error::from_errno(-EINVAL);
		program.commands_[program.count_++] = command;
	}
	return move(program);
}

} // namespace crono
