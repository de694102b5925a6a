/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DmaMapping: an sg table mapped for one device (through its IOMMU, if any).
 * Released by unmapping, before the table's pages are unpinned and the table
 * freed.
 */
#pragma once

#include "cxxrt/result.h"
#include "cxxrt/unique_resource.h"
#include "pinned_sg_table.h"

namespace crono {

struct DmaMappingState {
	struct crono_pci *pci = nullptr;
	struct crono_sgt *sgt = nullptr;

	bool held() const noexcept { return sgt != nullptr; }
	void release() noexcept { crono_kdma_unmap_sgt(pci, sgt); }
};

class DmaMapping : public UniqueResource<DmaMappingState> {
public:
	CRONO_RESOURCE_OWNER(DmaMapping);
	DmaMapping() noexcept = default;
	/* table must outlive the mapping. */
	CRONO_ALWAYS_INLINE static Result<DmaMapping>
	map(struct crono_pci *pci, const PinnedSgTable &table) noexcept
	{
		CRONO_TRY(from_errno(crono_kdma_map_sgt(pci, table.get())));
		return DmaMapping(DmaMappingState{ pci, table.get() });
	}

private:
	explicit DmaMapping(const DmaMappingState &state) noexcept
	    : UniqueResource(state)
	{
	}
};

} // namespace crono
