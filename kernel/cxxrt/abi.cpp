// SPDX-License-Identifier: GPL-2.0
/*
 * The compiler's runtime hooks a freestanding kernel build still needs.
 */
#include "../glue/crono_glue.h"

extern "C" {

/*
 * A pure virtual function was called through a vtable: a bug in the driver
 * (a call from a constructor or destructor). Say so loudly instead of jumping
 * into nothing.
 */
void __cxa_pure_virtual() noexcept
{
	crono_klog(nullptr, CRONO_LOG_ERR, "pure virtual function called\n");
	__builtin_trap();
}

} // extern "C"
