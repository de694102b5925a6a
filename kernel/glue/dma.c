// SPDX-License-Identifier: GPL-2.0
/*
 * Scatter/gather tables, streaming and coherent DMA for the C++ core.
 * Kernel-version differences are decided by the feature probes in
 * kbuild/probes.mk (CRONO_HAVE_*), never by version numbers.
 */
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>

#include "glue.h"

crono_u32 crono_kdma_max_segment(const struct crono_pci *pci)
{
	unsigned int max = dma_get_max_seg_size(crono_dev(pci)) & PAGE_MASK;

	return max ? max : PAGE_SIZE;
}

/* Whether an IOMMU translates this device's DMA (addresses are IOVAs). */
static bool crono_dma_translated(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	return domain && (domain->type & __IOMMU_DOMAIN_DMA_API);
}

int crono_kdma_always_bounces(const struct crono_pci *pci)
{
	struct device *dev = crono_dev(pci);

	if (crono_dma_translated(dev))
		return 0;
#if defined(CRONO_HAVE_IS_SWIOTLB_FORCE_BOUNCE)
	return is_swiotlb_force_bounce(dev);
#elif defined(CONFIG_SWIOTLB)
	return swiotlb_force == SWIOTLB_FORCE;
#else
	return 0;
#endif
}

/* Appending with merging across batches keeps no page array; the driver
 * builds its tables no other way. */
#if !defined(CRONO_HAVE_SG_ALLOC_APPEND_TABLE_FROM_PAGES)
#error "this kernel has no sg_alloc_append_table_from_pages()"
#endif

int crono_ksgt_alloc(struct crono_sgt **out)
{
	struct crono_sgt *sgt = kzalloc(sizeof(*sgt), GFP_KERNEL_ACCOUNT);

	if (!sgt)
		return -ENOMEM;
	*out = sgt;
	return 0;
}

int crono_ksgt_append(struct crono_sgt *sgt, struct crono_page **pages,
		      crono_usize npages, crono_u32 max_segment,
		      crono_usize pages_left)
{
	/* Entries and pages are unsigned int in the table: at worst one
	 * entry per page plus one chain entry per chunk, so twice the pages
	 * is a safe bound. */
	if (npages > UINT_MAX || pages_left > UINT_MAX ||
	    (u64)sgt->append.total_nents + 2 * ((u64)npages + pages_left) >
		    UINT_MAX)
		return -E2BIG;
	/* On failure the kernel leaves the entries as they were (chunks it
	 * allocated stay chained, freed with the table). */
	return sg_alloc_append_table_from_pages(
		&sgt->append, (struct page **)pages, npages, 0,
		(unsigned long)npages << PAGE_SHIFT, max_segment, pages_left,
		GFP_KERNEL_ACCOUNT);
}

/* Single pages gathered per call of the kernel's array unpin: a buffer of
 * scattered 4 KiB pages unpins two to three times faster than with one
 * range call each (measured in the QEMU guests). */
#define CRONO_UNPIN_SINGLES 32

void crono_ksgt_unpin_dirty(struct crono_sgt *sgt)
{
	struct page *singles[CRONO_UNPIN_SINGLES];
	unsigned int nsingles = 0, i;
	struct scatterlist *sg;

	/* A segment is physically contiguous whole pages: one range each,
	 * a huge page in one call, whatever the number of its 4 KiB pages. */
	for_each_sgtable_sg(&sgt->append.sgt, sg, i)
	{
		if (sg->length == PAGE_SIZE) {
			singles[nsingles++] = sg_page(sg);
			if (nsingles < ARRAY_SIZE(singles))
				continue;
			unpin_user_pages_dirty_lock(singles, nsingles, true);
			nsingles = 0;
		} else {
			unpin_user_page_range_dirty_lock(
				sg_page(sg), sg->length >> PAGE_SHIFT, true);
		}
		cond_resched();
	}
	if (nsingles)
		unpin_user_pages_dirty_lock(singles, nsingles, true);
}

void crono_ksgt_destroy(struct crono_sgt *sgt)
{
	sg_free_append_table(&sgt->append);
	kfree(sgt);
}

crono_usize crono_ksgt_bytes(const struct crono_sgt *sgt)
{
	const struct scatterlist *chunk = sgt->append.sgt.sgl;
	unsigned int left = sgt->append.total_nents;
	crono_usize bytes = ksize(sgt);

	/* The chunks as sg_free_append_table() walks them: whole pages
	 * chained through their last entry, then a last one, a page when
	 * full, else a kmalloc block. */
	while (chunk && left > SG_MAX_SINGLE_ALLOC) {
		bytes += PAGE_SIZE;
		chunk = sg_chain_ptr(
			(struct scatterlist *)&chunk[SG_MAX_SINGLE_ALLOC - 1]);
		left -= SG_MAX_SINGLE_ALLOC - 1;
	}
	if (chunk && left)
		bytes += left == SG_MAX_SINGLE_ALLOC ? PAGE_SIZE : ksize(chunk);
	return bytes;
}

/*
 * A locked buffer stays mapped while the device writes it and user space
 * reads it, with no sync in between: that is only correct where DMA is cache
 * coherent, and there the CPU syncs at map and unmap do nothing. Skipping
 * them says so, and tells DMA-API debug that several mappings of the same
 * pages (the same memory locked twice) are intended.
 */
#define CRONO_SG_DMA_ATTRS DMA_ATTR_SKIP_CPU_SYNC

int crono_kdma_map_sgt(struct crono_pci *pci, struct crono_sgt *sgt)
{
	return dma_map_sgtable(crono_dev(pci), &sgt->append.sgt,
			       DMA_BIDIRECTIONAL, CRONO_SG_DMA_ATTRS);
}

void crono_kdma_unmap_sgt(struct crono_pci *pci, struct crono_sgt *sgt)
{
	dma_unmap_sgtable(crono_dev(pci), &sgt->append.sgt, DMA_BIDIRECTIONAL,
			  CRONO_SG_DMA_ATTRS);
}

/*
 * Without an IOMMU the device must see each page at its own bus address; any
 * other address means the mapping went through bounce buffers, which a
 * persistent ring buffer cannot use.
 */
int crono_kdma_sgt_bounced(const struct crono_pci *pci,
			   const struct crono_sgt *sgt)
{
	struct device *dev = crono_dev(pci);
	struct scatterlist *sg;
	unsigned int i;

	if (crono_dma_translated(dev))
		return 0;
	for_each_sgtable_dma_sg(&sgt->append.sgt, sg, i)
	{
		if (sg_dma_address(sg) != phys_to_dma(dev, sg_phys(sg)))
			return 1;
	}
	return 0;
}

int crono_ksgt_walk_dma(const struct crono_sgt *sgt, crono_dma_segment_fn fn,
			void *ctx)
{
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	for_each_sgtable_dma_sg(&sgt->append.sgt, sg, i)
	{
		ret = fn(ctx, sg_dma_address(sg), sg_dma_len(sg));
		if (ret)
			return ret;
	}
	return 0;
}

void *crono_kcoherent_alloc(struct crono_pci *pci, crono_usize size,
			    crono_u64 *dma_addr)
{
	dma_addr_t handle;
	/* Accounted: user space decides how much of it there is. */
	void *cpu = dma_alloc_coherent(crono_dev(pci), size, &handle,
				       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);

	if (cpu)
		*dma_addr = handle;
	return cpu;
}

void crono_kcoherent_free(struct crono_pci *pci, crono_usize size, void *cpu,
			  crono_u64 dma_addr)
{
	dma_free_coherent(crono_dev(pci), size, cpu, dma_addr);
}
