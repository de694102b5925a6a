// SPDX-License-Identifier: GPL-2.0
/*
 * User memory for the C++ core: copies, long-term pins and their
 * RLIMIT_MEMLOCK charge.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
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
	/* In steps, so that unpinning hundreds of GiB at exit lets others
	 * run. */
	const crono_usize step = 4096;
	crono_usize done;

	for (done = 0; done < npages; done += step) {
		unpin_user_pages_dirty_lock((struct page **)pages + done,
					    min(step, npages - done), true);
		cond_resched();
	}
}

struct crono_user_window {
	unsigned long first_offset; /* of the range in its first page */
	unsigned long npages;
	struct page *pages[];
};

int crono_kuser_window_pin(crono_u64 start, crono_usize len,
			   struct crono_user_window **out)
{
	const unsigned long first = start & PAGE_MASK;
	struct crono_user_window *window;
	unsigned long npages;
	long pinned = 0, got;

	if (!len || start + len < start)
		return -EFAULT;
	npages = (PAGE_ALIGN(start + len) - first) >> PAGE_SHIFT;
	window = kvmalloc(struct_size(window, pages, npages),
			  GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!window)
		return -ENOMEM;
	window->first_offset = offset_in_page(start);
	window->npages = npages;
	while (pinned < npages) {
		/* Short-term: unpinned when the request returns. */
		got = pin_user_pages_fast(first + pinned * PAGE_SIZE,
					  npages - pinned, FOLL_WRITE,
					  window->pages + pinned);
		if (got <= 0) {
			unpin_user_pages(window->pages, pinned);
			kvfree(window);
			return got ? got : -EFAULT;
		}
		pinned += got;
	}
	*out = window;
	return 0;
}

void crono_kuser_window_write(struct crono_user_window *window,
			      crono_usize offset, const void *src,
			      crono_usize len)
{
	offset += window->first_offset;
	while (len) {
		const unsigned long index = offset >> PAGE_SHIFT;
		const unsigned long in_page = offset_in_page(offset);
		const unsigned long n =
			min_t(unsigned long, len, PAGE_SIZE - in_page);
		void *dst;

		if (WARN_ON_ONCE(index >= window->npages))
			return;
		dst = kmap_local_page(window->pages[index]);
		memcpy(dst + in_page, src, n);
		kunmap_local(dst);
		src += n;
		offset += n;
		len -= n;
	}
}

void crono_kuser_window_release(struct crono_user_window *window)
{
	unpin_user_pages_dirty_lock(window->pages, window->npages, true);
	kvfree(window);
}
