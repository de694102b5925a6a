/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A board: one bound PCI function with its misc node.
 *
 * It is shared by the PCI binding (the glue's reference) and by the open
 * file (if any); whichever lets go last frees it. After removal it stays only
 * as the anchor that lets an open file fail with -ENODEV and release cleanly.
 *
 * Locks, none of them ever held while user memory is touched (a fault there
 * can stall for as long as user space likes):
 *  - lock() guards the open file's buffers and the device work on them (DMA
 *    mapping, cleanup writes, teardown); requests, release and removal take
 *    it for their device part only.
 *  - the open lock guards which file is open and whether the board was
 *    removed. open() runs under the kernel's global misc lock and takes only
 *    this one, for O(1) work, so it never waits for a request.
 *  - mappings_lock() guards contiguous buffers as mmap, faults and the vm
 *    callbacks see them (under the address space's mmap lock).
 * Order: lock() -> open lock; lock() -> mappings_lock(); mmap lock ->
 * mappings_lock().
 */
#pragma once

#include "crono_pci_drvmod.h"
#include "cxxrt/intrusive_list.h"
#include "cxxrt/mutex.h"
#include "cxxrt/own_ptr.h"
#include "cxxrt/ref_ptr.h"
#include "pci_ref.h"

namespace crono {

class OpenFile;

class Board : public ListNode<Board>, public RefCounted<Board> {
public:
	/* The board keeps its own reference to pci while it exists. */
	static Result<RefPtr<Board>> create(struct crono_pci *pci) noexcept;
	~Board();

	/* Exclusive open: -EBUSY while another file is open, -ENODEV after
	 * removal. The file holds a reference to the board. */
	Result<OwnPtr<OpenFile>> open(struct crono_kfile *kfile) noexcept;
	/* The open file is going away (called with lock() held, after its
	 * teardown). */
	void file_closed(OpenFile &file) noexcept;
	/* The device is being unbound: stop it and release everything. */
	void remove() noexcept;
	/* The machine goes down (reboot, kexec): stop the board's DMA. */
	void shutdown() noexcept;

	struct crono_pci *pci() const noexcept { return pci_.get(); }
	const char *name() const noexcept { return name_; }
	Mutex &lock() noexcept { return lock_; }
	Mutex &mappings_lock() noexcept { return mappings_lock_; }

	/* Read by sysfs without the lock. */
	Statistic locked_buffers;
	Statistic pinned_bytes;
	Statistic coherent_bytes;
	Statistic coherent_buffers; /* holding memory: locked or still mapped */
	Statistic bookkeeping_bytes; /* kernel memory kept for S/G buffers */

private:
	explicit Board(struct crono_pci *pci) noexcept : pci_(pci) {}

	PciRef pci_;
	char name_[CRONO_DEV_NAME_MAX_SIZE] = {};
	Mutex lock_;
	Mutex open_lock_;
	Mutex mappings_lock_;
	/* Not owned: the kernel's file owns it. open_lock_ to write, either
	 * to read. */
	OpenFile *open_file_ = nullptr;
	bool removed_ = false; /* under open_lock_ */
};

} // namespace crono
