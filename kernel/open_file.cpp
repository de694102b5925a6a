// SPDX-License-Identifier: GPL-2.0
#include "open_file.h"

#include "cxxrt/errno.h"

namespace crono {

void OpenFile::release() noexcept
{
	Board &board = board_;
	{
		MutexGuard guard(board.lock());
		if (!detached_)
			teardown();
		board.file_closed(*this);
	}
	delete this;
	board.put();
}

void OpenFile::detach() noexcept
{
	teardown();
	/* Mappings were zapped; what the vmas still reference has no memory
	 * left, and their close frees the rest. */
}

void OpenFile::teardown() noexcept
{
	/* 1. Stop the board: it may be writing into these buffers. */
	struct crono_pci *pci = board_.pci();
	cleanup_.replay_and_clear([pci](u32 offset, u32 value) {
		crono_kpci_bar0_write32(pci, offset, value);
	});

	/* 2. Scatter/gather buffers: unmap, free the table, unpin. */
	while (SgBuffer *buffer = sg_buffers_.first())
		release_sg(buffer);

	/* 3. Contiguous buffers. On release no mapping can exist (a mapping
	 * holds the file); on removal they are zapped before the memory goes.
	 */
	MutexGuard guard(board_.mappings_lock());
	detached_ = true;
	bool mapped = false;
	for (ContigBuffer &buffer : contig_buffers_)
		mapped |= buffer.mappings != 0;
	if (mapped)
		crono_kfile_zap_mappings(kfile_);

	/* Buffers still mapped (removal only) stay listed, without memory,
	 * until their last vma closes. */
	IntrusiveList<ContigBuffer> kept;
	while (ContigBuffer *buffer = contig_buffers_.pop_front()) {
		if (!buffer->unlocked) {
			buffer->unlocked = true;
			ids_.release(buffer->id);
			board_.locked_buffers.sub(1);
		}
		if (buffer->has_memory()) {
			board_.coherent_bytes.sub(buffer->size);
			buffer->free_memory();
		}
		if (buffer->mappings)
			kept.push_back(*buffer);
		else
			delete buffer;
	}
	while (ContigBuffer *buffer = kept.pop_front())
		contig_buffers_.push_back(*buffer);
}

void OpenFile::release_sg(SgBuffer *buffer) noexcept
{
	IntrusiveList<SgBuffer>::remove(*buffer);
	ids_.release(buffer->id);
	board_.locked_buffers.sub(1);
	board_.pinned_bytes.sub(buffer->pinned_bytes());
	delete buffer;
}

Result<void> OpenFile::mmap(struct crono_vma *vma) noexcept
{
	MutexGuard guard(board_.mappings_lock());
	if (detached_)
		return Error::from_errno(-ENODEV);
	const u64 id = crono_kvma_pgoff(vma);
	for (ContigBuffer &buffer : contig_buffers_) {
		if (!buffer.unlocked && u64(buffer.id) == id)
			return buffer.mmap(vma);
	}
	return Error::from_errno(-EINVAL);
}

void OpenFile::mapping_closed(ContigBuffer &buffer) noexcept
{
	MutexGuard guard(board_.mappings_lock());
	buffer.mappings--;
	reap(buffer);
}

void OpenFile::reap(ContigBuffer &buffer) noexcept
{
	if (!buffer.unreferenced())
		return;
	IntrusiveList<ContigBuffer>::remove(buffer);
	if (buffer.has_memory())
		board_.coherent_bytes.sub(buffer.size);
	delete &buffer;
}

} // namespace crono
