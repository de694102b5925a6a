/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Buffer ids of one open file: the lowest free id in [0, capacity), so ids
 * stay small (a contiguous buffer's id is its mmap page offset) and are
 * reused after unlock.
 */
#pragma once

#include "cxxrt/result.h"
#include "limits.h"

namespace crono {

class IdAllocator {
public:
	static constexpr u32 capacity = limits::max_buffers_per_file;

	/* -ENOMEM when every id is taken. */
	Result<s32> allocate() noexcept;
	void release(s32 id) noexcept;
	bool in_use(s32 id) const noexcept;
	u32 count() const noexcept { return count_; }

private:
	static constexpr u32 word_bits = 64;
	u64 used_[capacity / word_bits] = {};
	u32 count_ = 0;
};

} // namespace crono
