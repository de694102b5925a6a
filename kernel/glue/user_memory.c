// SPDX-License-Identifier: GPL-2.0
/*
 * User memory for the C++ core: copies, long-term pins, short-term windows,
 * and the RLIMIT_MEMLOCK charge of what the driver keeps.
 */
#include <linux/backing-dev.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "glue.h"

int crono_kcopy_from_user(void *dst, crono_u64 user_src, crono_usize len)
{
	return copy_from_user(dst, u64_to_user_ptr(user_src), len) ? -EFAULT
								   : 0;
}

struct crono_memlock {
	struct user_struct *user; /* NULL: CAP_IPC_LOCK, not limited */
	struct mm_struct *mm;	  /* whose VmPin shows the pages */
};

/* Adds npages to the user's locked memory unless that passes the limit. */
static int crono_user_charge(struct user_struct *user, unsigned long npages)
{
	const unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	long cur = atomic_long_read(&user->locked_vm);

	do {
		if (npages > limit || cur > limit - npages)
			return -ENOMEM;
	} while (
		!atomic_long_try_cmpxchg(&user->locked_vm, &cur, cur + npages));
	return 0;
}

int crono_kmemlock_charge(crono_usize npages, struct crono_memlock **out)
{
	struct crono_memlock *charge;
	int ret;

	if (!current->mm)
		return -EFAULT;
	charge = kzalloc(sizeof(*charge), GFP_KERNEL_ACCOUNT);
	if (!charge)
		return -ENOMEM;
	if (!capable(CAP_IPC_LOCK)) {
		charge->user = get_uid(current_user());
		ret = crono_user_charge(charge->user, npages);
		if (ret) {
			free_uid(charge->user);
			kfree(charge);
			return ret;
		}
	}
	charge->mm = current->mm;
	mmgrab(charge->mm);
	atomic64_add(npages, &charge->mm->pinned_vm);
	*out = charge;
	return 0;
}

void crono_kmemlock_uncharge(struct crono_memlock *charge, crono_usize npages)
{
	if (charge->user) {
		atomic_long_sub(npages, &charge->user->locked_vm);
		free_uid(charge->user);
	}
	atomic64_sub(npages, &charge->mm->pinned_vm);
	mmdrop(charge->mm);
	kfree(charge);
}

crono_usize crono_kmemlock_bytes(const struct crono_memlock *charge)
{
	return ksize(charge);
}

/*
 * Whether the device may keep writing into a pinned page: anonymous and
 * hugetlbfs memory, and file pages nobody writes back (shmem, tmpfs). A page
 * of a file the kernel writes back to disk is not: the filesystem never sees
 * the device's writes. Kernels from 6.5 refuse such long-term pins in GUP
 * with -EFAULT; checking the pinned pages themselves gives 6.1 the same
 * answer, without a race against a remap of the range.
 */
static bool crono_longterm_pin_allowed(struct page *page)
{
	struct folio *folio = page_folio(page);
	struct address_space *mapping;

	if (folio_test_anon(folio) || folio_test_hugetlb(folio))
		return true;
	mapping = READ_ONCE(folio->mapping);
	return mapping && !mapping_can_writeback(mapping);
}

long crono_kpin_user_pages(crono_u64 start, crono_usize npages,
			   struct crono_page **handles)
{
	struct page **pages = (struct page **)handles;
	long got, i;

	/* Long-term: the device keeps writing for as long as it is locked,
	 * so the pages must leave movable zones first. */
	got = pin_user_pages_fast(start, npages, FOLL_WRITE | FOLL_LONGTERM,
				  pages);
	for (i = 0; i < got; i++) {
		if (!crono_longterm_pin_allowed(pages[i])) {
			unpin_user_pages(pages, got);
			return -EFAULT;
		}
	}
	return got;
}

void crono_kunpin_user_pages(struct crono_page **pages, crono_usize npages)
{
	unpin_user_pages_dirty_lock((struct page **)pages, npages, true);
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
	unsigned long pinned = 0;
	long got;

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
