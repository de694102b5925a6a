/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A contiguous buffer: DMA-coherent memory that user space reaches through
 * mmap of the device file at offset id * PAGE_SIZE. Its pages enter a
 * mapping only through faults, under the mappings lock, after checking that
 * the memory is still there.
 *
 * Its memory outlives the unlock while a mapping still exists (the vendor
 * library unlocks before munmap); it is freed when the buffer is unlocked (or
 * its file released) and the last mapping is gone, or at once when the board
 * is removed, after every mapping has been zapped. The owning file's
 * mappings lock guards all of that state.
 */
#pragma once

#include "cxxrt/intrusive_list.h"
#include "cxxrt/own_ptr.h"
#include "memlock_charge.h"

namespace crono {

class OpenFile;

class ContigBuffer : public ListNode<ContigBuffer> {
public:
	/* The memory is charged to `charge` until it is freed. */
	static Result<OwnPtr<ContigBuffer>>
	allocate(OpenFile &file, struct crono_pci *pci, u64 size,
		 MemlockCharge charge) noexcept;
	~ContigBuffer() { free_memory(); }
	ContigBuffer(const ContigBuffer &) = delete;
	ContigBuffer &operator=(const ContigBuffer &) = delete;

	/* Maps the faulting page; the memory is there (mappings lock). */
	Result<void> insert(struct crono_fault *fault) noexcept
	{
		return from_errno(
			crono_kcoherent_insert(pci_, fault, cpu_, size));
	}
	/* Frees the memory and gives its charge back. */
	void free_memory() noexcept;

	/* No owner and no mapping: nothing can reach it any more. */
	bool unreferenced() const noexcept { return unlocked && mappings == 0; }
	bool has_memory() const noexcept { return cpu_ != nullptr; }

	OpenFile &file;
	s32 id = -1;
	const u64 size;
	u64 dma_addr = 0;
	bool unlocked = false; /* by UNLOCK_CONTIG_BUFFER or release */
	u32 mappings = 0;      /* live vmas */

private:
	ContigBuffer(OpenFile &owner, struct crono_pci *pci, u64 bytes,
		     MemlockCharge charge) noexcept
	    : file(owner), size(bytes), charge_(move(charge)), pci_(pci)
	{
	}

	MemlockCharge charge_;
	struct crono_pci *pci_;
	void *cpu_ = nullptr; /* kernel cookie; never leaves the kernel */
};

} // namespace crono
