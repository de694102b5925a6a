// SPDX-License-Identifier: GPL-2.0 OR MIT
#ifndef CRONO_VERSION_HPP
#define CRONO_VERSION_HPP

namespace crono {

/* The library's version, "MAJOR.MINOR.PATCH". */
const char *library_version() noexcept;

} // namespace crono

#endif
