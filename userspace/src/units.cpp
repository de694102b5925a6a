// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "crono/units.hpp"

#include <cctype>
#include <cstdio>
#include <limits>

namespace crono {

std::string format_bytes(std::uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	if (bytes < 1024)
		return std::to_string(bytes) +
		       (bytes == 1 ? " byte" : " bytes");
	double value = static_cast<double>(bytes);
	unsigned unit = 0;
	value /= 1024;
	while (value >= 1024 && unit + 1 < sizeof units / sizeof units[0]) {
		value /= 1024;
		unit++;
	}
	char text[32];
	/* Whole numbers without decimals: sizes are mostly powers of two. */
	if (value == static_cast<double>(static_cast<std::uint64_t>(value)))
		std::snprintf(text, sizeof text, "%llu %s",
			      static_cast<unsigned long long>(value),
			      units[unit]);
	else
		std::snprintf(text, sizeof text, "%.1f %s", value, units[unit]);
	return text;
}

std::optional<std::uint64_t> parse_bytes(const std::string &text)
{
	std::size_t i = 0;
	std::uint64_t number = 0;
	const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
	if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0])))
		return std::nullopt;
	for (; i < text.size() &&
	       std::isdigit(static_cast<unsigned char>(text[i]));
	     i++) {
		unsigned digit = static_cast<unsigned>(text[i] - '0');
		if (number > (max - digit) / 10)
			return std::nullopt;
		number = number * 10 + digit;
	}
	std::string suffix = text.substr(i);
	unsigned shift;
	if (suffix.empty() || suffix == "B")
		shift = 0;
	else if (suffix == "K" || suffix == "k" || suffix == "KiB")
		shift = 10;
	else if (suffix == "M" || suffix == "MiB")
		shift = 20;
	else if (suffix == "G" || suffix == "GiB")
		shift = 30;
	else if (suffix == "T" || suffix == "TiB")
		shift = 40;
	else
		return std::nullopt;
	if (shift && number > (max >> shift))
		return std::nullopt;
	return number << shift;
}

} // namespace crono
