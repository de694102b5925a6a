// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The cleanup program: up to 16 32-bit register writes into BAR0 that the
 * driver replays when the device file is released (also when the process is
 * killed), before it unmaps any buffer, so the board stops writing into
 * memory that is about to be freed.
 */
#ifndef CRONO_CLEANUP_PROGRAM_HPP
#define CRONO_CLEANUP_PROGRAM_HPP

#include <cstddef>
#include <cstdint>

#include "crono/result.hpp"
#include "crono/span.hpp"

namespace crono {

struct RegisterWrite {
	std::uint32_t offset; /* byte offset into BAR0, 4-byte aligned */
	std::uint32_t value;
};

constexpr std::size_t kMaxCleanupWrites = 16;

/* What the driver would refuse, refused here first with a precise message
 * (EINVAL). */
Result<void> validate_cleanup_program(Span<const RegisterWrite> writes,
				      std::uint64_t bar0_size);

} // namespace crono

#endif
