// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "crono/context.hpp"

#include "crono_pci_drvmod.h"

namespace crono {

std::string Context::driver_dir() const
{
	return sysfs_root + "/bus/pci/drivers/" CRONO_DRIVER_NAME;
}

std::string Context::pci_device_dir(const PciAddress &address) const
{
	return sysfs_root + "/bus/pci/devices/" + address.to_string();
}

std::string Context::misc_class_dir(const std::string &node) const
{
	return sysfs_root + "/class/misc/" + node;
}

std::string Context::node_path(const std::string &node) const
{
	return dev_root + "/" + node;
}

} // namespace crono
