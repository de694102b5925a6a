// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Context: where the library looks for sysfs and device nodes, and which Os
 * it calls. The default is the real system (/sys, /dev); tests point both
 * roots into a temporary directory and pass a fake Os.
 */
#ifndef CRONO_CONTEXT_HPP
#define CRONO_CONTEXT_HPP

#include <string>

#include "crono/os.hpp"
#include "crono/pci_address.hpp"

namespace crono {

struct Context {
	std::string sysfs_root = "/sys";
	std::string dev_root = "/dev";
	/* Not owned: must outlive every object made with this context. */
	Os *os = &system_os();

	/* /sys/bus/pci/drivers/crono_pci_driver */
	std::string driver_dir() const;
	/* /sys/bus/pci/devices/DDDD:BB:DD.F */
	std::string pci_device_dir(const PciAddress &address) const;
	/* /sys/class/misc/NODE */
	std::string misc_class_dir(const std::string &node) const;
	/* /dev/NODE */
	std::string node_path(const std::string &node) const;
};

} // namespace crono

#endif
