/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The misc device name the vendor libraries look for:
 * "crono_%02X_%02X%02X%02X%01X" of device id, domain, bus, slot, function.
 * Widths are minimums, so large values print in full.
 */
#pragma once

#include "cxxrt/result.h"
#include "cxxrt/span.h"

namespace crono {

struct PciAddress {
	u32 device_id;
	u32 domain;
	u32 bus;
	u32 slot;
	u32 func;
};

/* Writes the NUL-terminated name; -ENAMETOOLONG if it does not fit. */
Result<void> format_misc_name(const PciAddress &address,
			      Span<char> out) noexcept;

} // namespace crono
