// SPDX-License-Identifier: GPL-2.0
#include "contig_buffer.h"

#include "cxxrt/errno.h"

namespace crono {

Result<OwnPtr<ContigBuffer>>
ContigBuffer::allocate(OpenFile &file, struct crono_pci *pci, u64 size,
		       MemlockCharge charge) noexcept
{
	auto *raw = new (Gfp::kernel_account)
		ContigBuffer(file, pci, size, move(charge));
	if (!raw)
		return Error::from_errno(-ENOMEM);
	OwnPtr<ContigBuffer> buffer(raw);

	/* The device's DMA mask stays as probe set it. */
	buffer->cpu_ = crono_kcoherent_alloc(pci, size, &buffer->dma_addr);
	if (!buffer->cpu_) {
		crono_klog(pci, CRONO_LOG_DEBUG,
			   "coherent allocation of %llu bytes failed\n", size);
		return Error::from_errno(-ENOMEM);
	}
	return move(buffer);
}

void ContigBuffer::free_memory() noexcept
{
	if (!cpu_)
		return;
	crono_kcoherent_free(pci_, size, cpu_, dma_addr);
	cpu_ = nullptr;
	charge_.release();
}

} // namespace crono
