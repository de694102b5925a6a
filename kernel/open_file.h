/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state one open of a board's misc node owns: its buffers, their ids and
 * its cleanup program. It dies with the file, and closing one board's file
 * never touches another's buffers.
 *
 * Teardown order is the point of this class: the cleanup program runs first
 * (the board stops writing), then buffers are unmapped and unpinned.
 */
#pragma once

#include "board.h"
#include "cleanup_program.h"
#include "contig_buffer.h"
#include "id_allocator.h"
#include "sg_buffer.h"

namespace crono {

class OpenFile {
public:
	OpenFile(Board &board, struct crono_kfile *kfile) noexcept
	    : board_(board), kfile_(kfile)
	{
	}
	OpenFile(const OpenFile &) = delete;
	OpenFile &operator=(const OpenFile &) = delete;

	/* The file is released: tear down and free this object. */
	void release() noexcept;
	/* The board is removed under us: tear down, fail everything after. */
	void detach() noexcept;

	/* ioctl requests; the caller holds the board lock. */
	long ioctl(u32 request, u64 arg) noexcept;
	/* mmap of a contiguous buffer; takes only the mappings lock. */
	Result<void> mmap(struct crono_vma *vma) noexcept;
	/* A vma of buffer went away. */
	void mapping_closed(ContigBuffer &buffer) noexcept;

	Board &board() noexcept { return board_; }

private:
	~OpenFile() = default;

	Result<void> lock_sg(u64 arg) noexcept;
	Result<void> unlock_sg(u64 arg) noexcept;
	Result<void> setup_cleanup(u64 arg) noexcept;
	Result<void> lock_contig(u64 arg) noexcept;
	Result<void> unlock_contig(u64 arg) noexcept;

	void teardown() noexcept;
	void release_sg(SgBuffer *buffer) noexcept;
	/* Frees buffer if nothing refers to it; mappings lock held. */
	void reap(ContigBuffer &buffer) noexcept;

	Board &board_;
	struct crono_kfile *kfile_;
	IdAllocator ids_;
	CleanupProgram cleanup_;
	IntrusiveList<SgBuffer> sg_buffers_;
	IntrusiveList<ContigBuffer> contig_buffers_; /* mappings lock */
	bool detached_ = false; /* board lock and mappings lock to write */
};

} // namespace crono
