// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Buffers backed by huge pages, transparent ones (MADV_HUGEPAGE) and 2 MiB
// hugetlbfs pages (the guest's hugepages= reserve), lock and unlock: the
// page table still has one entry per 4 KiB, the device reaches the first,
// last and random pages through it, the pages really were huge, the pins
// balance after unlock. And the driver's bookkeeping_bytes: what it keeps
// per buffer grows with a fragmented buffer by exactly its sg table.
#include "fixture.h"

#include <cstdlib>

using namespace vt;

namespace {

class HugePages_PlainIommu : public BoardTest {};

constexpr size_t kHuge = 2 << 20;

// The sum of an smaps field (in kB) over the mappings inside
// [addr, addr + len).
uint64_t smaps_kb(uint64_t addr, size_t len, const std::string &field)
{
	std::ifstream smaps("/proc/self/smaps");
	uint64_t kb = 0;
	bool inside = false;
	for (std::string line; std::getline(smaps, line);) {
		unsigned long long start, end;
		if (sscanf(line.c_str(), "%llx-%llx ", &start, &end) == 2 &&
		    line.find(':') > line.find(' ')) {
			inside = start >= addr && end <= addr + len;
			continue;
		}
		if (inside && line.rfind(field + ":", 0) == 0)
			kb += strtoull(line.c_str() + field.size() + 1, nullptr,
				       10);
	}
	return kb;
}

// /proc/meminfo's field, or -1.
long long meminfo(const std::string &field)
{
	std::ifstream in("/proc/meminfo");
	for (std::string line; std::getline(in, line);)
		if (line.rfind(field + ":", 0) == 0)
			return atoll(line.c_str() + field.size() + 1);
	return -1;
}

// The page frame numbers of the pages of [addr, addr + len), through
// /proc/self/pagemap (root); empty on failure.
std::vector<uint64_t> pfns(uint64_t addr, size_t len)
{
	std::vector<uint64_t> out;
	Fd pagemap = open_fd("/proc/self/pagemap", O_RDONLY);
	if (!pagemap.valid())
		return out;
	for (uint64_t va = addr; va < addr + len; va += kPage) {
		uint64_t e = 0;
		if (pread(pagemap.get(), &e, 8, off_t(va / kPage * 8)) != 8 ||
		    !(e >> 63) || !(e & ((1ull << 55) - 1)))
			return {};
		out.push_back(e & ((1ull << 55) - 1));
	}
	return out;
}

// The slab size kmalloc gives for n bytes (x86-64 SLUB caches).
uint64_t kmalloc_size(uint64_t n)
{
	if (n <= 96 && n > 64)
		return 96;
	if (n <= 192 && n > 128)
		return 192;
	uint64_t size = 8;
	while (size < n)
		size *= 2;
	return size;
}

// The bytes of scatterlist chunks the kernel's
// sg_alloc_append_table_from_pages() allocates for pages of these frames
// appended in batches, as the driver appends them (segment limit out of
// reach: the driver raises it to 4 GiB). A chunk is a page when full, else
// a kmalloc block; the last slot of a chunk links to the next one unless it
// takes the very last segment.
uint64_t sg_chunk_bytes(const std::vector<uint64_t> &pfn, size_t batch,
			size_t entry_size)
{
	const size_t per_chunk = kPage / entry_size;
	uint64_t bytes = 0, next_pfn = 0;
	size_t chunk = 0, slot = 0; // the current chunk's size, last slot
	bool have_prev = false;
	for (size_t done = 0; done < pfn.size();) {
		const size_t n = std::min(batch, pfn.size() - done);
		const size_t left = pfn.size() - done - n;
		size_t i = 0;
		// Merged into the previous segment.
		while (have_prev && i < n && pfn[done + i] == next_pfn) {
			next_pfn++;
			i++;
		}
		std::vector<size_t> starts;
		for (size_t j = i; j < n; j++)
			if (j == i || pfn[done + j] != pfn[done + j - 1] + 1)
				starts.push_back(j);
		for (size_t k = 0; k < starts.size(); k++) {
			const size_t needed = starts.size() - k + left;
			if (chunk && (slot + 1 < chunk - 1 || needed == 1)) {
				slot++;
			} else {
				chunk = std::min(needed, per_chunk);
				bytes += chunk == per_chunk
						 ? kPage
						 : kmalloc_size(chunk *
								entry_size);
				slot = 0;
			}
		}
		if (!starts.empty())
			have_prev = true;
		next_pfn = pfn[done + n - 1] + 1;
		done += n;
	}
	return bytes;
}

uint64_t sg_chunk_bytes_of(const SgBuf &s)
{
	// struct scatterlist: 32 bytes on x86-64, whatever the configuration
	// (page_link, offset, length, dma_address, dma_length, dma_flags).
	return sg_chunk_bytes(pfns(s.mem.addr(), s.mem.size()), 512, 32);
}

// Anonymous memory of `size` bytes backed by transparent huge pages,
// touched; empty (with a failure) when the kernel gave small pages.
Mapping thp_memory(size_t size)
{
	Mapping m = Mapping::anon_aligned(size, kHuge);
	EXPECT_TRUE(succeeds(m.err())) << "mmap of " << size << " bytes";
	if (!m.ok())
		return m;
	EXPECT_TRUE(succeeds(errno_of(madvise(m.data(), size, MADV_HUGEPAGE))))
		<< "madvise(MADV_HUGEPAGE)";
	memset(m.data(), 0x3c, size);
	const uint64_t kb = smaps_kb(m.addr(), size, "AnonHugePages");
	EXPECT_EQ(kb, size / 1024)
		<< "AnonHugePages of the buffer: not all of it is huge";
	return kb == size / 1024 ? std::move(m) : Mapping();
}

// Lock, device DMA through the first, last and random pages, unlock, pins
// balanced; the pages still huge while locked (checked by is_huge).
void lock_huge_and_dma(Mapping memory, uint64_t seed,
		       const std::function<bool(const Mapping &)> &is_huge)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	const Pins base = read_pins();
	const size_t pages = memory.size() / kPage;
	SgBuf s;
	if (s.lock_memory(fd.get(), std::move(memory))) {
		EXPECT_TRUE(is_huge(s.mem)) << "while locked";
		EXPECT_TRUE(
			s.dma_check(board(0).bar, pick_pairs(pages, 6, seed)));
		// Without an IOMMU the entries are physical: one run of
		// consecutive addresses per huge page at most.
		size_t runs = 1;
		for (size_t i = 1; i < pages; i++)
			runs += s.table[i] != s.table[i - 1] + kPage;
		if (g.setup == PLAIN)
			EXPECT_LE(runs, pages * kPage / kHuge);
		// What the driver keeps: a one-page table at most beside
		// its objects, not a page array (8 bytes per page).
		EXPECT_LT(read_stat(board(0), "bookkeeping_bytes"),
			  (long long)(2 * kPage));
	}
	EXPECT_TRUE(succeeds(s.unlock())) << "UNLOCK_BUFFER";
	EXPECT_TRUE(pins_moved_by(base, 0)) << "after UNLOCK_BUFFER";
	EXPECT_EQ(read_stat(board(0), "bookkeeping_bytes"), 0);
}

TEST_F(HugePages_PlainIommu, TransparentHugePages)
{
	const size_t size = 16 << 20;
	Mapping m = thp_memory(size);
	ASSERT_TRUE(m.ok());
	lock_huge_and_dma(std::move(m), 21, [](const Mapping &mem) {
		return smaps_kb(mem.addr(), mem.size(), "AnonHugePages") ==
		       mem.size() / 1024;
	});
}

TEST_F(HugePages_PlainIommu, HugetlbfsPages)
{
	const size_t size = 8 << 20;
	const long long free_before = meminfo("HugePages_Free");
	ASSERT_GE(free_before, (long long)(size / kHuge))
		<< "the guest has no 2 MiB pages reserved (hugepages=)";
	Mapping m = Mapping::map(size, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
					 (21 << MAP_HUGE_SHIFT),
				 -1, 0);
	ASSERT_TRUE(succeeds(m.err())) << "mmap(MAP_HUGETLB)";
	memset(m.data(), 0x5a, size);
	EXPECT_EQ(meminfo("HugePages_Free"),
		  free_before - (long long)(size / kHuge));
	lock_huge_and_dma(std::move(m), 22, [](const Mapping &mem) {
		return smaps_kb(mem.addr(), mem.size(), "KernelPageSize") ==
		       2048;
	});
	EXPECT_EQ(meminfo("HugePages_Free"), free_before)
		<< "the huge pages went back";
}

// bookkeeping_bytes counts exactly what the driver keeps: a buffer of
// scattered 4 KiB pages (touched in reverse order) adds its sg table's
// chunks to the same fixed part a huge-page buffer has, both computed from
// the pages' frames as the kernel chains its chunks.
TEST_F(HugePages_PlainIommu, BookkeepingGrowsByTheTable)
{
	EXPECT_EQ(file_mode(stat_path(board(0), "bookkeeping_bytes")),
		  "reg 0444");
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	EXPECT_EQ(read_stat(board(0), "bookkeeping_bytes"), 0);
	const size_t size = 4 << 20;
	SgBuf huge, small;
	Mapping h = thp_memory(size);
	ASSERT_TRUE(h.ok());
	ASSERT_TRUE(huge.lock_memory(fd.get(), std::move(h)));
	const long long one = read_stat(board(0), "bookkeeping_bytes");

	Mapping m = Mapping::anon(size);
	ASSERT_TRUE(m.ok());
	EXPECT_EQ(madvise(m.data(), size, MADV_NOHUGEPAGE), 0);
	for (size_t i = size / kPage; i-- > 0;)
		m.page(i)[0] = 1;
	ASSERT_TRUE(small.lock_memory(fd.get(), std::move(m)));
	const long long both = read_stat(board(0), "bookkeeping_bytes");

	const uint64_t huge_chunks = sg_chunk_bytes_of(huge);
	const uint64_t small_chunks = sg_chunk_bytes_of(small);
	ASSERT_GT(huge_chunks, 0u) << "pagemap gave no frames";
	ASSERT_GT(small_chunks, 0u) << "pagemap gave no frames";
	const long long fixed = one - (long long)huge_chunks;
	EXPECT_GT(fixed, 0) << "the buffer object, charge and table header";
	EXPECT_EQ(both - one, fixed + (long long)small_chunks)
		<< "the scattered buffer's table: " << small_chunks
		<< " bytes of chunks";
	std::cout << "bookkeeping: 4 MiB of huge pages " << one
		  << " bytes, of scattered 4 KiB pages " << both - one
		  << " bytes (table chunks " << small_chunks << ")\n";
	EXPECT_TRUE(succeeds(small.unlock()));
	EXPECT_EQ(read_stat(board(0), "bookkeeping_bytes"), one);
	EXPECT_TRUE(succeeds(huge.unlock()));
	EXPECT_EQ(read_stat(board(0), "bookkeeping_bytes"), 0);
}

} // namespace
