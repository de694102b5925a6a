// SPDX-License-Identifier: GPL-2.0
#include "board_registry.h"

#include "cxxrt/errno.h"
#include "cxxrt/own_ptr.h"

namespace crono {

namespace {
bool same_name(const char *a, const char *b) noexcept
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}
} // namespace

Result<OwnPtr<BoardRegistry>> BoardRegistry::create() noexcept
{
	auto registry = CRONO_TRY(
		adopt_own_or_enomem(new (Gfp::kernel) BoardRegistry()));
	registry->lock_ = CRONO_TRY(Mutex::create(CRONO_LOCK_REGISTRY));
	return move(registry);
}

BoardRegistry::~BoardRegistry()
{
	if (count_)
		crono_klog(nullptr, CRONO_LOG_ERR,
			   "%u boards still registered at exit\n", count_);
}

Result<void> BoardRegistry::add(Board &board) noexcept
{
	MutexGuard guard(lock_);
	for (Board &other : boards_) {
		if (same_name(other.name(), board.name()))
			return Error::from_errno(-EEXIST);
	}
	boards_.push_back(board);
	count_++;
	return {};
}

void BoardRegistry::remove(Board &board) noexcept
{
	MutexGuard guard(lock_);
	if (!board.is_linked())
		return;
	IntrusiveList<Board>::remove(board);
	count_--;
}

u32 BoardRegistry::count() noexcept
{
	MutexGuard guard(lock_);
	return count_;
}

} // namespace crono
