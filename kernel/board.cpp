// SPDX-License-Identifier: GPL-2.0
#include "board.h"

#include "cxxrt/errno.h"
#include "misc_name.h"
#include "open_file.h"

namespace crono {

Result<RefPtr<Board>> Board::create(struct crono_pci *pci) noexcept
{
	auto board =
		CRONO_TRY(adopt_ref_or_enomem(new (Gfp::kernel) Board(pci)));

	struct crono_pci_location loc;
	crono_kpci_location(pci, &loc);
	const PciAddress address{ loc.device, loc.domain, loc.bus, loc.slot,
				  loc.func };
	CRONO_TRY(format_misc_name(address, Span<char>(board->name_)));
	board->lock_ = CRONO_TRY(Mutex::create(CRONO_LOCK_BOARD));
	board->open_lock_ = CRONO_TRY(Mutex::create(CRONO_LOCK_OPEN));
	board->mappings_lock_ = CRONO_TRY(Mutex::create(CRONO_LOCK_MAPPINGS));
	return move(board);
}

Board::~Board() = default;

Result<OwnPtr<OpenFile>> Board::open(struct crono_kfile *kfile) noexcept
{
	/* Allocated before the lock: open holds the kernel's misc lock. */
	auto file = CRONO_TRY(OpenFile::create(*this, kfile));
	MutexGuard guard(open_lock_);
	if (removed_)
		return Error::from_errno(-ENODEV);
	if (open_file_)
		return Error::from_errno(-EBUSY);
	/* The board may write to memory only while a file owns some. */
	crono_kpci_set_bus_master(pci(), true);
	open_file_ = file.get();
	return move(file);
}

void Board::file_closed(OpenFile &file) noexcept
{
	MutexGuard guard(open_lock_);
	if (open_file_ == &file)
		open_file_ = nullptr;
}

void Board::remove() noexcept
{
	MutexGuard guard(lock_);
	OpenFile *file;
	{
		MutexGuard open_guard(open_lock_);
		removed_ = true;
		file = exchange(open_file_, (OpenFile *)nullptr);
	}
	if (file) {
		crono_klog(pci(), CRONO_LOG_WARN,
			   "removed while open: stopping the board and "
			   "releasing its buffers\n");
		file->detach();
	}
}

void Board::shutdown() noexcept
{
	MutexGuard guard(lock_);
	OpenFile *file;
	{
		MutexGuard open_guard(open_lock_);
		file = open_file_;
	}
	/* Release cannot free the file while lock_ is held. */
	if (file)
		file->quiesce();
	else
		crono_kpci_set_bus_master(pci(), false);
}

} // namespace crono
