// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Contiguous (coherent) buffers: lock, mmap at id * 4096, DMA, and memory
// that stays valid under a mapping after the unlock.
#include "fixture.h"

using namespace vt;

namespace {

class Contig_PlainIommuSwiotlbInstalled : public BoardTest {};

TEST_F(Contig_PlainIommuSwiotlbInstalled, ContigLockMmap)
{
	const Board &b = board(0);
	for (size_t size : { size_t(64 << 10), size_t(4096) }) {
		Fd fd = open_node_checked(0);
		ASSERT_TRUE(fd.valid());
		ContigBuf c;
		if (!contig_lock_checked(fd.get(), size, &c)) {
			c.unlock();
			continue;
		}
		size_t last = size / kPage - 1;
		std::string err;
		EXPECT_TRUE(dma_check_pair(b.bar, c.page(0), c.dma,
					   c.page(last), c.dma + last * kPage,
					   &err))
			<< strf("%zu KiB buffer, DMA check page 0 -> page %zu: "
				"%s",
				size >> 10, last, err.c_str());
		uint64_t t1 = next_tag(), t2 = next_tag();
		fill_pattern(c.map.data(), size, t1);
		// The library unlocks before it unmaps: the memory must stay
		// valid until munmap.
		int e = c.unlock();
		EXPECT_TRUE(no_error(e))
			<< strf("UNLOCK_CONTIG_BUFFER(%d)", c.id);
		EXPECT_TRUE(find_mismatch(c.map.data(), size, t1) < 0)
			<< strf("%zu KiB buffer: contents changed by "
				"UNLOCK_CONTIG_BUFFER",
				size >> 10);
		fill_pattern(c.map.data(), size, t2);
		EXPECT_TRUE(find_mismatch(c.map.data(), size, t2) < 0)
			<< strf("%zu KiB buffer: mapping not writable after "
				"UNLOCK_CONTIG_BUFFER",
				size >> 10);
		// The id no longer names a buffer of this file.
		Mapping again = Mapping::map(
			size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(),
			static_cast<off_t>(c.id) * static_cast<off_t>(kPage));
		EXPECT_TRUE(!again.ok() && again.err() == EINVAL)
			<< strf("mmap of an unlocked buffer's id: expected "
				"EINVAL, got %s",
				again.ok() ? "success"
					   : errno_name(again.err()).c_str());
		again.reset();
		EXPECT_TRUE(c.map.reset() == 0)
			<< strf("munmap: %s", errno_name(errno).c_str());
	}
}

// Whether the device's DMA goes through an IOMMU translation: it is in an
// IOMMU group whose domain is not the identity (passthrough) one. Without one,
// DMA handles are physical addresses.
bool dma_translated(const Board &b)
{
	if (!exists(b.sysfs() + "/iommu_group"))
		return false;
	std::string t;
	if (!read_file(b.sysfs() + "/iommu_group/type", &t))
		return true; // grouped, domain type unknown: assume translated
	return trim(t) != "identity";
}

// Memory unlocked while still mapped is not freed under the mapping: new
// buffers allocated meanwhile do not alias it.
TEST_F(Contig_PlainIommuSwiotlbInstalled, ContigUnlockKeepsMemory)
{
	const size_t size = 64 << 10;
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	ContigBuf a;
	ASSERT_TRUE(contig_lock_checked(fd.get(), size, &a));
	uint64_t ta = next_tag();
	fill_pattern(a.map.data(), size, ta);
	int e = a.unlock();
	EXPECT_TRUE(no_error(e)) << strf("UNLOCK_CONTIG_BUFFER(%d)", a.id);
	ContigBuf more[4];
	uint64_t tb[4];
	for (int k = 0; k < 4; k++) {
		if (!contig_lock_checked(fd.get(), size, &more[k]))
			continue;
		tb[k] = next_tag();
		fill_pattern(more[k].map.data(), size, tb[k]);
		// Without an IOMMU the handle is the physical address:
		// overlapping ranges mean the unlocked memory was handed out
		// again while still mapped. (Installed, whether the guest
		// translates DMA is read from sysfs.)
		if (g.installed() ? !dma_translated(board(0))
				  : g.setup != IOMMU) {
			EXPECT_TRUE(more[k].dma + size <= a.dma ||
				    a.dma + size <= more[k].dma)
				<< strf("new buffer at 0x%llx overlaps the "
					"unlocked but still mapped one at "
					"0x%llx",
					static_cast<unsigned long long>(
						more[k].dma),
					static_cast<unsigned long long>(a.dma));
		}
	}
	EXPECT_TRUE(find_mismatch(a.map.data(), size, ta) < 0)
		<< "unlocked-but-mapped buffer was overwritten by new "
		   "allocations";
	for (int k = 0; k < 4; k++) {
		if (!more[k].map.ok())
			continue;
		EXPECT_TRUE(find_mismatch(more[k].map.data(), size, tb[k]) < 0)
			<< strf("buffer %d was overwritten through the "
				"unlocked buffer's mapping",
				k);
		e = more[k].unlock();
		EXPECT_TRUE(no_error(e))
			<< strf("UNLOCK_CONTIG_BUFFER(%d)", more[k].id);
		more[k].map.reset();
	}
	a.map.reset();
}

} // namespace
