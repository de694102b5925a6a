/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CoherentMemory: one DMA-coherent allocation of a device. The CPU cookie
 * never leaves the kernel; user space sees the memory only through faults
 * of a mapping (insert()) and the device only through dma_addr().
 */
#pragma once

#include "cxxrt/result.h"
#include "cxxrt/unique_resource.h"

namespace crono {

struct CoherentMemoryState {
	struct crono_pci *pci = nullptr;
	u64 size = 0;
	void *cpu = nullptr;
	u64 dma_addr = 0;

	bool held() const noexcept { return cpu != nullptr; }
	void release() noexcept
	{
		crono_kcoherent_free(pci, size, cpu, dma_addr);
	}
};

class CoherentMemory : public UniqueResource<CoherentMemoryState> {
public:
	CRONO_RESOURCE_OWNER(CoherentMemory);
	CoherentMemory() noexcept = default;
	/* -ENOMEM when the device's DMA allocator has no such piece. */
	CRONO_ALWAYS_INLINE static Result<CoherentMemory>
	allocate(struct crono_pci *pci, u64 size) noexcept
	{
		CoherentMemoryState state{ pci, size, nullptr, 0 };
		state.cpu = crono_kcoherent_alloc(pci, size, &state.dma_addr);
		if (!state.cpu)
			return Error::from_errno(-ENOMEM);
		return CoherentMemory(state);
	}

	u64 dma_addr() const noexcept { return state_.dma_addr; }
	/* Maps the faulting page into the user's mapping. */
	Result<void> insert(struct crono_fault *fault) noexcept
	{
		return from_errno(crono_kcoherent_insert(
			state_.pci, fault, state_.cpu, state_.size));
	}

private:
	explicit CoherentMemory(const CoherentMemoryState &state) noexcept
	    : UniqueResource(state)
	{
	}
};

} // namespace crono
