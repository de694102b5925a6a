// SPDX-License-Identifier: GPL-2.0 OR MIT
/* PciAddress: domain, bus, slot and function of a PCI function. */
#ifndef CRONO_PCI_ADDRESS_HPP
#define CRONO_PCI_ADDRESS_HPP

#include <optional>
#include <string>

namespace crono {

struct PciAddress {
	unsigned domain = 0;   /* 16 bits in sysfs names */
	unsigned bus = 0;      /* 8 bits */
	unsigned slot = 0;     /* 5 bits */
	unsigned function = 0; /* 3 bits */

	/* "DDDD:BB:SS.F" or "BB:SS.F" (domain 0), hex, as lspci prints. */
	static std::optional<PciAddress> parse(const std::string &text);
	/* "0000:03:00.0", as sysfs names it. */
	std::string to_string() const;

	friend bool operator==(const PciAddress &a, const PciAddress &b)
	{
		return a.domain == b.domain && a.bus == b.bus &&
		       a.slot == b.slot && a.function == b.function;
	}
	friend bool operator!=(const PciAddress &a, const PciAddress &b)
	{
		return !(a == b);
	}
	friend bool operator<(const PciAddress &a, const PciAddress &b)
	{
		if (a.domain != b.domain)
			return a.domain < b.domain;
		if (a.bus != b.bus)
			return a.bus < b.bus;
		if (a.slot != b.slot)
			return a.slot < b.slot;
		return a.function < b.function;
	}
};

} // namespace crono

#endif
