// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// The edu devices standing in for boards (tests/edu/edu_regs.h): finding
// them, BAR0 through resource0 (the way the vendor library reaches a board:
// O_RDWR|O_SYNC, MAP_SHARED), and the DMA engine, which the tests use to
// prove that an address the driver hands out really reaches the page.
#ifndef CRONO_VMTEST_EDU_ENGINE_H
#define CRONO_VMTEST_EDU_ENGINE_H

#include "support.h"

#include "../edu/edu_regs.h"
#include "crono/bar_mapping.hpp"
#include "crono/models.hpp"
#include "crono/pci_address.hpp"
#include "edu_dma.hpp"

#include <algorithm>
#include <dirent.h>
#include <memory>
#include <optional>
#include <sys/ioctl.h>

namespace vt {

constexpr size_t kPage = 4096;

// BAR0 of an edu device and its DMA engine, through libcrono's BarMapping and
// cronoctl's EduDma (userspace/): the tests reach a board the way the vendor
// library does. Reads of an unmapped or out-of-range register give all ones,
// as an absent device would, and writes to them go nowhere.
class EduBar {
public:
	// Map BAR0 of the device at PCI address pci ("0000:00:04.0").
	bool open_bar(const std::string &pci, std::string *err)
	{
		close_bar();
		const std::optional<crono::PciAddress> address =
			crono::PciAddress::parse(pci);
		if (!address) {
			*err = "not a PCI address: " + pci;
			return false;
		}
		crono::Result<crono::BarMapping> bar =
			crono::BarMapping::map(*address);
		if (!bar) {
			*err = bar.error().message();
			return false;
		}
		bar_.emplace(std::move(*bar));
		return true;
	}
	void close_bar() { bar_.reset(); }
	bool ok() const { return bar_.has_value(); }
	size_t size() const { return bar_ ? bar_->size() : 0; }

	uint32_t r32(uint32_t off) const
	{
		crono::Result<uint32_t> v =
			bar_ ? bar_->read32(off) : crono::Error(ENXIO, "");
		return v ? *v : 0xffffffffu;
	}
	void w32(uint32_t off, uint32_t v) const
	{
		if (bar_)
			(void)bar_->write32(off, v);
	}
	uint64_t r64(uint32_t off) const
	{
		crono::Result<uint64_t> v =
			bar_ ? bar_->read64(off) : crono::Error(ENXIO, "");
		return v ? *v : ~0ull;
	}

	// One transfer of len bytes between RAM at bus address ram and the
	// device's buffer at EDU_DEVICE_BUFFER, then a check that the engine
	// took the addresses and the count it was given.
	bool dma(bool to_ram, uint64_t ram, uint32_t len,
		 std::string *err) const
	{
		if (!bar_) {
			*err = "BAR0 not mapped";
			return false;
		}
		cronoctl::EduDma engine(*bar_);
		crono::Result<void> done =
			to_ram ? engine.device_to_ram(EDU_DEVICE_BUFFER, ram,
						      len)
			       : engine.ram_to_device(ram, EDU_DEVICE_BUFFER,
						      len);
		if (!done) {
			*err = done.error().message();
			return false;
		}
		const uint64_t src = to_ram ? EDU_DEVICE_BUFFER : ram;
		const uint64_t dst = to_ram ? ram : EDU_DEVICE_BUFFER;
		if (r64(EDU_REG_DMA_SRC) != src ||
		    r64(EDU_REG_DMA_DST) != dst ||
		    r64(EDU_REG_DMA_COUNT) != len) {
			*err = "edu DMA registers did not take the values "
			       "written";
			return false;
		}
		return true;
	}

private:
	// Writes go through a const EduBar: the registers are the device's.
	mutable std::optional<crono::BarMapping> bar_;
};

inline std::string lower(std::string s)
{
	for (char &c : s)
		if (c >= 'A' && c <= 'Z')
			c = static_cast<char>(c - 'A' + 'a');
	return s;
}

struct Board {
	std::string pci; // "0000:00:04.0"
	crono::PciAddress address;
	uint16_t device_id = EDU_DEVICE_ID;
	EduBar bar; // mapped by BarAccess, kept for the DMA tests

	std::string sysfs() const { return "/sys/bus/pci/devices/" + pci; }
	// The misc node name of the ABI, "crono_%02X_%02X%02X%02X%01X", as
	// libcrono finds it.
	std::string node_name() const
	{
		return crono::misc_node_name(device_id, address);
	}
	std::string node() const { return "/dev/" + node_name(); }
};

inline bool read_hex_file(const std::string &path, unsigned long *v)
{
	std::string s;
	if (!read_file(path, &s))
		return false;
	char *end = nullptr;
	*v = strtoul(s.c_str(), &end, 16);
	return end != s.c_str();
}

// Every edu device in sysfs, sorted by PCI address.
inline std::vector<std::unique_ptr<Board>> discover_edu()
{
	std::vector<std::unique_ptr<Board>> v;
	DIR *d = opendir("/sys/bus/pci/devices");
	if (!d)
		return v;
	std::vector<std::string> names;
	while (struct dirent *e = readdir(d)) {
		if (e->d_name[0] == '.')
			continue;
		names.push_back(e->d_name);
	}
	closedir(d);
	std::sort(names.begin(), names.end());
	for (auto &n : names) {
		unsigned long ven = 0, dev = 0;
		std::string base = "/sys/bus/pci/devices/" + n;
		if (!read_hex_file(base + "/vendor", &ven) ||
		    !read_hex_file(base + "/device", &dev))
			continue;
		if (ven != EDU_VENDOR_ID || dev != EDU_DEVICE_ID)
			continue;
		const std::optional<crono::PciAddress> address =
			crono::PciAddress::parse(n);
		if (!address)
			continue;
		auto b = std::make_unique<Board>();
		b->pci = n;
		b->address = *address;
		b->device_id = static_cast<uint16_t>(dev);
		v.push_back(std::move(b));
	}
	return v;
}

inline std::string bus_hint(uint64_t a, uint64_t b)
{
	if ((a | b) >> 28)
		return " [bus addresses above 28 bits: this needs -device "
		       "edu,dma_mask=0xffffffffffffffff]";
	return "";
}

inline uint64_t next_tag()
{
	static uint64_t t = 0x5eed0000;
	return mix64(++t);
}

// The end-to-end check (docs/testing.md) for one pair of pages: fill the source
// page from the CPU, let the device read it at src_bus (into its buffer) and
// write it out at dst_bus, and check that the bytes arrived in the destination
// page as seen by the CPU. This proves that src_bus is the bus address of
// src_cpu and dst_bus that of dst_cpu (the pages may be the same). A page moves
// in two 2048-byte halves, each in and out through device address 0x40000.
inline bool dma_check_pair(const EduBar &bar, uint8_t *src_cpu,
			   uint64_t src_bus, uint8_t *dst_cpu, uint64_t dst_bus,
			   std::string *err)
{
	uint64_t tag = next_tag();
	fill_pattern(src_cpu, kPage, tag);
	if (dst_cpu != src_cpu)
		fill_pattern(dst_cpu, kPage, ~tag);
	for (uint32_t half = 0; half < 2; half++) {
		uint32_t off = half * EDU_DMA_HALF_PAGE;
		std::string e;
		if (!bar.dma(false, src_bus + off, EDU_DMA_HALF_PAGE, &e)) {
			*err = strf(
				"DMA RAM->device from 0x%llx: %s",
				static_cast<unsigned long long>(src_bus + off),
				e.c_str());
			return false;
		}
		// Poison the destination half now that the source half is in
		// the device (covers src == dst): what is found there
		// afterwards came from the device.
		fill_pattern(dst_cpu + off, EDU_DMA_HALF_PAGE, ~tag ^ 0xdead,
			     off / 8);
		if (!bar.dma(true, dst_bus + off, EDU_DMA_HALF_PAGE, &e)) {
			*err = strf(
				"DMA device->RAM to 0x%llx: %s",
				static_cast<unsigned long long>(dst_bus + off),
				e.c_str());
			return false;
		}
		uint64_t got = 0, want = 0;
		long bad = find_mismatch(dst_cpu + off, EDU_DMA_HALF_PAGE, tag,
					 off / 8, &got, &want);
		if (bad >= 0) {
			*err = strf("page at bus 0x%llx -> page at bus 0x%llx: "
				    "byte %ld of the "
				    "destination page reads 0x%016llx, "
				    "expected 0x%016llx%s",
				    static_cast<unsigned long long>(src_bus),
				    static_cast<unsigned long long>(dst_bus),
				    bad + off,
				    static_cast<unsigned long long>(got),
				    static_cast<unsigned long long>(want),
				    bus_hint(src_bus, dst_bus).c_str());
			return false;
		}
	}
	if (dst_cpu != src_cpu && find_mismatch(src_cpu, kPage, tag) >= 0) {
		*err = strf("source page (bus 0x%llx) changed during a DMA to "
			    "bus 0x%llx",
			    static_cast<unsigned long long>(src_bus),
			    static_cast<unsigned long long>(dst_bus));
		return false;
	}
	return true;
}

// Pages to check in a buffer of `count` pages: first, last and `nrandom` seeded
// random ones, arranged as (source, destination) pairs so that each page is
// used once.
inline std::vector<std::pair<size_t, size_t>>
pick_pairs(size_t count, size_t nrandom, uint64_t seed)
{
	std::vector<size_t> pages;
	auto add = [&](size_t p) {
		if (std::find(pages.begin(), pages.end(), p) == pages.end())
			pages.push_back(p);
	};
	add(0);
	add(count - 1);
	Rng r(seed);
	for (size_t tries = 0;
	     pages.size() < std::min(count, nrandom + 2) && tries < 1000;
	     tries++)
		add(r.below(count));
	std::vector<std::pair<size_t, size_t>> pairs;
	if (pages.size() == 1) {
		pairs.emplace_back(pages[0], pages[0]);
		return pairs;
	}
	for (size_t i = 0; i + 1 < pages.size(); i += 2)
		pairs.emplace_back(pages[i], pages[i + 1]);
	if (pages.size() % 2)
		pairs.emplace_back(pages.back(), pages[0]);
	return pairs;
}

} // namespace vt

#endif // CRONO_VMTEST_EDU_ENGINE_H
