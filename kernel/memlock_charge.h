/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MemlockCharge: pages of memory the driver keeps for a user (pinned pages,
 * coherent buffers), charged to that user's RLIMIT_MEMLOCK for as long as
 * the charge lives.
 */
#pragma once

#include "cxxrt/result.h"
#include "cxxrt/unique_resource.h"

namespace crono {

struct MemlockChargeState {
	struct crono_memlock *charge = nullptr;
	u64 pages = 0;

	bool held() const noexcept { return charge != nullptr; }
	void release() noexcept { crono_kmemlock_uncharge(charge, pages); }
};

class MemlockCharge : public UniqueResource<MemlockChargeState> {
public:
	CRONO_RESOURCE_OWNER(MemlockCharge);
	MemlockCharge() noexcept = default;
	/* -ENOMEM over the calling user's limit. */
	CRONO_ALWAYS_INLINE static Result<MemlockCharge>
	take(u64 pages) noexcept
	{
		MemlockChargeState state{ nullptr, pages };
		CRONO_TRY(from_errno(
			crono_kmemlock_charge(pages, &state.charge)));
		return MemlockCharge(state);
	}

	const struct crono_memlock *get() const noexcept
	{
		return state_.charge;
	}

private:
	explicit MemlockCharge(const MemlockChargeState &state) noexcept
	    : UniqueResource(state)
	{
	}
};

} // namespace crono
