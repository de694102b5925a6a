// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Messages for the errors people actually run into: no permission on the
 * node, the board busy in another process, RLIMIT_MEMLOCK too low, a removed
 * board. Each says what happened and what to do. Internal to the library.
 */
#ifndef CRONO_SRC_DRIVER_ERRORS_HPP
#define CRONO_SRC_DRIVER_ERRORS_HPP

#include <cstdint>
#include <string>

#include "crono/context.hpp"
#include "crono/discovery.hpp"
#include "crono/result.hpp"

namespace crono {

/* open() of the board's node failed with `code`. */
Error explain_open_error(const Context &context, const BoardInfo &board,
			 int code);

/* A request (`what`, e.g. "lock a 4 MiB scatter/gather buffer") failed with
 * `code`; `bytes` is what it would have locked (0 if nothing). */
Error explain_request_error(Os &os, const std::string &what, int code,
			    std::uint64_t bytes = 0);

/* The memlock part of the message for ENOMEM, alone (for tests). */
std::string memlock_advice(const MemlockLimit &limit, std::uint64_t bytes);

} // namespace crono

#endif
