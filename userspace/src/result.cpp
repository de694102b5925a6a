// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "crono/result.hpp"

#include <cstdio>
#include <cstdlib>

namespace crono::detail {

/* A value taken from a failed Result: a bug in the caller. Without
 * exceptions there is nothing sensible to return, so stop loudly. */
void die_on_unchecked(const Error &error) noexcept
{
	std::fprintf(stderr,
		     "crono: value of a failed Result used (errno %d): %s\n",
		     error.code(), error.message().c_str());
	std::abort();
}

} // namespace crono::detail
