// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * BarMapping: a PCI BAR mapped through sysfs (resourceN), as the vendor
 * library maps BAR0, with bounds- and alignment-checked 32/64-bit register
 * access. Needs write access to the resource file (normally root).
 */
#ifndef CRONO_BAR_MAPPING_HPP
#define CRONO_BAR_MAPPING_HPP

#include <cstdint>

#include "crono/context.hpp"
#include "crono/pci_address.hpp"
#include "crono/result.hpp"

namespace crono {

class BarMapping {
public:
	static Result<BarMapping> map(const PciAddress &address,
				      unsigned bar = 0,
				      const Context &context = {});

	BarMapping(BarMapping &&other) noexcept;
	BarMapping &operator=(BarMapping &&other) noexcept;
	BarMapping(const BarMapping &) = delete;
	BarMapping &operator=(const BarMapping &) = delete;
	~BarMapping();

	std::uint64_t size() const noexcept { return size_; }
	bool mapped() const noexcept { return base_ != nullptr; }

	Result<std::uint32_t> read32(std::uint64_t offset) const;
	Result<void> write32(std::uint64_t offset, std::uint32_t value);
	Result<std::uint64_t> read64(std::uint64_t offset) const;
	Result<void> write64(std::uint64_t offset, std::uint64_t value);

private:
	BarMapping(Os *os, void *base, std::uint64_t size, unsigned bar)
	    : os_(os), base_(base), size_(size), bar_(bar)
	{
	}
	Result<volatile void *> at(std::uint64_t offset, unsigned width) const;
	void release() noexcept;

	Os *os_ = nullptr;
	void *base_ = nullptr;
	std::uint64_t size_ = 0;
	unsigned bar_ = 0;
};

} // namespace crono

#endif
