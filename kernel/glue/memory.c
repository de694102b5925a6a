// SPDX-License-Identifier: GPL-2.0
/* Allocation for the C++ core. */
#include <linux/mm.h>
#include <linux/slab.h>

#include "glue.h"

static gfp_t crono_gfp_flags(enum crono_gfp gfp)
{
	return gfp == CRONO_GFP_KERNEL_ACCOUNT ? GFP_KERNEL_ACCOUNT
					       : GFP_KERNEL;
}

crono_usize crono_kpage_size(void)
{
	return PAGE_SIZE;
}

void *crono_kmalloc(crono_usize size, enum crono_gfp gfp)
{
	return kmalloc(size, crono_gfp_flags(gfp));
}

void crono_kfree(const void *ptr)
{
	kfree(ptr);
}

crono_usize crono_kmalloc_bytes(const void *ptr)
{
	return ksize(ptr);
}
