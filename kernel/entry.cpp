// SPDX-License-Identifier: GPL-2.0
/*
 * The core's C entry points: the glue calls these from module init, the
 * pci_driver and the file_operations. They translate between opaque handles
 * and the driver's classes, and nothing else. Ownership crosses into C only
 * here: a crono_board handle is one reference to a Board, a crono_open_file
 * handle owns its OpenFile, the registry pointer owns the registry.
 */
#include "board_registry.h"
#include "cxxrt/errno.h"
#include "open_file.h"

using namespace crono;

namespace {
/* Set by crono_core_init(); a plain pointer (owning, see
 * OwnPtr::into_foreign()), so no global constructor or destructor. */
BoardRegistry *registry;

Board *to_board(struct crono_board *board) noexcept
{
	return reinterpret_cast<Board *>(board);
}
struct crono_board *to_handle(Board *board) noexcept
{
	return reinterpret_cast<struct crono_board *>(board);
}
OpenFile *to_file(struct crono_open_file *file) noexcept
{
	return reinterpret_cast<OpenFile *>(file);
}
struct crono_open_file *to_handle(OpenFile *file) noexcept
{
	return reinterpret_cast<struct crono_open_file *>(file);
}
} // namespace

int crono_core_init(void) noexcept
{
	auto created = BoardRegistry::create();
	if (created.is_error())
		return created.error().code();
	registry = created.value().into_foreign();
	return 0;
}

void crono_core_exit(void) noexcept
{
	OwnPtr<BoardRegistry>::from_foreign(
		exchange(registry, (BoardRegistry *)nullptr))
		.reset();
}

int crono_board_create(struct crono_pci *pci, struct crono_board **out,
		       char *name, crono_usize name_size) noexcept
{
	auto created = Board::create(pci);
	if (created.is_error())
		return created.error().code();
	RefPtr<Board> board = created.release_value();

	auto added = registry->add(*board);
	if (added.is_error()) {
		crono_klog(pci, CRONO_LOG_ERR, "a board named %s exists\n",
			   board->name());
		return added.error().code();
	}
	const char *src = board->name();
	crono_usize i = 0;
	for (; src[i] && i + 1 < name_size; i++)
		name[i] = src[i];
	name[i] = '\0';
	*out = to_handle(board.into_foreign());
	return 0;
}

void crono_board_remove(struct crono_board *board) noexcept
{
	to_board(board)->remove();
	registry->remove(*to_board(board));
}

void crono_board_shutdown(struct crono_board *board) noexcept
{
	to_board(board)->shutdown();
}

void crono_board_put(struct crono_board *board) noexcept
{
	RefPtr<Board>::from_foreign(to_board(board)).reset();
}

void crono_board_stats(struct crono_board *handle,
		       struct crono_board_stats *stats) noexcept
{
	Board *board = to_board(handle);
	stats->locked_buffers = board->locked_buffers.read();
	stats->pinned_bytes = board->pinned_bytes.read();
	stats->coherent_bytes = board->coherent_bytes.read();
	stats->coherent_buffers = board->coherent_buffers.read();
	stats->bookkeeping_bytes = board->bookkeeping_bytes.read();
}

int crono_file_open(struct crono_board *board, struct crono_kfile *kfile,
		    struct crono_open_file **out) noexcept
{
	auto opened = to_board(board)->open(kfile);
	if (opened.is_error())
		return opened.error().code();
	*out = to_handle(opened.value().into_foreign());
	return 0;
}

void crono_file_release(struct crono_open_file *handle) noexcept
{
	auto file = OwnPtr<OpenFile>::from_foreign(to_file(handle));
	file->release();
	/* Destroyed here: its buffers are gone, its board reference last. */
}

long crono_file_ioctl(struct crono_open_file *file, crono_u32 request,
		      crono_u64 arg) noexcept
{
	return to_file(file)->ioctl(request, arg);
}

int crono_file_mmap(struct crono_open_file *file,
		    struct crono_vma *vma) noexcept
{
	return to_file(file)->mmap(vma).to_errno();
}

void crono_contig_mapping_opened(void *token, struct crono_vma *vma) noexcept
{
	auto *buffer = static_cast<ContigBuffer *>(token);
	buffer->file.mapping_opened(*buffer, vma);
}

void crono_contig_mapping_closed(void *token) noexcept
{
	auto *buffer = static_cast<ContigBuffer *>(token);
	buffer->file.mapping_closed(*buffer);
}

int crono_contig_fault(void *token, struct crono_fault *fault) noexcept
{
	auto *buffer = static_cast<ContigBuffer *>(token);
	return buffer->file.fault(*buffer, fault).to_errno();
}
