// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "crono/version.hpp"

namespace crono {

const char *library_version() noexcept
{
	return CRONO_LIBRARY_VERSION;
}

} // namespace crono
