/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every bound board, in a list without a static limit. The registry lives
 * from module init to module exit; it exists so the module can account for
 * its boards (and refuse duplicate node names) without a fixed table.
 */
#pragma once

#include "board.h"
#include "cxxrt/own_ptr.h"

namespace crono {

class BoardRegistry {
public:
	static Result<OwnPtr<BoardRegistry>> create() noexcept;
	~BoardRegistry();

	/* -EEXIST if a board of that name is already registered. */
	Result<void> add(Board &board) noexcept;
	void remove(Board &board) noexcept;
	u32 count() noexcept;

private:
	BoardRegistry() noexcept = default;

	Mutex lock_;
	IntrusiveList<Board> boards_;
	u32 count_ = 0;
};

} // namespace crono
