// SPDX-License-Identifier: GPL-2.0
/*
 * operator new and delete onto the glue's allocator. The driver allocates
 * with an explicit GFP choice; the standard forms exist so that the compiler's
 * own references (sized and aligned deletes of polymorphic types, nothrow)
 * resolve, and they allocate as GFP_KERNEL.
 */
#include "new.h"

void *operator new(crono::size_t size, crono::Gfp gfp) noexcept
{
	return crono_kmalloc(size, static_cast<enum crono_gfp>(gfp));
}

void *operator new[](crono::size_t size, crono::Gfp gfp) noexcept
{
	return crono_kmalloc(size, static_cast<enum crono_gfp>(gfp));
}

#if !__STDC_HOSTED__
namespace std {
const nothrow_t nothrow{};
} // namespace std

namespace {
/*
 * kmalloc aligns power-of-two sizes naturally, so an over-aligned object gets
 * a block of at least its alignment.
 */
void *allocate_aligned(crono::size_t size, std::align_val_t align) noexcept
{
	crono::size_t alignment = static_cast<crono::size_t>(align);
	crono::size_t block = alignment;
	while (block < size)
		block <<= 1;
	return crono_kmalloc(block, CRONO_GFP_KERNEL);
}
} // namespace

void *operator new(crono::size_t size)
{
	return crono_kmalloc(size, CRONO_GFP_KERNEL);
}
void *operator new[](crono::size_t size)
{
	return crono_kmalloc(size, CRONO_GFP_KERNEL);
}
void *operator new(crono::size_t size, const std::nothrow_t &) noexcept
{
	return crono_kmalloc(size, CRONO_GFP_KERNEL);
}
void *operator new[](crono::size_t size, const std::nothrow_t &) noexcept
{
	return crono_kmalloc(size, CRONO_GFP_KERNEL);
}
void *operator new(crono::size_t size, std::align_val_t align)
{
	return allocate_aligned(size, align);
}
void *operator new[](crono::size_t size, std::align_val_t align)
{
	return allocate_aligned(size, align);
}

void operator delete(void *ptr) noexcept
{
	crono_kfree(ptr);
}
void operator delete[](void *ptr) noexcept
{
	crono_kfree(ptr);
}
void operator delete(void *ptr, crono::size_t) noexcept
{
	crono_kfree(ptr);
}
void operator delete[](void *ptr, crono::size_t) noexcept
{
	crono_kfree(ptr);
}
void operator delete(void *ptr, std::align_val_t) noexcept
{
	crono_kfree(ptr);
}
void operator delete[](void *ptr, std::align_val_t) noexcept
{
	crono_kfree(ptr);
}
void operator delete(void *ptr, crono::size_t, std::align_val_t) noexcept
{
	crono_kfree(ptr);
}
void operator delete[](void *ptr, crono::size_t, std::align_val_t) noexcept
{
	crono_kfree(ptr);
}
#endif
