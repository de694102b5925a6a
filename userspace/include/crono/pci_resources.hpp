// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The regions of a PCI function, from its sysfs `resource` file. */
#ifndef CRONO_PCI_RESOURCES_HPP
#define CRONO_PCI_RESOURCES_HPP

#include <cstdint>
#include <string>
#include <vector>

#include "crono/context.hpp"
#include "crono/pci_address.hpp"
#include "crono/result.hpp"

namespace crono {

struct PciResource {
	unsigned index = 0; /* line of the file: 0-5 BARs, 6 expansion ROM */
	std::uint64_t start = 0;
	std::uint64_t size = 0;	 /* 0: not implemented */
	std::uint64_t flags = 0; /* the kernel's IORESOURCE_* bits */

	bool present() const { return size != 0; }
	bool is_memory() const { return flags & 0x200; } /* IORESOURCE_MEM */
	bool is_io() const { return flags & 0x100; }	 /* IORESOURCE_IO */
	bool prefetchable() const { return flags & 0x2000; } /* _PREFETCH */
	bool is_64bit() const { return flags & 0x100000; }   /* _MEM_64 */
	/* "mem 64-bit prefetchable", "io", ... */
	std::string kind() const;
};

/* Parses the file's text; `path` only names it in errors. */
Result<std::vector<PciResource>> parse_pci_resources(const std::string &text,
						     const std::string &path);

/* Reads and parses /sys/bus/pci/devices/ADDRESS/resource. */
Result<std::vector<PciResource>> read_pci_resources(const Context &context,
						    const PciAddress &address);

} // namespace crono

#endif
