// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The driver's per-board statistics: the sysfs attributes locked_buffers,
 * pinned_bytes and coherent_bytes of /sys/class/misc/NODE/. Readable by
 * everyone.
 */
#ifndef CRONO_BOARD_STATS_HPP
#define CRONO_BOARD_STATS_HPP

#include <cstdint>
#include <string>

#include "crono/context.hpp"
#include "crono/result.hpp"

namespace crono {

struct BoardStats {
	std::uint64_t locked_buffers = 0; /* S/G and contiguous */
	std::uint64_t pinned_bytes = 0;	  /* of S/G buffers */
	std::uint64_t coherent_bytes = 0; /* of contiguous buffers */
};

Result<BoardStats> read_board_stats(const Context &context,
				    const std::string &node);

} // namespace crono

#endif
