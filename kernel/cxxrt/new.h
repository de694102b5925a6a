/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Allocation for the driver's C++ objects. Every allocation names its GFP
 * choice: new (crono::Gfp::kernel_account) T(...). These forms are noexcept,
 * so a failed allocation yields nullptr and no constructor runs.
 */
#pragma once

#include "../glue/crono_glue.h"
#include "utility.h"

#if __STDC_HOSTED__
/* Host test builds take these from the standard library. */
#include <new>
#else
namespace std {
enum class align_val_t : crono::size_t {};
struct nothrow_t {
	explicit nothrow_t() = default;
};
extern const nothrow_t nothrow;
} // namespace std

inline void *operator new(crono::size_t, void *where) noexcept
{
	return where;
}
inline void *operator new[](crono::size_t, void *where) noexcept
{
	return where;
}
inline void operator delete(void *, void *) noexcept {}
inline void operator delete[](void *, void *) noexcept {}
#endif

namespace crono {
enum class Gfp {
	kernel = CRONO_GFP_KERNEL,
	kernel_account = CRONO_GFP_KERNEL_ACCOUNT,
};
} // namespace crono

void *operator new(crono::size_t size, crono::Gfp gfp) noexcept;
void *operator new[](crono::size_t size, crono::Gfp gfp) noexcept;
