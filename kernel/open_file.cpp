// SPDX-License-Identifier: GPL-2.0
#include "open_file.h"

#include "cxxrt/errno.h"
#include "driver_limits.h"

namespace crono {

Result<OwnPtr<OpenFile>> OpenFile::create(Board &board,
					  struct crono_kfile *kfile) noexcept
{
	return adopt_own_or_enomem(new (Gfp::kernel_account)
					   OpenFile(board, kfile));
}

OpenFile::~OpenFile() = default;

void OpenFile::release() noexcept
{
	MutexGuard guard(board().lock());
	if (!detached_)
		teardown();
	/* Under the board lock, so removal never sees a file that is being
	 * freed. */
	board().file_closed(*this);
}

void OpenFile::detach() noexcept
{
	teardown();
	/* Mappings were zapped; what the vmas still reference has no memory
	 * left, and their close frees the rest. */
}

void OpenFile::quiesce() noexcept
{
	if (!detached_)
		stop_board(true);
}

void OpenFile::stop_board(bool keep_program) noexcept
{
	struct crono_pci *pci = board().pci();
	auto write = [pci](u32 offset, u32 value) {
		crono_kpci_bar0_write32(pci, offset, value);
	};
	if (keep_program)
		cleanup_.replay(write);
	else
		cleanup_.replay_and_clear(write);
	/* Posted writes may still be on their way: a read makes them arrive
	 * before bus mastering goes off and memory is given back. */
	crono_kpci_flush_writes(pci);
	crono_kpci_set_bus_master(pci, false);
}

void OpenFile::teardown() noexcept
{
	/* 1. Stop the board: it may be writing into these buffers. */
	stop_board(false);

	/* 2. Scatter/gather buffers: unmap, free the table, unpin. */
	while (SgBuffer *buffer = sg_buffers_.first()) {
		release_sg(*buffer);
		crono_kcond_resched();
	}

	/* 3. Contiguous buffers. On release no mapping can exist (a mapping
	 * holds the file); on removal they are zapped before the memory goes,
	 * under the mappings lock, so no fault can map it again. */
	MutexGuard guard(board().mappings_lock());
	detached_ = true;
	bool mapped = false;
	for (ContigBuffer &buffer : contig_buffers_)
		mapped |= buffer.mappings != 0;
	if (mapped)
		crono_kfile_zap_mappings(kfile_);

	/* Buffers still mapped (removal only) stay listed, without memory,
	 * until their last vma closes. */
	OwningList<ContigBuffer> kept;
	while (auto buffer = contig_buffers_.pop_front()) {
		if (!buffer->unlocked()) {
			buffer->unlock();
			board().locked_buffers.sub(1);
		}
		free_contig_memory(*buffer);
		if (buffer->mappings)
			kept.push_back(move(buffer));
	}
	while (auto buffer = kept.pop_front())
		contig_buffers_.push_back(move(buffer));
}

void OpenFile::release_sg(SgBuffer &buffer) noexcept
{
	board().locked_buffers.sub(1);
	board().pinned_bytes.sub(buffer.pinned_bytes());
	board().bookkeeping_bytes.sub(buffer.bookkeeping_bytes());
	/* Gives the id back, unmaps, unpins through the table, frees it,
	 * uncharges. */
	sg_buffers_.take(buffer).reset();
}

Result<void> OpenFile::mmap(struct crono_vma *vma) noexcept
{
	MutexGuard guard(board().mappings_lock());
	if (detached_)
		return Error::from_errno(-ENODEV);
	const u64 id = crono_kvma_pgoff(vma);
	for (ContigBuffer &buffer : contig_buffers_) {
		if (buffer.unlocked() || u64(buffer.id()) != id)
			continue;
		if (crono_kvma_len(vma) > buffer.size ||
		    !crono_kvma_may_share(vma))
			return Error::from_errno(-EINVAL);
		/* No page is mapped here: faults map them, under this lock,
		 * once the vma is visible to a teardown's zap. */
		crono_kvma_setup_contig(board().pci(), vma, &buffer);
		buffer.mappings++;
		return {};
	}
	return Error::from_errno(-EINVAL);
}

void OpenFile::mapping_opened(ContigBuffer &buffer,
			      struct crono_vma *vma) noexcept
{
	MutexGuard guard(board().mappings_lock());
	buffer.mappings++;
	/* fork copies page table entries before this callback; if the memory
	 * went in between, the copy must not keep them. */
	if (!buffer.has_memory())
		crono_kvma_zap(vma);
}

void OpenFile::mapping_closed(ContigBuffer &buffer) noexcept
{
	MutexGuard guard(board().mappings_lock());
	buffer.mappings--;
	reap(buffer);
}

Result<void> OpenFile::fault(ContigBuffer &buffer,
			     struct crono_fault *fault) noexcept
{
	MutexGuard guard(board().mappings_lock());
	/* After removal the memory is gone: SIGBUS, never a stale page. */
	if (!buffer.has_memory())
		return Error::from_errno(-ENODEV);
	return buffer.insert(fault);
}

Result<void> OpenFile::check_id_room() noexcept
{
	MutexGuard guard(board().lock());
	if (detached_)
		return Error::from_errno(-ENODEV);
	if (ids_.full()) {
		crono_klog(board().pci(), CRONO_LOG_DEBUG,
			   "file holds %u buffers: no id left\n", ids_.count());
		return Error::from_errno(-ENOMEM);
	}
	return {};
}

Result<void> OpenFile::check_contig_room(u64 size) noexcept
{
	/* Only requests (under the board lock) add memory: the room seen here
	 * can only grow until this request adds its buffer. */
	MutexGuard guard(board().mappings_lock());
	if (contig_held_ >= limits::max_contig_buffers_per_file ||
	    size > limits::max_contig_bytes_per_file - contig_held_bytes_) {
		crono_klog(board().pci(), CRONO_LOG_DEBUG,
			   "file holds %u coherent buffers of %llu bytes: no "
			   "room for %llu more bytes\n",
			   contig_held_, contig_held_bytes_, size);
		return Error::from_errno(-ENOMEM);
	}
	return {};
}

void OpenFile::free_contig_memory(ContigBuffer &buffer) noexcept
{
	if (!buffer.has_memory())
		return;
	board().coherent_bytes.sub(buffer.size);
	board().coherent_buffers.sub(1);
	contig_held_--;
	contig_held_bytes_ -= buffer.size;
	buffer.free_memory();
}

void OpenFile::reap(ContigBuffer &buffer) noexcept
{
	if (!buffer.unreferenced())
		return;
	free_contig_memory(buffer);
	contig_buffers_.take(buffer).reset();
}

} // namespace crono
