// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// The edu devices standing in for boards (tests/edu/edu_regs.h): finding
// them, BAR0 through resource0 (as the vendor library reaches a board), and
// the DMA engine, which proves that an address the driver hands out really
// reaches the page.
#ifndef CRONO_VMTEST_EDU_H
#define CRONO_VMTEST_EDU_H

#include "support.h"

#include "../edu/edu_regs.h"
#include "crono/bar_mapping.hpp"
#include "crono/models.hpp"
#include "crono/pci_address.hpp"
#include "edu_dma.hpp"

#include <optional>
#include <random>

namespace vt {

// BAR0 of an edu device and its DMA engine, through libcrono's BarMapping and
// cronoctl's EduDma. Reads of an unmapped or out-of-range register give all
// ones, as an absent device would, and writes to them go nowhere.
class EduBar {
public:
	AssertionResult open(const crono::PciAddress &address)
	{
		crono::Result<crono::BarMapping> bar =
			crono::BarMapping::map(address);
		if (!bar) {
			close();
			return AssertionFailure() << bar.error().message();
		}
		bar_.emplace(std::move(*bar));
		return AssertionSuccess();
	}
	void close() { bar_.reset(); }
	size_t size() const { return bar_ ? bar_->size() : 0; }
	uint32_t r32(uint32_t off) const
	{
		crono::Result<uint32_t> v =
			bar_ ? bar_->read32(off) : crono::Error(ENXIO, "");
		return v ? *v : ~0u;
	}
	void w32(uint32_t off, uint32_t v) const
	{
		if (bar_)
			(void)bar_->write32(off, v);
	}

	// One transfer of len bytes between RAM at bus address ram and the
	// device's buffer, and a check that the engine took the addresses and
	// the count it was given.
	AssertionResult dma(bool to_ram, uint64_t ram, uint32_t len) const
	{
		if (!bar_)
			return AssertionFailure() << "BAR0 not mapped";
		cronoctl::EduDma engine(*bar_);
		const uint64_t src = to_ram ? EDU_DEVICE_BUFFER : ram;
		const uint64_t dst = to_ram ? ram : EDU_DEVICE_BUFFER;
		crono::Result<void> done =
			to_ram ? engine.device_to_ram(src, dst, len)
			       : engine.ram_to_device(src, dst, len);
		if (!done)
			return AssertionFailure() << done.error().message();
		if (r64(EDU_REG_DMA_SRC) != src ||
		    r64(EDU_REG_DMA_DST) != dst ||
		    r64(EDU_REG_DMA_COUNT) != len)
			return AssertionFailure()
			       << "edu DMA registers did not "
				  "take the values written";
		return AssertionSuccess();
	}

private:
	uint64_t r64(uint32_t off) const
	{
		crono::Result<uint64_t> v = bar_->read64(off);
		return v ? *v : ~0ull;
	}

	// Writes go through a const EduBar: the registers are the device's.
	mutable std::optional<crono::BarMapping> bar_;
};

// EXPECT_TRUE(liveness_holds(bar, v)): the liveness register reads ~v, as
// after a write of v. Each hint {w, "what it means"} explains a reading of ~w.
inline AssertionResult liveness_holds(
	const EduBar &bar, uint32_t v,
	std::initializer_list<std::pair<uint32_t, const char *>> hints = {})
{
	const uint32_t got = bar.r32(EDU_REG_LIVENESS);
	if (got == ~v)
		return AssertionSuccess();
	AssertionResult r = AssertionFailure()
			    << "the liveness register reads " << hex(got)
			    << ", expected ~" << hex(v);
	for (const auto &[wrote, meaning] : hints)
		if (got == ~wrote)
			r << " (" << meaning << ")";
	return r;
}

struct Board {
	std::string pci; // "0000:00:04.0"
	crono::PciAddress address;
	EduBar bar; // mapped by BarAccess, kept for the DMA tests

	std::string sysfs() const { return "/sys/bus/pci/devices/" + pci; }
	// The misc node name of the ABI, as libcrono finds it.
	std::string node_name() const
	{
		return crono::misc_node_name(EDU_DEVICE_ID, address);
	}
	std::string node() const { return "/dev/" + node_name(); }
};

// Every edu device in sysfs, sorted by PCI address.
inline std::vector<Board> discover_edu()
{
	std::vector<Board> boards;
	for (const std::string &pci : list_dir("/sys/bus/pci/devices")) {
		auto id = [&](const char *attr) {
			return strtoul(read_text("/sys/bus/pci/devices/" + pci +
						 "/" + attr)
					       .c_str(),
				       nullptr, 16);
		};
		const std::optional<crono::PciAddress> address =
			crono::PciAddress::parse(pci);
		if (address && id("vendor") == EDU_VENDOR_ID &&
		    id("device") == EDU_DEVICE_ID)
			boards.push_back(Board{ pci, *address, {} });
	}
	return boards;
}

inline uint64_t next_tag()
{
	static uint64_t t = 0x5eed0000;
	return mix64(++t);
}

// The end-to-end check (docs/testing.md) for one pair of pages: fill the source
// page from the CPU, let the device read it at src_bus and write it out at
// dst_bus, and check from the CPU that the bytes arrived. This proves that
// src_bus is the bus address of src and dst_bus that of dst (the pages may be
// the same). A page moves in two halves, each in and out through the device's
// buffer.
inline AssertionResult dma_round_trip(const EduBar &bar, uint8_t *src,
				      uint64_t src_bus, uint8_t *dst,
				      uint64_t dst_bus)
{
	const uint64_t tag = next_tag();
	fill_pattern(src, kPage, tag);
	if (dst != src)
		fill_pattern(dst, kPage, ~tag);
	for (uint32_t off = 0; off < kPage; off += EDU_DMA_HALF_PAGE) {
		AssertionResult r =
			bar.dma(false, src_bus + off, EDU_DMA_HALF_PAGE);
		if (!r)
			return AssertionFailure()
			       << "DMA RAM->device from " << hex(src_bus + off)
			       << ": " << r.message();
		// Poisoned now that the source half is in the device (covers
		// src == dst): what is found there afterwards came from it.
		fill_pattern(dst + off, EDU_DMA_HALF_PAGE, ~tag ^ 0xdead,
			     off / 8);
		r = bar.dma(true, dst_bus + off, EDU_DMA_HALF_PAGE);
		if (!r)
			return AssertionFailure()
			       << "DMA device->RAM to " << hex(dst_bus + off)
			       << ": " << r.message();
		r = holds_pattern(dst, off + EDU_DMA_HALF_PAGE, tag);
		if (!r)
			return AssertionFailure()
			       << "page at bus " << hex(src_bus)
			       << " -> page at bus " << hex(dst_bus)
			       << ": the destination's " << r.message()
			       << ((src_bus | dst_bus) >> 28
					   ? " [bus addresses above 28 bits: "
					     "this needs -device edu,dma_mask="
					     "0xffffffffffffffff]"
					   : "");
	}
	if (dst != src && !holds_pattern(src, kPage, tag))
		return AssertionFailure()
		       << "source page (bus " << hex(src_bus)
		       << ") changed during a DMA to bus " << hex(dst_bus);
	return AssertionSuccess();
}

using PagePairs = std::vector<std::pair<size_t, size_t>>;

// Pages to check in a buffer of `count` pages: first, last and `nrandom` seeded
// random ones, as (source, destination) pairs that use each page once.
inline PagePairs pick_pairs(size_t count, size_t nrandom, uint64_t seed)
{
	std::vector<size_t> pages;
	std::mt19937_64 rng(seed);
	for (size_t i = 0;
	     pages.size() < std::min(count, nrandom + 2) && i < 1000; i++) {
		const size_t p = i == 0	  ? 0
				 : i == 1 ? count - 1
					  : rng() % count;
		if (std::find(pages.begin(), pages.end(), p) == pages.end())
			pages.push_back(p);
	}
	PagePairs pairs;
	for (size_t i = 0; i + 1 < pages.size(); i += 2)
		pairs.emplace_back(pages[i], pages[i + 1]);
	if (pages.size() % 2)
		pairs.emplace_back(pages.back(), pages[0]);
	return pairs;
}

} // namespace vt

#endif // CRONO_VMTEST_EDU_H
