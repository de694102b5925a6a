// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// The driver's requests as the tests make them, and the locked buffers they
// check end to end.
#ifndef CRONO_VMTEST_DRIVER_H
#define CRONO_VMTEST_DRIVER_H

#include "edu.h"
#include "pins.h"

#include <crono_pci_drvmod.h>

#include <sys/ioctl.h>

namespace vt {

// ioctl(2): 0 or the errno.
inline int crono_ioctl(int fd, unsigned long req, void *arg)
{
	return errno_of(ioctl(fd, req, arg));
}

inline uint64_t uaddr(const void *p)
{
	return reinterpret_cast<uint64_t>(p);
}

// Every request, by number and name.
inline const std::pair<unsigned long, const char *> kRequests[] = {
	{ IOCTL_CRONO_LOCK_BUFFER, "LOCK_BUFFER" },
	{ IOCTL_CRONO_UNLOCK_BUFFER, "UNLOCK_BUFFER" },
	{ IOCTL_CRONO_CLEANUP_SETUP, "CLEANUP_SETUP" },
	{ IOCTL_CRONO_LOCK_CONTIG_BUFFER, "LOCK_CONTIG_BUFFER" },
	{ IOCTL_CRONO_UNLOCK_CONTIG_BUFFER, "UNLOCK_CONTIG_BUFFER" },
};

// A LOCK_BUFFER argument; pages and upages both name the table, as the vendor
// library does it.
inline CRONO_SG_BUFFER_INFO sg_info(uint64_t addr, uint64_t size,
				    uint64_t upages, uint32_t count)
{
	return { addr, size, upages, upages, count, -1 };
}

inline CRONO_CONTIG_BUFFER_INFO contig_info(uint64_t size)
{
	CRONO_CONTIG_BUFFER_INFO info = {};
	info.size = size;
	info.id = -1;
	return info;
}

inline CRONO_KERNEL_CMD kcmd(uint32_t addr, uint32_t data)
{
	return { addr, data };
}

inline CRONO_KERNEL_CMDS_INFO cmds_info(uint64_t ucmds, uint32_t count)
{
	return { ucmds, ucmds, count, 0 };
}

inline int cleanup_setup(int fd, const std::vector<CRONO_KERNEL_CMD> &cmds)
{
	CRONO_KERNEL_CMDS_INFO info =
		cmds_info(uaddr(cmds.data()), cmds.size());
	return crono_ioctl(fd, IOCTL_CRONO_CLEANUP_SETUP, &info);
}

inline int lock_sg(int fd, CRONO_SG_BUFFER_INFO *info)
{
	return crono_ioctl(fd, IOCTL_CRONO_LOCK_BUFFER, info);
}

inline int lock_contig(int fd, CRONO_CONTIG_BUFFER_INFO *info)
{
	return crono_ioctl(fd, IOCTL_CRONO_LOCK_CONTIG_BUFFER, info);
}

inline int unlock_sg(int fd, int32_t id)
{
	return crono_ioctl(fd, IOCTL_CRONO_UNLOCK_BUFFER, &id);
}

inline int unlock_contig(int fd, int32_t id)
{
	return crono_ioctl(fd, IOCTL_CRONO_UNLOCK_CONTIG_BUFFER, &id);
}

// The mmap of contiguous buffer id through the device file.
inline Mapping map_buffer(int fd, int32_t id, size_t len,
			  int prot = PROT_READ | PROT_WRITE)
{
	return Mapping::map(len, prot, MAP_SHARED, fd,
			    off_t(id) * off_t(kPage));
}

// EXPECT_TRUE(aligned_entries(table, n)): the n page-table entries are nonzero
// and 4096-aligned.
inline AssertionResult aligned_entries(const uint64_t *table, size_t n)
{
	auto bad = [](uint64_t e) { return e == 0 || e % kPage; };
	const uint64_t *first = std::find_if(table, table + n, bad);
	if (first == table + n)
		return AssertionSuccess();
	return AssertionFailure()
	       << std::count_if(table, table + n, bad) << " of " << n
	       << " page-table entries are zero or not 4096-aligned (first: "
		  "entry "
	       << first - table << " = " << hex(*first) << ")";
}

constexpr uint64_t kSentinel = 0x5e47149e15e47149ull;

// A locked scatter/gather buffer: fresh anonymous memory and its page table.
struct SgBuf {
	int fd = -1;
	Mapping mem;
	// count entries and a sentinel the driver must not touch
	std::vector<uint64_t> table;
	uint32_t count = 0;
	int32_t id = -1;
	bool locked = false;

	uint8_t *page(size_t i) const { return mem.page(i); }
	// UNLOCK_BUFFER unless done: 0 or the errno.
	int unlock()
	{
		return std::exchange(locked, false) ? unlock_sg(fd, id) : 0;
	}

	// LOCK_BUFFER of `size` bytes of fresh anonymous memory on file, and a
	// check of all that the ABI says of the result: the id, the struct
	// copied back with only the id changed, the page table, nothing written
	// past it and, with count_pins, exactly `count` more pages pinned. True
	// when all holds.
	bool lock(int file, size_t size, bool count_pins = true)
	{
		Mapping memory = Mapping::anon(size);
		EXPECT_TRUE(succeeds(memory.err()))
			<< "mmap of " << size << " bytes";
		if (!memory.ok())
			return false;
		return lock_memory(file, std::move(memory), count_pins);
	}

	// The same with memory the caller prepared (huge pages, a layout),
	// all of it.
	bool lock_memory(int file, Mapping memory, bool count_pins = true)
	{
		const int failures = recorded_failures();
		const size_t size = memory.size();
		fd = file;
		count = uint32_t((size + kPage - 1) / kPage);
		mem = std::move(memory);
		table.assign(count + 1, 0);
		table[count] = kSentinel;
		const Pins before = count_pins ? read_pins() : Pins();
		CRONO_SG_BUFFER_INFO info =
			sg_info(mem.addr(), size, uaddr(table.data()), count);
		info.id = -12345;
		const CRONO_SG_BUFFER_INFO sent = info;
		const int e = lock_sg(fd, &info);
		EXPECT_TRUE(succeeds(e))
			<< "LOCK_BUFFER of " << size << " bytes";
		if (e)
			return false;
		id = info.id;
		locked = true;
		EXPECT_GE(id, 0) << "LOCK_BUFFER's id";
		auto fields = [](const CRONO_SG_BUFFER_INFO &i) {
			return std::make_tuple(i.addr, i.size, i.pages,
					       i.upages, i.pages_count);
		};
		EXPECT_EQ(fields(info), fields(sent))
			<< "LOCK_BUFFER changed fields other than id";
		EXPECT_EQ(table[count], kSentinel)
			<< "LOCK_BUFFER wrote past pages_count entries";
		EXPECT_TRUE(aligned_entries(table.data(), count));
		std::vector<uint64_t> sorted(table.begin(), table.end() - 1);
		std::sort(sorted.begin(), sorted.end());
		const auto dup =
			std::adjacent_find(sorted.begin(), sorted.end());
		EXPECT_TRUE(dup == sorted.end())
			<< "page-table entries are not distinct (" << hex(*dup)
			<< " appears twice)";
		if (count_pins) {
			EXPECT_TRUE(pins_moved_by(before, count))
				<< "after LOCK_BUFFER";
		}
		return recorded_failures() == failures;
	}

	// The DMA check through pairs of pages (source, destination).
	AssertionResult dma_check(const EduBar &bar,
				  const PagePairs &pairs) const
	{
		std::string bad;
		for (const auto &[s, d] : pairs) {
			const AssertionResult r = dma_round_trip(
				bar, page(s), table[s], page(d), table[d]);
			if (!r)
				bad += cat("\npage ", s, " -> page ", d, " of ",
					   count, ": ", r.message());
		}
		if (bad.empty())
			return AssertionSuccess();
		return AssertionFailure() << "DMA check" << bad;
	}
};

// Locks `size` bytes on fd, checks device DMA through pairs of its pages, and
// unlocks.
inline void sg_round_trip(const EduBar &bar, int fd, size_t size,
			  const PagePairs &pairs, bool count_pins = true)
{
	SgBuf s;
	// DMA only through a table that passed the checks: the device writes
	// wherever it says.
	if (s.lock(fd, size, count_pins)) {
		EXPECT_TRUE(s.dma_check(bar, pairs));
	}
	EXPECT_TRUE(succeeds(s.unlock())) << "UNLOCK_BUFFER(" << s.id << ")";
}

constexpr uint64_t kUserAddrMarker = 0x1122334455667788ull;

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
	// UNLOCK_CONTIG_BUFFER unless done: 0 or the errno.
	int unlock()
	{
		return std::exchange(locked, false) ? unlock_contig(fd, id) : 0;
	}

	// LOCK_CONTIG_BUFFER on file and a check of what the ABI says of the
	// result; with do_mmap, the mmap at id * 4096, which must be zeroed.
	// True when all holds.
	bool lock(int file, size_t bytes, bool do_mmap = true)
	{
		const int failures = recorded_failures();
		fd = file;
		size = bytes;
		CRONO_CONTIG_BUFFER_INFO info = contig_info(size);
		info.addr = 0xdeadbeefcafe0000ull; // must come back as 0
		info.pUserAddr = kUserAddrMarker;  // passed through
		info.id = -12345;
		const int e = lock_contig(fd, &info);
		EXPECT_TRUE(succeeds(e))
			<< "LOCK_CONTIG_BUFFER of " << size << " bytes";
		if (e)
			return false;
		id = info.id;
		dma = info.dma_handle;
		locked = true;
		EXPECT_GE(id, 0) << "LOCK_CONTIG_BUFFER's id";
		EXPECT_EQ(info.addr, 0u)
			<< "LOCK_CONTIG_BUFFER's addr, the ABI says always 0";
		EXPECT_EQ(info.pUserAddr, kUserAddrMarker)
			<< "LOCK_CONTIG_BUFFER changed pUserAddr";
		EXPECT_TRUE(dma && dma % kPage == 0)
			<< "LOCK_CONTIG_BUFFER's dma_handle " << hex(dma)
			<< " is zero or not page-aligned";
		if (!do_mmap || recorded_failures() != failures)
			return recorded_failures() == failures;
		map = map_buffer(fd, id, size);
		EXPECT_TRUE(succeeds(map.err()))
			<< "mmap of contiguous buffer " << id << " (" << size
			<< " bytes at offset id * 4096)";
		if (!map.ok())
			return false;
		uint8_t *end = map.data() + size;
		uint8_t *nonzero = std::find_if(
			map.data(), end, [](uint8_t b) { return b != 0; });
		EXPECT_TRUE(nonzero == end)
			<< "new contiguous buffer is not zeroed (byte "
			<< nonzero - map.data() << " = " << hex(*nonzero)
			<< ")";
		return recorded_failures() == failures;
	}

	// The DMA check from page src to page dst of the buffer.
	AssertionResult dma_check(const EduBar &bar, size_t src, size_t dst)
	{
		return dma_round_trip(bar, page(src), dma + src * kPage,
				      page(dst), dma + dst * kPage);
	}
};

// LOCK_BUFFER with these fields must fail with one of `want`, leaving nothing
// pinned while the file is still open.
inline void lock_expect(int fd, const std::string &what, uint64_t addr,
			uint64_t size, uint64_t upages, uint32_t count,
			const std::vector<int> &want)
{
	const Pins base = read_pins();
	CRONO_SG_BUFFER_INFO info = sg_info(addr, size, upages, count);
	const int e = lock_sg(fd, &info);
	EXPECT_TRUE(fails_with(e, want)) << "LOCK_BUFFER " << what;
	if (!e && info.id >= 0)
		unlock_sg(fd, info.id);
	EXPECT_TRUE(pins_moved_by(base, 0))
		<< "after LOCK_BUFFER " << what << ", file still open";
}

} // namespace vt

#endif // CRONO_VMTEST_DRIVER_H
