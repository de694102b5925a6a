// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "crono/models.hpp"

#include <cstdio>

#include "crono_pci_drvmod.h"

namespace crono {

static_assert(kCronologicVendorId == CRONO_VENDOR_ID, "vendor id");

std::string model_name(std::uint16_t vendor_id, std::uint16_t device_id)
{
	if (is_edu(vendor_id, device_id))
		return "QEMU edu (test device)";
	if (vendor_id != kCronologicVendorId)
		return "";
	switch (device_id) {
	case CRONO_DEVICE_HPTDC:
		return "HPTDC";
	case CRONO_DEVICE_NDIGO5G:
		return "Ndigo5G-10";
	case CRONO_DEVICE_NDIGO_AVRG:
		return "Ndigo AVRG";
	case CRONO_DEVICE_NDIGO250M:
		return "Ndigo250M";
	case CRONO_DEVICE_XTDC4:
		return "xTDC4";
	case CRONO_DEVICE_FMC_TDC10:
		return "FMC-TDC10";
	case CRONO_DEVICE_TIMETAGGER4:
		return "TimeTagger4";
	case CRONO_DEVICE_D_AVE12:
		return "D-AVE12";
	case CRONO_DEVICE_D_AVE14:
		return "D-AVE14";
	case CRONO_DEVICE_NDIGO2G14:
		return "Ndigo2G-14";
	case CRONO_DEVICE_XHPTDC8:
		return "xHPTDC8";
	case CRONO_DEVICE_NDIGO6G12:
		return "Ndigo6G-12";
	default:
		return "";
	}
}

bool is_edu(std::uint16_t vendor_id, std::uint16_t device_id)
{
	return vendor_id == kEduVendorId && device_id == kEduDeviceId;
}

std::string misc_node_name(std::uint16_t device_id, const PciAddress &address)
{
	char name[64];
	std::snprintf(name, sizeof name, "crono_%02X_%02X%02X%02X%01X",
		      device_id, address.domain, address.bus, address.slot,
		      address.function);
	return name;
}

} // namespace crono
