// SPDX-License-Identifier: GPL-2.0 OR MIT
/* errno values as text, for messages. Internal to the library. */
#ifndef CRONO_SRC_ERRNO_TEXT_HPP
#define CRONO_SRC_ERRNO_TEXT_HPP

#include <string>

namespace crono {

/* "EBUSY", or "errno 4000" for a number without a name. */
std::string errno_name(int code);
/* "Device or resource busy (EBUSY)" */
std::string errno_text(int code);

} // namespace crono

#endif
