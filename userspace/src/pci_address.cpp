// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "crono/pci_address.hpp"

#include <cstdio>

#include "hex_digit.hpp"

namespace crono {

namespace {

/* Exactly `min`..`max` hex digits from text[*pos], advancing *pos. */
bool take_hex(const std::string &text, std::size_t *pos, unsigned min,
	      unsigned max, unsigned *value)
{
	unsigned digits = 0, v = 0;
	while (*pos < text.size() && digits < max) {
		const int d = hex_digit_value(text[*pos]);
		if (d < 0)
			break;
		v = v * 16 + static_cast<unsigned>(d);
		digits++;
		(*pos)++;
	}
	*value = v;
	return digits >= min;
}

bool take(const std::string &text, std::size_t *pos, char c)
{
	if (*pos < text.size() && text[*pos] == c) {
		(*pos)++;
		return true;
	}
	return false;
}

} // namespace

std::optional<PciAddress> PciAddress::parse(const std::string &text)
{
	/* With a domain there are three colon-separated parts. */
	std::size_t colons = 0;
	for (char c : text)
		colons += c == ':';
	PciAddress a;
	std::size_t pos = 0;
	if (colons == 2) {
		if (!take_hex(text, &pos, 1, 8, &a.domain) ||
		    !take(text, &pos, ':'))
			return std::nullopt;
	} else if (colons != 1) {
		return std::nullopt;
	}
	if (!take_hex(text, &pos, 1, 2, &a.bus) || !take(text, &pos, ':') ||
	    !take_hex(text, &pos, 1, 2, &a.slot) || !take(text, &pos, '.') ||
	    !take_hex(text, &pos, 1, 1, &a.function) || pos != text.size())
		return std::nullopt;
	if (a.slot > 0x1f || a.function > 7)
		return std::nullopt;
	return a;
}

std::string PciAddress::to_string() const
{
	char text[32];
	std::snprintf(text, sizeof text, "%04x:%02x:%02x.%x", domain, bus, slot,
		      function);
	return text;
}

} // namespace crono
