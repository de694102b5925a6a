/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cleanup program: up to 16 32-bit register writes into BAR0 that stop
 * the board. It is replayed when its file is released or the board removed,
 * always before any buffer of that file is unmapped or unpinned, so a killed
 * application cannot leave the board writing into freed memory.
 */
#pragma once

#include "crono_pci_drvmod.h"
#include "cxxrt/result.h"
#include "cxxrt/span.h"

namespace crono {

class CleanupProgram {
public:
	/*
	 * The program for `commands`, if every offset is 4-byte aligned and
	 * the whole write lies inside a BAR0 of bar0_len bytes.
	 */
	static Result<CleanupProgram>
	validate(Span<const CRONO_KERNEL_CMD> commands, u64 bar0_len) noexcept;

	u32 size() const noexcept { return count_; }
	bool empty() const noexcept { return count_ == 0; }

	/* Runs every write through write(offset, value). */
	template <typename Write> void replay(Write &&write) const noexcept
	{
		for (u32 i = 0; i < count_; i++)
			write(commands_[i].addr, commands_[i].data);
	}
	/* replay(), then forgets the writes. */
	template <typename Write> void replay_and_clear(Write &&write) noexcept
	{
		replay(write);
		count_ = 0;
	}

private:
	CRONO_KERNEL_CMD commands_[CRONO_KERNEL_CMDS_MAX] = {};
	u32 count_ = 0;
};

} // namespace crono
