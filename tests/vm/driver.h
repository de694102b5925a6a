// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// The driver's requests as the tests make them, and the locked buffers they
// check end to end.
#ifndef CRONO_VMTEST_DRIVER_H
#define CRONO_VMTEST_DRIVER_H

#include "edu_engine.h"
#include "pins.h"

#include <crono_pci_drvmod.h>

#include <sys/ioctl.h>

namespace vt {

// ---------------------------------------------------------------------------------------------
// Driver ioctls

inline int crono_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) == 0 ? 0 : errno;
}

inline uint64_t uaddr(const void *p)
{
	return reinterpret_cast<uint64_t>(p);
}

// A LOCK_BUFFER argument; pages and upages both name the table, as the vendor
// library does it.
inline CRONO_SG_BUFFER_INFO sg_info(uint64_t addr, uint64_t size,
				    uint64_t upages, uint32_t count)
{
	CRONO_SG_BUFFER_INFO info;
	memset(&info, 0, sizeof info);
	info.addr = addr;
	info.size = size;
	info.pages = info.upages = upages;
	info.pages_count = count;
	info.id = -1;
	return info;
}

inline CRONO_CONTIG_BUFFER_INFO contig_info(uint64_t size)
{
	CRONO_CONTIG_BUFFER_INFO info;
	memset(&info, 0, sizeof info);
	info.size = size;
	info.id = -1;
	return info;
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
	info.cmds = info.ucmds = uaddr(cmds.data());
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
		ADD_FAILURE() << strf("mmap of %zu bytes: %s", size,
				      errno_name(b->mem.err()).c_str());
		return false;
	}
	b->table.assign(b->count + 1, 0);
	b->table[b->count] = kSentinel;
	Pins before = check_pin_count ? read_pins() : Pins();

	CRONO_SG_BUFFER_INFO info =
		sg_info(b->mem.addr(), size, uaddr(b->table.data()), b->count);
	info.id = -12345;
	CRONO_SG_BUFFER_INFO sent = info;
	int e = crono_ioctl(fd, IOCTL_CRONO_LOCK_BUFFER, &info);
	if (e) {
		ADD_FAILURE() << strf("LOCK_BUFFER of %zu bytes: %s", size,
				      errno_name(e).c_str());
		return false;
	}
	b->id = info.id;
	b->locked = true;
	bool ok = true;
	if (info.id < 0) {
		ADD_FAILURE() << strf("LOCK_BUFFER returned id %d", info.id);
		ok = false;
	}
	if (info.addr != sent.addr || info.size != sent.size ||
	    info.pages != sent.pages || info.upages != sent.upages ||
	    info.pages_count != sent.pages_count) {
		ADD_FAILURE() << strf(
			"LOCK_BUFFER changed fields other than id (addr 0x%llx "
			"size %llu pages 0x%llx upages 0x%llx pages_count %u)",
			static_cast<unsigned long long>(info.addr),
			static_cast<unsigned long long>(info.size),
			static_cast<unsigned long long>(info.pages),
			static_cast<unsigned long long>(info.upages),
			info.pages_count);
		ok = false;
	}
	if (b->table[b->count] != kSentinel) {
		ADD_FAILURE() << "LOCK_BUFFER wrote past pages_count entries";
		ok = false;
	}
	size_t bad = 0, first_bad = 0;
	for (size_t i = 0; i < b->count; i++)
		if (b->table[i] == 0 || (b->table[i] & (kPage - 1))) {
			if (!bad++)
				first_bad = i;
		}
	if (bad) {
		ADD_FAILURE() << strf(
			"%zu of %u page-table entries are zero or not "
			"4096-aligned (first: entry %zu = 0x%llx)",
			bad, b->count, first_bad,
			static_cast<unsigned long long>(b->table[first_bad]));
		ok = false;
	}
	std::vector<uint64_t> sorted(b->table.begin(),
				     b->table.begin() + b->count);
	std::sort(sorted.begin(), sorted.end());
	auto dup = std::adjacent_find(sorted.begin(), sorted.end());
	if (dup != sorted.end()) {
		ADD_FAILURE() << strf("page-table entries are not distinct "
				      "(0x%llx appears twice)",
				      static_cast<unsigned long long>(*dup));
		ok = false;
	}
	if (check_pin_count) {
		::testing::AssertionResult pinned =
			pins_moved_by(before, b->count);
		EXPECT_TRUE(pinned) << "after LOCK_BUFFER";
		ok = ok && pinned;
	}
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
			ADD_FAILURE() << strf(
				"DMA check page %zu -> page %zu of %u: %s",
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
	CRONO_CONTIG_BUFFER_INFO info = contig_info(size);
	info.addr = 0xdeadbeefcafe0000ull; // must come back as 0
	info.pUserAddr = kUserAddrMarker;  // passed through
	info.id = -12345;
	int e = crono_ioctl(fd, IOCTL_CRONO_LOCK_CONTIG_BUFFER, &info);
	if (e) {
		ADD_FAILURE() << strf("LOCK_CONTIG_BUFFER of %zu bytes: %s",
				      size, errno_name(e).c_str());
		return false;
	}
	c->id = info.id;
	c->dma = info.dma_handle;
	c->locked = true;
	bool ok = true;
	if (info.id < 0) {
		ADD_FAILURE()
			<< strf("LOCK_CONTIG_BUFFER returned id %d", info.id);
		ok = false;
	}
	if (info.addr != 0) {
		ADD_FAILURE()
			<< strf("LOCK_CONTIG_BUFFER returned addr 0x%llx, the "
				"ABI says always 0",
				static_cast<unsigned long long>(info.addr));
		ok = false;
	}
	if (info.pUserAddr != kUserAddrMarker) {
		ADD_FAILURE() << strf(
			"LOCK_CONTIG_BUFFER changed pUserAddr to 0x%llx",
			static_cast<unsigned long long>(info.pUserAddr));
		ok = false;
	}
	if (info.dma_handle == 0 || (info.dma_handle & (kPage - 1))) {
		ADD_FAILURE() << strf(
			"LOCK_CONTIG_BUFFER dma_handle 0x%llx is zero or not "
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
		ADD_FAILURE() << strf("mmap of contiguous buffer id %d (%zu "
				      "bytes at offset id*4096): %s",
				      info.id, size,
				      errno_name(c->map.err()).c_str());
		return false;
	}
	for (size_t i = 0; i < size; i++)
		if (c->map.data()[i] != 0) {
			ADD_FAILURE() << strf("new contiguous buffer is not "
					      "zeroed (byte %zu = 0x%02x)",
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

// LOCK_BUFFER with these fields must fail with one of `want`, leaving nothing
// pinned while the file is still open.
inline void lock_expect(int fd, const std::string &what, uint64_t addr,
			uint64_t size, uint64_t upages, uint32_t count,
			const std::vector<int> &want)
{
	Pins base = read_pins();
	CRONO_SG_BUFFER_INFO info = sg_info(addr, size, upages, count);
	SysRes r = sys(ioctl(fd, IOCTL_CRONO_LOCK_BUFFER, &info));
	EXPECT_TRUE(fails_with(r, want)) << "LOCK_BUFFER " << what;
	if (r.ok() && info.id >= 0)
		unlock_sg(fd, info.id);
	EXPECT_TRUE(pins_moved_by(base, 0))
		<< "after LOCK_BUFFER " << what << ", file still open";
}

} // namespace vt

#endif // CRONO_VMTEST_DRIVER_H
