/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SgTable: the scatter/gather table of a set of pinned pages, adjacent pages
 * merged into segments of at most the device's maximum. Released by freeing
 * the table (after any DmaMapping of it is gone).
 */
#pragma once

#include "cxxrt/result.h"
#include "cxxrt/unique_resource.h"
#include "pinned_pages.h"

namespace crono {

struct SgTableState {
	struct crono_sgt *sgt = nullptr;

	bool held() const noexcept { return sgt != nullptr; }
	void release() noexcept { crono_ksgt_destroy(sgt); }
};

class SgTable : public UniqueResource<SgTableState> {
public:
	CRONO_RESOURCE_OWNER(SgTable);
	SgTable() noexcept = default;
	CRONO_ALWAYS_INLINE static Result<SgTable>
	create(const PinnedPages &pages, u32 max_segment) noexcept
	{
		SgTableState state;
		CRONO_TRY(from_errno(
			crono_ksgt_create(pages.pages(), pages.count(),
					  max_segment, &state.sgt)));
		return SgTable(state);
	}

	struct crono_sgt *get() const noexcept { return state_.sgt; }

private:
	explicit SgTable(const SgTableState &state) noexcept
	    : UniqueResource(state)
	{
	}
};

} // namespace crono
