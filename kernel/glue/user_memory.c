// SPDX-License-Identifier: GPL-2.0
/*
 * User memory for the C++ core: copies, long-term pins and their
 * RLIMIT_MEMLOCK charge.
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>

#include "glue.h"

int crono_kcopy_from_user(void *dst, crono_u64 user_src, crono_usize len)
{
	return copy_from_user(dst, u64_to_user_ptr(user_src), len) ? -EFAULT
								   : 0;
}

int crono_kcopy_to_user(crono_u64 user_dst, const void *src, crono_usize len)
{
	return copy_to_user(u64_to_user_ptr(user_dst), src, len) ? -EFAULT : 0;
}

int crono_kmm_charge(crono_usize npages, struct crono_mm **out)
{
	struct mm_struct *mm = current->mm;
	int ret;

	if (!mm)
		return -EFAULT;
	/* Checks RLIMIT_MEMLOCK unless the caller has CAP_IPC_LOCK. */
	ret = account_locked_vm(mm, npages, true);
	if (ret)
		return ret;
	mmgrab(mm);
	*out = (struct crono_mm *)mm;
	return 0;
}

void crono_kmm_uncharge(struct crono_mm *handle, crono_usize npages)
{
	struct mm_struct *mm = (struct mm_struct *)handle;

	/* An address space that already exited has nothing left to charge. */
	if (mmget_not_zero(mm)) {
		account_locked_vm(mm, npages, false);
		mmput(mm);
	}
	mmdrop(mm);
}

long crono_kpin_user_pages(crono_u64 start, crono_usize npages,
			   struct crono_page **pages)
{
	/* Long-term: the device keeps writing for as long as it is locked,
	 * so the pages must leave movable zones first. */
	return pin_user_pages_fast(start, npages, FOLL_WRITE | FOLL_LONGTERM,
				   (struct page **)pages);
}

void crono_kunpin_user_pages(struct crono_page **pages, crono_usize npages)
{
	unpin_user_pages_dirty_lock((struct page **)pages, npages, true);
}
