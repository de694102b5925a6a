// SPDX-License-Identifier: GPL-2.0 OR MIT
#pragma once

namespace crono {

/* The value of one hex digit (either case), or -1 if c is none. */
inline int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

} // namespace crono
