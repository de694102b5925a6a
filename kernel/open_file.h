/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state one open of a board's misc node owns: its buffers, their ids and
 * its cleanup program. It dies with the file, and closing one board's file
 * never touches another's buffers.
 *
 * Teardown order is the point of this class: the cleanup program runs first,
 * a read flushes its writes, bus mastering goes off (the board can no longer
 * write to memory), and only then are buffers unmapped and unpinned.
 *
 * Requests copy their arguments in and pin their destinations before they
 * take the board lock, so the lock is never held while user memory faults.
 */
#pragma once

#include "board.h"
#include "cleanup_program.h"
#include "contig_buffer.h"
#include "cxxrt/owning_list.h"
#include "id_allocator.h"
#include "sg_buffer.h"

namespace crono {

class OpenFile {
public:
	static Result<OwnPtr<OpenFile>>
	create(Board &board, struct crono_kfile *kfile) noexcept;
	/* Out of line, as for every class that owns resources: one copy of
	 * the release code (see docs/architecture.md, "Building"). */
	~OpenFile();
	OpenFile(const OpenFile &) = delete;
	OpenFile &operator=(const OpenFile &) = delete;

	/* The file is released: tear down; the caller then destroys it. */
	void release() noexcept;
	/* The board is removed under us: tear down, fail everything after
	 * (board lock held). */
	void detach() noexcept;
	/* The machine goes down: stop the board, free nothing (board lock
	 * held). */
	void quiesce() noexcept;

	/* ioctl requests; each takes the board lock for its device part. */
	long ioctl(u32 request, u64 arg) noexcept;
	/* mmap of a contiguous buffer; takes only the mappings lock. */
	Result<void> mmap(struct crono_vma *vma) noexcept;
	/* The vm callbacks of a mapping of buffer. */
	void mapping_opened(ContigBuffer &buffer,
			    struct crono_vma *vma) noexcept;
	void mapping_closed(ContigBuffer &buffer) noexcept;
	Result<void> fault(ContigBuffer &buffer,
			   struct crono_fault *fault) noexcept;

	Board &board() noexcept { return *board_; }

private:
	OpenFile(Board &board, struct crono_kfile *kfile) noexcept
	    : board_(board), kfile_(kfile)
	{
	}

	Result<void> lock_sg(u64 arg) noexcept;
	Result<void> unlock_sg(u64 arg) noexcept;
	Result<void> setup_cleanup(u64 arg) noexcept;
	Result<void> lock_contig(u64 arg) noexcept;
	Result<void> unlock_contig(u64 arg) noexcept;

	/* Cleanup writes, the flushing read, bus mastering off. */
	void stop_board(bool keep_program) noexcept;
	void teardown() noexcept;
	void release_sg(SgBuffer &buffer) noexcept;
	/* -ENOMEM when the file holds as many buffers as it has ids, -ENODEV
	 * when the board is gone; takes the board lock. */
	Result<void> check_id_room() noexcept;
	/* -ENOMEM when another `size` bytes of coherent memory would pass the
	 * file's limits; board lock held. */
	Result<void> check_contig_room(u64 size) noexcept;
	/* Frees buffer's memory (if it still has some); mappings lock held. */
	void free_contig_memory(ContigBuffer &buffer) noexcept;
	/* Frees buffer if nothing refers to it; mappings lock held. */
	void reap(ContigBuffer &buffer) noexcept;

	/* Destroyed in reverse: the buffers (which give their ids back),
	 * then the ids, and the board reference last. */
	RefPtr<Board> board_;
	struct crono_kfile *kfile_;
	IdAllocator ids_;			  /* board lock */
	CleanupProgram cleanup_;		  /* board lock */
	OwningList<SgBuffer> sg_buffers_;	  /* board lock */
	OwningList<ContigBuffer> contig_buffers_; /* mappings lock */
	/* Contiguous buffers holding memory, and its bytes; mappings lock to
	 * write, either lock to read. */
	u32 contig_held_ = 0;
	u64 contig_held_bytes_ = 0;
	bool detached_ = false; /* board lock and mappings lock to write */
};

} // namespace crono
