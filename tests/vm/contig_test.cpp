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
	for (size_t size : { size_t(64 << 10), kPage }) {
		SCOPED_TRACE(cat(size >> 10, " KiB buffer"));
		Fd fd = open_node_checked(0);
		ASSERT_TRUE(fd.valid());
		ContigBuf c;
		if (!c.lock(fd.get(), size)) {
			c.unlock();
			continue;
		}
		const size_t last = size / kPage - 1;
		EXPECT_TRUE(c.dma_check(board(0).bar, 0, last))
			<< "page 0 -> page " << last;
		const uint64_t t1 = next_tag(), t2 = next_tag();
		fill_pattern(c.map.data(), size, t1);
		// The library unlocks before it unmaps: the memory must stay
		// valid until munmap.
		EXPECT_TRUE(succeeds(c.unlock()))
			<< "UNLOCK_CONTIG_BUFFER(" << c.id << ")";
		EXPECT_TRUE(holds_pattern(c.map.data(), size, t1))
			<< "contents changed by UNLOCK_CONTIG_BUFFER";
		fill_pattern(c.map.data(), size, t2);
		EXPECT_TRUE(holds_pattern(c.map.data(), size, t2))
			<< "mapping not writable after UNLOCK_CONTIG_BUFFER";
		// The id no longer names a buffer of this file.
		EXPECT_TRUE(fails_with(map_buffer(fd.get(), c.id, size).err(),
				       EINVAL))
			<< "mmap of an unlocked buffer's id";
		EXPECT_TRUE(succeeds(c.map.reset())) << "munmap";
	}
}

// Whether the device's DMA goes through an IOMMU translation: it is in an
// IOMMU group whose domain is not the identity (passthrough) one; a group of
// unknown type counts as translated. Without one, DMA handles are physical
// addresses.
bool dma_translated(const Board &b)
{
	return exists(b.sysfs() + "/iommu_group") &&
	       read_text(b.sysfs() + "/iommu_group/type") != "identity";
}

// Memory unlocked while still mapped is not freed under the mapping: new
// buffers allocated meanwhile do not alias it.
TEST_F(Contig_PlainIommuSwiotlbInstalled, ContigUnlockKeepsMemory)
{
	const size_t size = 64 << 10;
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	ContigBuf a;
	ASSERT_TRUE(a.lock(fd.get(), size));
	const uint64_t ta = next_tag();
	fill_pattern(a.map.data(), size, ta);
	EXPECT_TRUE(succeeds(a.unlock()))
		<< "UNLOCK_CONTIG_BUFFER(" << a.id << ")";
	// Without an IOMMU the handle is the physical address: overlapping
	// ranges mean the unlocked memory was handed out again while still
	// mapped. (Installed, whether the guest translates DMA is read from
	// sysfs.)
	const bool physical =
		g.installed() ? !dma_translated(board(0)) : g.setup != IOMMU;
	ContigBuf more[4];
	uint64_t tb[4];
	for (int k = 0; k < 4; k++) {
		if (!more[k].lock(fd.get(), size))
			continue;
		tb[k] = next_tag();
		fill_pattern(more[k].map.data(), size, tb[k]);
		if (physical) {
			EXPECT_TRUE(more[k].dma + size <= a.dma ||
				    a.dma + size <= more[k].dma)
				<< "new buffer at " << hex(more[k].dma)
				<< " overlaps the unlocked but still mapped "
				   "one "
				   "at "
				<< hex(a.dma);
		}
	}
	EXPECT_TRUE(holds_pattern(a.map.data(), size, ta))
		<< "unlocked-but-mapped buffer was overwritten by new "
		   "allocations";
	for (int k = 0; k < 4; k++) {
		if (!more[k].map.ok())
			continue;
		EXPECT_TRUE(holds_pattern(more[k].map.data(), size, tb[k]))
			<< "buffer " << k
			<< " was overwritten through the unlocked buffer's "
			   "mapping";
		EXPECT_TRUE(succeeds(more[k].unlock()))
			<< "UNLOCK_CONTIG_BUFFER(" << more[k].id << ")";
		more[k].map.reset();
	}
	a.map.reset();
}

} // namespace
