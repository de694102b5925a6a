// SPDX-License-Identifier: GPL-2.0
/*
 * operator new and delete onto the glue's allocator. The driver allocates
 * with an explicit GFP choice. Of the standard forms only those exist that
 * may return null (nothrow) and the deletes the compiler refers to itself
 * (sized and aligned deletes of polymorphic types): a throwing `new T` would
 * never see the allocator's null and construct into it, so it fails to link.
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

void *operator new(crono::size_t size, const std::nothrow_t &) noexcept
{
	return crono_kmalloc(size, CRONO_GFP_KERNEL);
}
void *operator new[](crono::size_t size, const std::nothrow_t &) noexcept
{
	return crono_kmalloc(size, CRONO_GFP_KERNEL);
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
