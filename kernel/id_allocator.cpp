// SPDX-License-Identifier: GPL-2.0
#include "id_allocator.h"

#include "cxxrt/errno.h"

namespace crono {

Result<BufferId> IdAllocator::allocate() noexcept
{
	for (u32 word = 0; word < capacity / word_bits; word++) {
		if (used_[word] == ~0ull)
			continue;
		const u32 bit = __builtin_ctzll(~used_[word]);
		used_[word] |= 1ull << bit;
		count_++;
		return BufferId(
			BufferIdState{ this, s32(word * word_bits + bit) });
	}
	return Error::from_errno(-ENOMEM);
}

void BufferIdState::release() noexcept
{
	ids->release(id);
}

bool IdAllocator::in_use(s32 id) const noexcept
{
	if (id < 0 || u32(id) >= capacity)
		return false;
	return used_[u32(id) / word_bits] & (1ull << (u32(id) % word_bits));
}

void IdAllocator::release(s32 id) noexcept
{
	if (!in_use(id))
		return;
	used_[u32(id) / word_bits] &= ~(1ull << (u32(id) % word_bits));
	count_--;
}

} // namespace crono
