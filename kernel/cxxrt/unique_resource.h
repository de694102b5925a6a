/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UniqueResource<State>: the single owner of one kernel resource, described
 * by State, a small struct of plain handles with
 *   bool held() const;   whether there is anything to release
 *   void release();      gives the resource back, exactly once
 * and a default value that holds nothing. Moving transfers the resource;
 * destruction or reset() releases it. Each resource type of the driver
 * (a memlock charge, pinned pages, an sg table, a DMA mapping, coherent
 * memory, a pinned user window, a lock, a buffer id) is one such owner, so
 * a class that declares them in acquisition order releases them in reverse.
 */
#pragma once

#include "utility.h"

namespace crono {

template <typename State> class UniqueResource {
public:
	UniqueResource() noexcept = default;
	CRONO_ALWAYS_INLINE explicit UniqueResource(const State &state) noexcept
	    : state_(state)
	{
	}
	CRONO_ALWAYS_INLINE UniqueResource(UniqueResource &&other) noexcept
	    : state_(exchange(other.state_, State{}))
	{
	}
	CRONO_ALWAYS_INLINE UniqueResource &
	operator=(UniqueResource &&other) noexcept
	{
		if (this != &other) {
			reset();
			state_ = exchange(other.state_, State{});
		}
		return *this;
	}
	UniqueResource(const UniqueResource &) = delete;
	UniqueResource &operator=(const UniqueResource &) = delete;
	CRONO_ALWAYS_INLINE ~UniqueResource() { reset(); }

	bool held() const noexcept { return state_.held(); }
	/* Gives the resource back now; nothing if none is held. */
	CRONO_ALWAYS_INLINE void reset() noexcept
	{
		if (state_.held())
			exchange(state_, State{}).release();
	}

protected:
	State state_;
};

} // namespace crono

/*
 * In the body of an owner type derived from UniqueResource: its move and
 * destruction, forced inline like the base's (see CRONO_ALWAYS_INLINE).
 */
#define CRONO_RESOURCE_OWNER(Owner)                                            \
	CRONO_ALWAYS_INLINE Owner(Owner &&) noexcept = default;                \
	CRONO_ALWAYS_INLINE Owner &operator=(Owner &&) noexcept = default;     \
	CRONO_ALWAYS_INLINE ~Owner() = default
