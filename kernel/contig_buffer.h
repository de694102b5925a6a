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

#include "coherent_memory.h"
#include "cxxrt/intrusive_list.h"
#include "cxxrt/own_ptr.h"
#include "id_allocator.h"
#include "memlock_charge.h"

namespace crono {

class OpenFile;

class ContigBuffer : public ListNode<ContigBuffer> {
public:
	/* The memory is charged to `charge` until it is freed. */
	static Result<OwnPtr<ContigBuffer>>
	allocate(OpenFile &file, struct crono_pci *pci, u64 size,
		 MemlockCharge charge) noexcept;
	~ContigBuffer();

	/* Maps the faulting page; the memory is there (mappings lock). */
	Result<void> insert(struct crono_fault *fault) noexcept
	{
		return memory_.insert(fault);
	}
	/* Frees the memory, then gives its charge back. */
	void free_memory() noexcept
	{
		memory_.reset();
		charge_.reset();
	}

	/* Gives the id back: no request can name the buffer any more. */
	void unlock() noexcept { id_.reset(); }
	bool unlocked() const noexcept { return !id_.held(); }
	/* No owner and no mapping: nothing can reach it any more. */
	bool unreferenced() const noexcept
	{
		return unlocked() && mappings == 0;
	}
	bool has_memory() const noexcept { return memory_.held(); }
	u64 dma_addr() const noexcept { return memory_.dma_addr(); }
	s32 id() const noexcept { return id_.value(); }
	void set_id(BufferId id) noexcept { id_ = move(id); }

	OpenFile &file;
	const u64 size;
	u32 mappings = 0; /* live vmas */

private:
	ContigBuffer(OpenFile &owner, u64 bytes, MemlockCharge charge,
		     CoherentMemory memory) noexcept
	    : file(owner), size(bytes), charge_(move(charge)),
	      memory_(move(memory))
	{
	}

	/* Release order is the reverse of this order. */
	MemlockCharge charge_;
	CoherentMemory memory_;
	BufferId id_; /* board lock */
};

} // namespace crono
