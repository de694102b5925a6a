/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MemlockCharge: pages of memory the driver keeps for a user (pinned pages,
 * coherent buffers), charged to that user's RLIMIT_MEMLOCK for as long as
 * the charge lives. The owner of one crono_memlock.
 */
#pragma once

#include "cxxrt/result.h"

namespace crono {

class MemlockCharge {
public:
	MemlockCharge() noexcept = default;
	/* -ENOMEM over the calling user's limit. */
	static Result<MemlockCharge> take(u64 pages) noexcept
	{
		MemlockCharge charge;
		CRONO_TRY(from_errno(
			crono_kmemlock_charge(pages, &charge.charge_)));
		charge.pages_ = pages;
		return move(charge);
	}

	MemlockCharge(MemlockCharge &&other) noexcept
	    : charge_(exchange<struct crono_memlock *>(other.charge_, nullptr)),
	      pages_(exchange<u64>(other.pages_, 0))
	{
	}
	MemlockCharge &operator=(MemlockCharge &&other) noexcept
	{
		if (this != &other) {
			release();
			charge_ = exchange<struct crono_memlock *>(
				other.charge_, nullptr);
			pages_ = exchange<u64>(other.pages_, 0);
		}
		return *this;
	}
	MemlockCharge(const MemlockCharge &) = delete;
	MemlockCharge &operator=(const MemlockCharge &) = delete;
	~MemlockCharge() { release(); }

	/* Gives the pages back now. */
	void release() noexcept
	{
		if (charge_)
			crono_kmemlock_uncharge(
				exchange<struct crono_memlock *>(charge_,
								 nullptr),
				exchange<u64>(pages_, 0));
	}

private:
	struct crono_memlock *charge_ = nullptr;
	u64 pages_ = 0;
};

} // namespace crono
