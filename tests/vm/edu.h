// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// QEMU `edu` device (PCI 1234:11e8) helpers for crono_vmtest, and thin wrappers
// around the driver's ioctls. Header-only (see vmtest.h).
//
// BAR0 is reached the way the vendor library reaches a board: mmap of
// /sys/bus/pci/devices/DDDD:BB:SS.F/resource0 (O_RDWR|O_SYNC, MAP_SHARED).
//
// The edu DMA engine copies between RAM (a bus address: a physical address, or
// an IOVA behind an IOMMU) and its own 4096-byte buffer at device address
// 0x40000. QEMU aborts the whole VM on a transfer outside that buffer, and
// QEMU 7.2 also rejects one that ends exactly at 0x41000, so every transfer
// here is at most 2048 bytes at 0x40000, and edu_dma() refuses anything else.
#ifndef CRONO_EDU_H
#define CRONO_EDU_H

#include "vmtest.h"

#include <crono_pci_drvmod.h>

#include <algorithm>
#include <dirent.h>
#include <memory>
#include <sys/ioctl.h>

namespace vt {

constexpr unsigned kEduVendor = 0x1234;
constexpr unsigned kEduDevice = 0x11e8;
constexpr uint32_t kEduIdValue = 0x010000ed;
constexpr uint64_t kEduBarLen = 0x100000; // 1 MiB

constexpr uint32_t REG_ID = 0x00;
constexpr uint32_t REG_LIVE = 0x04;   // reads back ~(last value written)
constexpr uint32_t REG_FACT = 0x08;   // write n, reads n! once computed
constexpr uint32_t REG_STATUS = 0x20; // bit 0: factorial computing
constexpr uint32_t REG_DMA_SRC = 0x80;
constexpr uint32_t REG_DMA_DST = 0x88;
constexpr uint32_t REG_DMA_CNT = 0x90;
constexpr uint32_t REG_DMA_CMD =
	0x98; // bit 0 start/busy, bit 1 direction (1: device to RAM)

constexpr uint64_t kEduBuf = 0x40000;
constexpr uint64_t kEduBufEnd =
	0x41000; // a transfer must end strictly below this
constexpr uint32_t kHalf = 2048;
constexpr double kDmaTimeoutS =
	10.0; // one transfer takes ~100 ms of guest time
constexpr size_t kPage = 4096;

class EduBar {
public:
	EduBar() = default;
	~EduBar() { close_bar(); }
	EduBar(const EduBar &) = delete;
	EduBar &operator=(const EduBar &) = delete;

	// Map resource0 of the device at sysfs path dev (".../0000:00:04.0").
	bool open_bar(const std::string &dev, std::string *err)
	{
		close_bar();
		std::string path = dev + "/resource0";
		fd_ = open(path.c_str(), O_RDWR | O_SYNC | O_CLOEXEC);
		if (fd_ < 0) {
			*err = "open " + path + ": " + errno_name(errno);
			return false;
		}
		struct stat st;
		if (fstat(fd_, &st) != 0 || st.st_size <= 0) {
			*err = "fstat " + path + ": " + errno_name(errno);
			close_bar();
			return false;
		}
		len_ = static_cast<size_t>(st.st_size);
		void *p = mmap(nullptr, len_, PROT_READ | PROT_WRITE,
			       MAP_SHARED, fd_, 0);
		if (p == MAP_FAILED) {
			*err = "mmap " + path + ": " + errno_name(errno) +
			       " (does the driver keep BAR0 requested?)";
			close_bar();
			return false;
		}
		base_ = static_cast<volatile uint8_t *>(p);
		return true;
	}
	void close_bar()
	{
		if (base_)
			munmap(const_cast<uint8_t *>(base_), len_);
		if (fd_ >= 0)
			close(fd_);
		base_ = nullptr;
		fd_ = -1;
		len_ = 0;
	}
	bool ok() const { return base_ != nullptr; }
	size_t size() const { return len_; }

	uint32_t r32(uint32_t off) const
	{
		if (!base_ || off + 4 > len_)
			return 0xffffffffu;
		return *reinterpret_cast<volatile uint32_t *>(base_ + off);
	}
	void w32(uint32_t off, uint32_t v) const
	{
		if (base_ && off + 4 <= len_)
			*reinterpret_cast<volatile uint32_t *>(base_ + off) = v;
	}
	uint64_t r64(uint32_t off) const
	{
		if (!base_ || off + 8 > len_)
			return ~0ull;
		return *reinterpret_cast<volatile uint64_t *>(base_ + off);
	}
	void w64(uint32_t off, uint64_t v) const
	{
		if (base_ && off + 8 <= len_)
			*reinterpret_cast<volatile uint64_t *>(base_ + off) = v;
	}

private:
	int fd_ = -1;
	volatile uint8_t *base_ = nullptr;
	size_t len_ = 0;
};

// The misc node name of the ABI: "crono_%02X_%02X%02X%02X%01X".
inline std::string crono_node_name(unsigned device_id, unsigned domain,
				   unsigned bus, unsigned slot, unsigned func)
{
	return strf("crono_%02X_%02X%02X%02X%01X", device_id, domain, bus, slot,
		    func);
}

struct Board {
	std::string pci; // "0000:00:04.0"
	unsigned domain = 0, bus = 0, slot = 0, func = 0;
	unsigned device_id = kEduDevice;
	EduBar bar; // mapped by the bar_access scenario, kept for the DMA
		    // scenarios

	std::string sysfs() const { return "/sys/bus/pci/devices/" + pci; }
	std::string node_name() const
	{
		return crono_node_name(device_id, domain, bus, slot, func);
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
		if (ven != kEduVendor || dev != kEduDevice)
			continue;
		auto b = std::make_unique<Board>();
		b->pci = n;
		if (sscanf(n.c_str(), "%x:%x:%x.%x", &b->domain, &b->bus,
			   &b->slot, &b->func) != 4)
			continue;
		b->device_id = static_cast<unsigned>(dev);
		v.push_back(std::move(b));
	}
	return v;
}

// ---------------------------------------------------------------------------------------------
// DMA

inline void full_barrier()
{
	__sync_synchronize();
}

inline bool edu_wait_idle(const EduBar &b, std::string *err)
{
	double end = now_s() + kDmaTimeoutS;
	for (;;) {
		uint32_t cmd = b.r32(REG_DMA_CMD);
		if (!(cmd & 1))
			return true;
		if (now_s() > end) {
			*err = strf("edu DMA did not finish within %.0f s "
				    "(cmd=0x%x)",
				    kDmaTimeoutS, cmd);
			return false;
		}
		sleep_ms(2);
	}
}

// One edu transfer. to_ram=false: RAM at bus address `ram` -> device buffer at
// `dev`; to_ram=true: device buffer at `dev` -> RAM at `ram`.
inline bool edu_dma(const EduBar &b, bool to_ram, uint64_t ram, uint64_t dev,
		    uint32_t len, std::string *err)
{
	if (!b.ok()) {
		*err = "BAR0 not mapped";
		return false;
	}
	// Never let QEMU see an out-of-range transfer: it would abort the whole
	// VM.
	if (len == 0 || dev < kEduBuf || dev + len >= kEduBufEnd) {
		*err = strf("refusing edu transfer of %u bytes at 0x%llx", len,
			    static_cast<unsigned long long>(dev));
		return false;
	}
	if (!edu_wait_idle(b, err))
		return false;
	uint64_t src = to_ram ? dev : ram, dst = to_ram ? ram : dev;
	b.w64(REG_DMA_SRC, src);
	b.w64(REG_DMA_DST, dst);
	b.w64(REG_DMA_CNT, len);
	if (b.r64(REG_DMA_SRC) != src || b.r64(REG_DMA_DST) != dst ||
	    b.r64(REG_DMA_CNT) != len) {
		*err = "edu DMA registers did not take the values written";
		return false;
	}
	full_barrier(); // CPU stores to the RAM side before the device starts
	b.w32(REG_DMA_CMD, 1u | (to_ram ? 2u : 0u));
	if (!edu_wait_idle(b, err))
		return false;
	full_barrier(); // device stores before the CPU reads
	return true;
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

// The end-to-end check of TESTING.md for one pair of pages: fill the source
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
		uint32_t off = half * kHalf;
		std::string e;
		if (!edu_dma(bar, false, src_bus + off, kEduBuf, kHalf, &e)) {
			*err = strf(
				"DMA RAM->device from 0x%llx: %s",
				static_cast<unsigned long long>(src_bus + off),
				e.c_str());
			return false;
		}
		// Poison the destination half now that the source half is in
		// the device (covers src == dst): what is found there
		// afterwards came from the device.
		fill_pattern(dst_cpu + off, kHalf, ~tag ^ 0xdead, off / 8);
		if (!edu_dma(bar, true, dst_bus + off, kEduBuf, kHalf, &e)) {
			*err = strf(
				"DMA device->RAM to 0x%llx: %s",
				static_cast<unsigned long long>(dst_bus + off),
				e.c_str());
			return false;
		}
		uint64_t got = 0, want = 0;
		long bad = find_mismatch(dst_cpu + off, kHalf, tag, off / 8,
					 &got, &want);
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

// ---------------------------------------------------------------------------------------------
// Driver ioctls

inline int crono_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) == 0 ? 0 : errno;
}

inline int unlock_sg(int fd, int32_t id)
{
	int v = id;
	return crono_ioctl(fd, IOCTL_CRONO_UNLOCK_BUFFER, &v);
}
inline int unlock_contig(int fd, int32_t id)
{
	int v = id;
	return crono_ioctl(fd, IOCTL_CRONO_UNLOCK_CONTIG_BUFFER, &v);
}

inline int cleanup_setup(int fd, const std::vector<CRONO_KERNEL_CMD> &cmds,
			 uint32_t count)
{
	CRONO_KERNEL_CMDS_INFO info;
	memset(&info, 0, sizeof info);
	info.cmds = reinterpret_cast<uint64_t>(cmds.data());
	info.ucmds = reinterpret_cast<uint64_t>(cmds.data());
	info.count = count;
	return crono_ioctl(fd, IOCTL_CRONO_CLEANUP_SETUP, &info);
}
inline int cleanup_setup(int fd, const std::vector<CRONO_KERNEL_CMD> &cmds)
{
	return cleanup_setup(fd, cmds, static_cast<uint32_t>(cmds.size()));
}
inline CRONO_KERNEL_CMD kcmd(uint32_t addr, uint32_t data)
{
	CRONO_KERNEL_CMD c;
	c.addr = addr;
	c.data = data;
	return c;
}

constexpr uint64_t kSentinel = 0x5e47149e15e47149ull;

// A locked scatter/gather buffer: fresh anonymous memory and its page table.
struct SgBuf {
	int fd = -1;
	Mapping mem;
	std::vector<uint64_t>
		table; // count entries and a sentinel the driver must not touch
	uint32_t count = 0;
	int32_t id = -1;
	bool locked = false;

	uint8_t *page(size_t i) const { return mem.page(i); }
	int unlock()
	{
		if (!locked)
			return 0;
		locked = false;
		return unlock_sg(fd, id);
	}
};

// LOCK_BUFFER `size` bytes of fresh anonymous memory on fd, and check
// everything the ABI says about the result (id, struct copied back with only id
// changed, entries nonzero, 4096-aligned, distinct, nothing written past the
// table, and - when check_pin_count - exactly `count` pages pinned). Records
// failures; false when the buffer is not usable.
inline bool sg_lock_checked(int fd, size_t size, SgBuf *b,
			    bool check_pin_count = true)
{
	b->fd = fd;
	b->count = static_cast<uint32_t>((size + kPage - 1) / kPage);
	b->mem = Mapping::anon(size);
	if (!b->mem.ok()) {
		VT_FAIL("mmap of %zu bytes: %s", size,
			errno_name(b->mem.err()).c_str());
		return false;
	}
	b->table.assign(b->count + 1, 0);
	b->table[b->count] = kSentinel;
	Pins before = check_pin_count ? read_pins() : Pins();

	CRONO_SG_BUFFER_INFO info;
	memset(&info, 0, sizeof info);
	info.addr = b->mem.addr();
	info.size = size;
	info.pages = reinterpret_cast<uint64_t>(
		b->table.data()); // as the vendor library does
	info.upages = reinterpret_cast<uint64_t>(b->table.data());
	info.pages_count = b->count;
	info.id = -12345;
	CRONO_SG_BUFFER_INFO sent = info;
	int e = crono_ioctl(fd, IOCTL_CRONO_LOCK_BUFFER, &info);
	if (e) {
		VT_FAIL("LOCK_BUFFER of %zu bytes: %s", size,
			errno_name(e).c_str());
		return false;
	}
	b->id = info.id;
	b->locked = true;
	bool ok = true;
	if (info.id < 0) {
		VT_FAIL("LOCK_BUFFER returned id %d", info.id);
		ok = false;
	}
	if (info.addr != sent.addr || info.size != sent.size ||
	    info.pages != sent.pages || info.upages != sent.upages ||
	    info.pages_count != sent.pages_count) {
		VT_FAIL("LOCK_BUFFER changed fields other than id (addr 0x%llx "
			"size %llu pages "
			"0x%llx upages 0x%llx pages_count %u)",
			static_cast<unsigned long long>(info.addr),
			static_cast<unsigned long long>(info.size),
			static_cast<unsigned long long>(info.pages),
			static_cast<unsigned long long>(info.upages),
			info.pages_count);
		ok = false;
	}
	if (b->table[b->count] != kSentinel) {
		VT_FAIL("LOCK_BUFFER wrote past pages_count entries");
		ok = false;
	}
	size_t bad = 0, first_bad = 0;
	for (size_t i = 0; i < b->count; i++)
		if (b->table[i] == 0 || (b->table[i] & (kPage - 1))) {
			if (!bad++)
				first_bad = i;
		}
	if (bad) {
		VT_FAIL("%zu of %u page-table entries are zero or not "
			"4096-aligned (first: "
			"entry %zu = 0x%llx)",
			bad, b->count, first_bad,
			static_cast<unsigned long long>(b->table[first_bad]));
		ok = false;
	}
	std::vector<uint64_t> sorted(b->table.begin(),
				     b->table.begin() + b->count);
	std::sort(sorted.begin(), sorted.end());
	auto dup = std::adjacent_find(sorted.begin(), sorted.end());
	if (dup != sorted.end()) {
		VT_FAIL("page-table entries are not distinct (0x%llx appears "
			"twice)",
			static_cast<unsigned long long>(*dup));
		ok = false;
	}
	if (check_pin_count &&
	    !CHECK_PINS(before, b->count, "after LOCK_BUFFER"))
		ok = false;
	return ok;
}

// The end-to-end DMA check over the given pairs of pages of a locked buffer.
inline bool sg_dma_check(const EduBar &bar, const SgBuf &b,
			 const std::vector<std::pair<size_t, size_t>> &pairs)
{
	bool ok = true;
	for (auto &pr : pairs) {
		std::string err;
		if (!dma_check_pair(bar, b.page(pr.first), b.table[pr.first],
				    b.page(pr.second), b.table[pr.second],
				    &err)) {
			VT_FAIL("DMA check page %zu -> page %zu of %u: %s",
				pr.first, pr.second, b.count, err.c_str());
			ok = false;
		}
	}
	return ok;
}

// A locked contiguous (coherent) buffer and its mapping through the device
// file.
struct ContigBuf {
	int fd = -1;
	size_t size = 0;
	int32_t id = -1;
	uint64_t dma = 0;
	Mapping map;
	bool locked = false;

	uint8_t *page(size_t i) const { return map.page(i); }
	int unlock()
	{
		if (!locked)
			return 0;
		locked = false;
		return unlock_contig(fd, id);
	}
};

constexpr uint64_t kUserAddrMarker = 0x1122334455667788ull;

// LOCK_CONTIG_BUFFER and mmap at id * 4096, checking what the ABI says about
// the result.
inline bool contig_lock_checked(int fd, size_t size, ContigBuf *c,
				bool do_mmap = true)
{
	c->fd = fd;
	c->size = size;
	CRONO_CONTIG_BUFFER_INFO info;
	memset(&info, 0, sizeof info);
	info.size = size;
	info.addr = 0xdeadbeefcafe0000ull; // must come back as 0
	info.pUserAddr = kUserAddrMarker;  // passed through
	info.id = -12345;
	int e = crono_ioctl(fd, IOCTL_CRONO_LOCK_CONTIG_BUFFER, &info);
	if (e) {
		VT_FAIL("LOCK_CONTIG_BUFFER of %zu bytes: %s", size,
			errno_name(e).c_str());
		return false;
	}
	c->id = info.id;
	c->dma = info.dma_handle;
	c->locked = true;
	bool ok = true;
	if (info.id < 0) {
		VT_FAIL("LOCK_CONTIG_BUFFER returned id %d", info.id);
		ok = false;
	}
	if (info.addr != 0) {
		VT_FAIL("LOCK_CONTIG_BUFFER returned addr 0x%llx, the ABI says "
			"always 0",
			static_cast<unsigned long long>(info.addr));
		ok = false;
	}
	if (info.pUserAddr != kUserAddrMarker) {
		VT_FAIL("LOCK_CONTIG_BUFFER changed pUserAddr to 0x%llx",
			static_cast<unsigned long long>(info.pUserAddr));
		ok = false;
	}
	if (info.dma_handle == 0 || (info.dma_handle & (kPage - 1))) {
		VT_FAIL("LOCK_CONTIG_BUFFER dma_handle 0x%llx is zero or not "
			"page-aligned",
			static_cast<unsigned long long>(info.dma_handle));
		ok = false;
	}
	if (!ok || !do_mmap)
		return ok;
	c->map = Mapping::map(size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			      static_cast<off_t>(info.id) *
				      static_cast<off_t>(kPage));
	if (!c->map.ok()) {
		VT_FAIL("mmap of contiguous buffer id %d (%zu bytes at offset "
			"id*4096): %s",
			info.id, size, errno_name(c->map.err()).c_str());
		return false;
	}
	for (size_t i = 0; i < size; i++)
		if (c->map.data()[i] != 0) {
			VT_FAIL("new contiguous buffer is not zeroed (byte %zu "
				"= 0x%02x)",
				i, c->map.data()[i]);
			return false;
		}
	return true;
}

// ---------------------------------------------------------------------------------------------
// /proc/self/pagemap: physical address of a (present) user page, 0 if unknown.

inline uint64_t phys_addr_of(const void *p, std::string *err)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = "open /proc/self/pagemap: " + errno_name(errno);
		return 0;
	}
	uint64_t e = 0;
	off_t off =
		static_cast<off_t>(reinterpret_cast<uint64_t>(p) / kPage * 8);
	ssize_t n = pread(fd, &e, sizeof e, off);
	close(fd);
	if (n != static_cast<ssize_t>(sizeof e)) {
		*err = "read /proc/self/pagemap: " + errno_name(errno);
		return 0;
	}
	if (!(e >> 63)) {
		*err = "page not present in pagemap";
		return 0;
	}
	uint64_t pfn = e & ((1ull << 55) - 1);
	if (pfn == 0) {
		*err = "pagemap hides PFNs (no CAP_SYS_ADMIN?)";
		return 0;
	}
	return pfn * kPage;
}

// ---------------------------------------------------------------------------------------------
// /dev/kmsg: the kernel log records written after open.

class Kmsg {
public:
	bool open_at_end(std::string *err)
	{
		fd_ = Fd(open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC));
		if (!fd_.valid()) {
			*err = "open /dev/kmsg: " + errno_name(errno);
			return false;
		}
		if (lseek(fd_.get(), 0, SEEK_END) < 0) {
			*err = "lseek /dev/kmsg: " + errno_name(errno);
			return false;
		}
		return true;
	}
	// Message texts of the records since open (or the last call).
	std::vector<std::string> read_new()
	{
		std::vector<std::string> v;
		char buf[8192];
		for (;;) {
			ssize_t n = read(fd_.get(), buf, sizeof buf - 1);
			if (n < 0 && (errno == EPIPE || errno == EINTR))
				continue; // overwritten record: go on with the
					  // next one
			if (n <= 0)
				break;
			buf[n] = 0;
			const char *semi = strchr(buf, ';');
			std::string text = semi ? semi + 1 : buf;
			size_t nl = text.find('\n');
			if (nl != std::string::npos)
				text.resize(nl);
			v.push_back(text);
		}
		return v;
	}

private:
	Fd fd_;
};

inline std::string lower(std::string s)
{
	for (char &c : s)
		if (c >= 'A' && c <= 'Z')
			c = static_cast<char>(c - 'A' + 'a');
	return s;
}

} // namespace vt

#endif // CRONO_EDU_H
