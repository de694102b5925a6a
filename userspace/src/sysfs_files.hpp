// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Reading small sysfs files through an Os. Internal to the library. */
#ifndef CRONO_SRC_SYSFS_FILES_HPP
#define CRONO_SRC_SYSFS_FILES_HPP

#include <cstdint>
#include <string>

#include "crono/os.hpp"
#include "crono/result.hpp"

namespace crono {

/* The whole file (sysfs attributes are at most a page). */
Result<std::string> read_text_file(Os &os, const std::string &path);
/* "0x1a13\n" */
Result<std::uint16_t> read_hex_id(Os &os, const std::string &path);
/* "4096\n" */
Result<std::uint64_t> read_decimal(Os &os, const std::string &path);
bool path_exists(Os &os, const std::string &path);

} // namespace crono

#endif
