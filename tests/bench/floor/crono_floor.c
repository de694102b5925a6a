// SPDX-License-Identifier: GPL-2.0
/*
 * crono_floor: the benchmark's measuring module (tests/bench). Bound to an
 * edu device through driver_override, it does for a user buffer exactly what
 * the kernel must do to lock it for DMA and to unlock it, each step timed:
 * the floor under the driver's LOCK_BUFFER and UNLOCK_BUFFER. A measuring
 * tool, not a driver: it maps for DMA but never lets the device run, and it
 * keeps nothing between calls.
 */
#include <linux/dma-mapping.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "crono_floor.h"

/* Pages per pin_user_pages_fast call: its count is an int, and one call
 * keeps interrupts off for its whole lockless walk. */
#define FLOOR_PIN_CHUNK (1ul << 18)

/* The bound device, and its DMA parameters before probe raised them. */
static struct {
	struct pci_dev *pdev;
	unsigned int old_max_segment;
	unsigned long old_boundary;
} floor_dev;
static DEFINE_MUTEX(floor_mutex); /* floor_dev, and one measurement at once */

/* What one measurement holds, released by floor_release. */
struct floor_lock {
	struct page **pages;
	unsigned long npages;
	unsigned long pinned; /* pages[0 .. pinned) */
	struct sg_table sgt;
	bool have_sgt;
	bool mapped;
};

static int floor_pin(unsigned long start, unsigned long npages,
		     struct page **pages, unsigned long *pinned)
{
	while (*pinned < npages) {
		const int want = min(npages - *pinned, FLOOR_PIN_CHUNK);
		const int got = pin_user_pages_fast(
			start + (*pinned << PAGE_SHIFT), want,
			FOLL_WRITE | FOLL_LONGTERM, pages + *pinned);

		if (got <= 0)
			return got ? got : -EFAULT;
		*pinned += got;
	}
	return 0;
}

static void floor_unpin_ranges(struct sg_table *sgt)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(sgt, sg, i)
	{
		unpin_user_page_range_dirty_lock(
			sg_page(sg), sg->length >> PAGE_SHIFT, true);
	}
}

/* Whatever a failed measurement still holds. */
static void floor_release(struct device *dev, struct floor_lock *lock)
{
	if (lock->mapped)
		dma_unmap_sgtable(dev, &lock->sgt, DMA_BIDIRECTIONAL, 0);
	if (lock->pinned)
		unpin_user_pages(lock->pages, lock->pinned);
	if (lock->have_sgt)
		sg_free_table(&lock->sgt);
	kvfree(lock->pages);
}

static int floor_measure(struct device *dev, struct crono_floor_measure *m)
{
	struct floor_lock lock = { .npages = m->size >> PAGE_SHIFT };
	u64 t0, t1;
	int ret;

	if (!m->size || !PAGE_ALIGNED(m->addr) || !PAGE_ALIGNED(m->size) ||
	    lock.npages > UINT_MAX || m->reserved ||
	    (m->flags & ~CRONO_FLOOR_UNPIN_RANGES))
		return -EINVAL;
	m->max_segment = dma_get_max_seg_size(dev) & PAGE_MASK;
	/* The page array is any caller's choice of bookkeeping: untimed. */
	lock.pages = kvmalloc_array(lock.npages, sizeof(*lock.pages),
				    GFP_KERNEL | __GFP_NOWARN);
	if (!lock.pages)
		return -ENOMEM;

	t0 = ktime_get_ns();
	ret = floor_pin(m->addr, lock.npages, lock.pages, &lock.pinned);
	t1 = ktime_get_ns();
	m->pin_ns = t1 - t0;
	if (ret)
		goto fail;

	t0 = ktime_get_ns();
	ret = sg_alloc_table_from_pages_segment(&lock.sgt, lock.pages,
						lock.npages, 0, m->size,
						m->max_segment, GFP_KERNEL);
	t1 = ktime_get_ns();
	m->sgt_ns = t1 - t0;
	if (ret)
		goto fail;
	lock.have_sgt = true;

	t0 = ktime_get_ns();
	ret = dma_map_sgtable(dev, &lock.sgt, DMA_BIDIRECTIONAL, 0);
	t1 = ktime_get_ns();
	m->map_ns = t1 - t0;
	if (ret)
		goto fail;
	lock.mapped = true;
	m->cpu_segments = lock.sgt.orig_nents;
	m->dma_segments = lock.sgt.nents;

	t0 = ktime_get_ns();
	dma_unmap_sgtable(dev, &lock.sgt, DMA_BIDIRECTIONAL, 0);
	t1 = ktime_get_ns();
	m->unmap_ns = t1 - t0;
	lock.mapped = false;

	t0 = ktime_get_ns();
	if (m->flags & CRONO_FLOOR_UNPIN_RANGES)
		floor_unpin_ranges(&lock.sgt);
	else
		unpin_user_pages_dirty_lock(lock.pages, lock.npages, true);
	t1 = ktime_get_ns();
	m->unpin_ns = t1 - t0;

	sg_free_table(&lock.sgt);
	kvfree(lock.pages);
	return 0;

fail:
	floor_release(dev, &lock);
	return ret;
}

static long floor_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct crono_floor_measure m;
	long ret;

	if (cmd != CRONO_FLOOR_MEASURE)
		return -ENOTTY;
	if (copy_from_user(&m, (void __user *)arg, sizeof(m)))
		return -EFAULT;
	mutex_lock(&floor_mutex);
	ret = floor_dev.pdev ? floor_measure(&floor_dev.pdev->dev, &m)
			     : -ENODEV;
	mutex_unlock(&floor_mutex);
	if (!ret && copy_to_user((void __user *)arg, &m, sizeof(m)))
		ret = -EFAULT;
	return ret;
}

static const struct file_operations floor_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = floor_ioctl,
};

static struct miscdevice floor_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = CRONO_FLOOR_NAME,
	.fops = &floor_fops,
};

static int floor_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	int ret;

	mutex_lock(&floor_mutex);
	ret = floor_dev.pdev ? -EBUSY : 0; /* one device is all it measures */
	if (!ret)
		ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		goto out;
	/* The driver's segment limits, so that both build the same table. */
	floor_dev.old_max_segment = dma_get_max_seg_size(dev);
	floor_dev.old_boundary = dma_get_seg_boundary(dev);
	(void)dma_set_max_seg_size(dev, UINT_MAX & PAGE_MASK);
	(void)dma_set_seg_boundary(dev, DMA_BIT_MASK(64));
	floor_misc.parent = dev;
	ret = misc_register(&floor_misc);
	if (ret) {
		(void)dma_set_max_seg_size(dev, floor_dev.old_max_segment);
		(void)dma_set_seg_boundary(dev, floor_dev.old_boundary);
		goto out;
	}
	floor_dev.pdev = pdev;
out:
	mutex_unlock(&floor_mutex);
	return ret;
}

static void floor_remove(struct pci_dev *pdev)
{
	misc_deregister(&floor_misc);
	mutex_lock(&floor_mutex);
	(void)dma_set_max_seg_size(&pdev->dev, floor_dev.old_max_segment);
	(void)dma_set_seg_boundary(&pdev->dev, floor_dev.old_boundary);
	floor_dev.pdev = NULL;
	mutex_unlock(&floor_mutex);
}

/* No ids: it binds only a device whose driver_override names it. */
static struct pci_driver floor_driver = {
	.name = CRONO_FLOOR_NAME,
	.probe = floor_probe,
	.remove = floor_remove,
};
module_pci_driver(floor_driver);

MODULE_DESCRIPTION("crono_pci_drvmod benchmark: the kernel's own lock and "
		   "unlock of user memory for DMA, timed");
MODULE_LICENSE("GPL");
