/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A board: one bound PCI function with its misc node.
 *
 * It is shared by the PCI binding and by the open file (if any); whichever
 * lets go last frees it. After removal it stays only as the anchor that lets
 * an open file fail with -ENODEV and release cleanly.
 *
 * Locks: lock() guards the open file and everything it owns; ioctls, release
 * and removal hold it throughout. mappings_lock() guards contiguous buffers
 * as mmap and the vm callbacks see them: those run under the address space's
 * mmap lock and so must never wait for lock(), which is held while pinning.
 * Order: lock() -> mmap lock -> mappings_lock().
 */
#pragma once

#include "crono_pci_drvmod.h"
#include "cxxrt/intrusive_list.h"
#include "cxxrt/mutex.h"
#include "cxxrt/refcount.h"

namespace crono {

class OpenFile;

class Board : public ListNode<Board> {
public:
	/*
	 * On success the board owns pci (released with the last reference)
	 * and the caller holds the first reference.
	 */
	static Result<Board *> create(struct crono_pci *pci) noexcept;
	~Board() = default; /* use put() */
	void get() noexcept { refs_.get(); }
	void put() noexcept;

	/* Exclusive open: -EBUSY while another file is open, -ENODEV after
	 * removal. */
	Result<OpenFile *> open(struct crono_kfile *kfile) noexcept;
	/* The open file is going away (called with lock() held). */
	void file_closed(OpenFile &file) noexcept;
	/* The device is being unbound: stop it and release everything. */
	void remove() noexcept;

	struct crono_pci *pci() const noexcept { return pci_; }
	const char *name() const noexcept { return name_; }
	Mutex &lock() noexcept { return lock_; }
	Mutex &mappings_lock() noexcept { return mappings_lock_; }

	/* Read by sysfs without the lock. */
	Statistic locked_buffers;
	Statistic pinned_bytes;
	Statistic coherent_bytes;

private:
	explicit Board(struct crono_pci *pci) noexcept : pci_(pci) {}

	struct crono_pci *pci_;
	char name_[CRONO_DEV_NAME_MAX_SIZE] = {};
	Mutex lock_;
	Mutex mappings_lock_;
	RefCount refs_{ 1 };
	OpenFile *open_file_ = nullptr; /* under lock_ */
	bool removed_ = false;		/* under lock_ */
};

} // namespace crono
