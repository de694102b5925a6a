// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Sizes as people read and write them. */
#ifndef CRONO_UNITS_HPP
#define CRONO_UNITS_HPP

#include <cstdint>
#include <optional>
#include <string>

namespace crono {

/* "4 KiB", "64 MiB", "1.5 GiB", "123 bytes". */
std::string format_bytes(std::uint64_t bytes);

/* "4096", "64K", "64KiB", "4M", "1G", "2MiB" (binary units). */
std::optional<std::uint64_t> parse_bytes(const std::string &text);

} // namespace crono

#endif
