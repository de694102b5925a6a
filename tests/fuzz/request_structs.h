/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The structs a lock_sg, lock_contig or cleanup operation hands the driver,
 * resolved against the arena: one builder for both executors (the host's in
 * tests/fuzz/fuzz_target.cpp, the VM's player). The fields a request must not
 * read or must give back unchanged carry marker values.
 */
#pragma once

#include <vector>

#include "crono_pci_drvmod.h"
#include "program.h"

namespace crono_fuzz {

inline CRONO_SG_BUFFER_INFO sg_info_of(const Op &op, const Arena &arena)
{
	CRONO_SG_BUFFER_INFO info{};
	info.addr = arena.resolve(op.buf);
	info.size = arena.resolve(op.size);
	info.pages = 0x5a5a5a5a5a5a5a5aull;
	info.upages = arena.resolve(op.table);
	info.pages_count = resolve(op.count, info.size);
	info.id = -77;
	return info;
}

inline CRONO_CONTIG_BUFFER_INFO contig_info_of(const Op &op, const Arena &arena)
{
	CRONO_CONTIG_BUFFER_INFO info{};
	info.size = arena.resolve(op.size);
	info.addr = 0x1111;
	info.pUserAddr = 0x2222;
	info.dma_handle = 0x3333;
	info.id = -77;
	info.reserved = 0x4444;
	return info;
}

/* The commands of a cleanup operation for a BAR0 of bar0_len bytes. */
inline std::vector<CRONO_KERNEL_CMD> cmds_of(const Op &op, uint64_t bar0_len)
{
	std::vector<CRONO_KERNEL_CMD> cmds;
	for (const Cmd &cmd : op.cmds)
		cmds.push_back(
			CRONO_KERNEL_CMD{ resolve(cmd, bar0_len), cmd.data });
	return cmds;
}

inline CRONO_KERNEL_CMDS_INFO cmds_info_of(const Op &op, const Arena &arena)
{
	CRONO_KERNEL_CMDS_INFO info{};
	info.cmds = 0xdeadbeef;
	info.ucmds = arena.resolve(op.table);
	info.count = op.cmd_count;
	return info;
}

} // namespace crono_fuzz
