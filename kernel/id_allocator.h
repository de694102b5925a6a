/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Buffer ids of one open file: the lowest free id in [0, capacity), so ids
 * stay small (a contiguous buffer's id is its mmap page offset) and are
 * reused after unlock. A BufferId owns one id until it is destroyed or
 * reset; the allocator must outlive it.
 */
#pragma once

#include "cxxrt/result.h"
#include "cxxrt/unique_resource.h"
#include "driver_limits.h"

namespace crono {

class IdAllocator;

struct BufferIdState {
	IdAllocator *ids = nullptr;
	s32 id = -1;

	bool held() const noexcept { return ids != nullptr; }
	void release() noexcept; /* out of line: one copy */
};

class BufferId : public UniqueResource<BufferIdState> {
public:
	CRONO_RESOURCE_OWNER(BufferId);
	BufferId() noexcept = default;
	/* The id, or -1 when none is held. */
	s32 value() const noexcept { return state_.id; }

private:
	friend class IdAllocator;
	explicit BufferId(const BufferIdState &state) noexcept
	    : UniqueResource(state)
	{
	}
};

class IdAllocator {
public:
	static constexpr u32 capacity = limits::max_buffers_per_file;

	/* -ENOMEM when every id is taken. */
	Result<BufferId> allocate() noexcept;
	bool in_use(s32 id) const noexcept;
	u32 count() const noexcept { return count_; }
	bool full() const noexcept { return count_ == capacity; }

private:
	friend struct BufferIdState;
	void release(s32 id) noexcept;

	static constexpr u32 word_bits = 64;
	u64 used_[capacity / word_bits] = {};
	u32 count_ = 0;
};

} // namespace crono
