// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Finding the boards the driver serves, from sysfs alone (no root needed):
 * the PCI functions bound to crono_pci_driver, their ids and model, and the
 * misc node the driver made for each.
 */
#ifndef CRONO_DISCOVERY_HPP
#define CRONO_DISCOVERY_HPP

#include <cstdint>
#include <string>
#include <vector>

#include "crono/context.hpp"
#include "crono/pci_address.hpp"
#include "crono/result.hpp"

namespace crono {

struct BoardInfo {
	PciAddress address;
	std::uint16_t vendor_id = 0;
	std::uint16_t device_id = 0;
	std::string model; /* "" when the ids are not a known board */
	std::string node;  /* misc node name, e.g. crono_06_0003000 */
	/* The node's directory is in the device's misc/ sysfs directory,
	 * i.e. the driver registered it. */
	bool node_registered = false;
	std::string sysfs_dir; /* /sys/bus/pci/devices/ADDRESS */
	std::string node_path; /* /dev/NODE */
};

/*
 * Every bound board, sorted by PCI address. Fails with ENOENT and a message
 * that says so when the driver is not loaded.
 */
Result<std::vector<BoardInfo>> list_boards(const Context &context = {});

/*
 * One board, named by PCI address ("0000:03:00.0" or "03:00.0"), by node
 * ("crono_06_0003000") or by node path ("/dev/crono_06_0003000").
 */
Result<BoardInfo> find_board(const std::string &name,
			     const Context &context = {});

} // namespace crono

#endif
