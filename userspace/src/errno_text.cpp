// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "errno_text.hpp"

#include <cstring>
#include <system_error>

namespace crono {

std::string errno_name(int code)
{
	// glibc's own table of names (2.32 and later).
	if (const char *name = strerrorname_np(code))
		return name;
	return "errno " + std::to_string(code);
}

std::string errno_text(int code)
{
	return std::error_code(code, std::generic_category()).message() + " (" +
	       errno_name(code) + ")";
}

} // namespace crono
