// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Which boards these PCI ids are, and how the driver names their nodes. */
#ifndef CRONO_MODELS_HPP
#define CRONO_MODELS_HPP

#include <cstdint>
#include <string>

#include "crono/pci_address.hpp"

namespace crono {

constexpr std::uint16_t kCronologicVendorId = 0x1A13;
/* QEMU's edu device: the emulated DMA engine the tests bind. */
constexpr std::uint16_t kEduVendorId = 0x1234;
constexpr std::uint16_t kEduDeviceId = 0x11e8;

/* "xTDC4", "QEMU edu (test device)", ...; "" for an id we do not know. */
std::string model_name(std::uint16_t vendor_id, std::uint16_t device_id);

bool is_edu(std::uint16_t vendor_id, std::uint16_t device_id);

/*
 * The misc node the driver registers, as it formats it:
 * "crono_%02X_%02X%02X%02X%01X" of device id, domain, bus, slot, function.
 */
std::string misc_node_name(std::uint16_t device_id, const PciAddress &address);

} // namespace crono

#endif
