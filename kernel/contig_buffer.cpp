// SPDX-License-Identifier: GPL-2.0
#include "contig_buffer.h"

#include "cxxrt/errno.h"

namespace crono {

Result<OwnPtr<ContigBuffer>>
ContigBuffer::allocate(OpenFile &file, struct crono_pci *pci, u64 size,
		       MemlockCharge charge) noexcept
{
	/* The device's DMA mask stays as probe set it. */
	auto memory = CoherentMemory::allocate(pci, size);
	if (memory.is_error()) {
		crono_klog(pci, CRONO_LOG_DEBUG,
			   "coherent allocation of %llu bytes failed\n", size);
		return memory.error();
	}
	return adopt_own_or_enomem(new (Gfp::kernel_account) ContigBuffer(
		file, size, move(charge), memory.release_value()));
}

ContigBuffer::~ContigBuffer() = default;

} // namespace crono
