// SPDX-License-Identifier: GPL-2.0
#include "board.h"

#include "cxxrt/errno.h"
#include "misc_name.h"
#include "open_file.h"

namespace crono {

Result<Board *> Board::create(struct crono_pci *pci) noexcept
{
	auto *raw = new (Gfp::kernel) Board(pci);
	if (!raw)
		return Error::from_errno(-ENOMEM);
	OwnPtr<Board> board(raw);

	struct crono_pci_location loc;
	crono_kpci_location(pci, &loc);
	const PciAddress address{ loc.device, loc.domain, loc.bus, loc.slot,
				  loc.func };
	CRONO_TRY(format_misc_name(address, Span<char>(board->name_)));
	board->lock_ = CRONO_TRY(Mutex::create(CRONO_LOCK_BOARD));
	board->mappings_lock_ = CRONO_TRY(Mutex::create(CRONO_LOCK_MAPPINGS));
	return board.leak();
}

void Board::put() noexcept
{
	if (!refs_.put())
		return;
	crono_kpci_put(pci_);
	delete this;
}

Result<OpenFile *> Board::open(struct crono_kfile *kfile) noexcept
{
	MutexGuard guard(lock_);
	if (removed_)
		return Error::from_errno(-ENODEV);
	if (open_file_)
		return Error::from_errno(-EBUSY);
	auto *file = new (Gfp::kernel_account) OpenFile(*this, kfile);
	if (!file)
		return Error::from_errno(-ENOMEM);
	get();
	open_file_ = file;
	return file;
}

void Board::file_closed(OpenFile &file) noexcept
{
	if (open_file_ == &file)
		open_file_ = nullptr;
}

void Board::remove() noexcept
{
	MutexGuard guard(lock_);
	removed_ = true;
	if (open_file_) {
		crono_klog(pci_, CRONO_LOG_WARN,
			   "removed while open: stopping the board and "
			   "releasing its buffers\n");
		open_file_->detach();
		open_file_ = nullptr;
	}
}

} // namespace crono
