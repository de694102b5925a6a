// SPDX-License-Identifier: GPL-2.0
/*
 * crono_sg_dma: the page-table logic fed by real scatter/gather tables.
 *
 * Real pages allocated here in known physical layouts, a real sg table built
 * by the glue's crono_ksgt_append() in batches, as a lock builds it
 * (sg_alloc_append_table_from_pages, which merges contiguous pages within
 * and across batches and splits at the segment limit), a real
 * dma_map_sgtable() on a KUnit device (dma-direct: bus addresses) and on the
 * machine's edu PCI device (Intel IOMMU: IOVAs), then the driver's page
 * table compared page by page with the segments the DMA API returned and
 * with the page each entry must reach: the physical address for dma-direct,
 * the IOMMU's own translation of the IOVA otherwise. Last, the edu DMA
 * engine moves data through the table, so the device itself checks it.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>

#include "kt_pci.h"
#include "sg_helper.h"

#define KT_MAX_RUNS 8
#define KT_PAGE 4096u

struct kt_layout {
	const char *name;
	/* Page counts of physically separate runs (up to the first 0), or
	 * none and `singles` pages allocated one by one (layout left to
	 * chance). */
	unsigned int runs[KT_MAX_RUNS];
	unsigned int singles;
	/* Segment limit in pages; 0: the device's maximum segment size. */
	unsigned int max_segment_pages;
	/* The buffer ends this many bytes before its last page does. */
	unsigned int short_bytes;
	/* Page-table staging entries (the driver uses 512). */
	unsigned int staging;
	/* Pages per append (the driver's pin batch: 512). */
	unsigned int batch;
	/* CPU segments the sg table must have; 0: whatever the model says. */
	unsigned int expect_segments;
};

static const struct kt_layout kt_layouts[] = {
	{ .name = "single_page", .runs = { 1 }, .expect_segments = 1 },
	{ .name = "16_contiguous_pages_merged",
	  .runs = { 16 },
	  .expect_segments = 1 },
	{ .name = "odd_runs_3_1_5_7_2_9",
	  .runs = { 3, 1, 5, 7, 2, 9 },
	  .expect_segments = 6 },
	{ .name = "16_pages_split_by_3_page_limit",
	  .runs = { 16 },
	  .max_segment_pages = 3,
	  .expect_segments = 6 },
	{ .name = "runs_split_by_2_page_limit",
	  .runs = { 5, 1, 4 },
	  .max_segment_pages = 2,
	  .expect_segments = 6 },
	{ .name = "last_page_partial",
	  .runs = { 2, 3 },
	  .short_bytes = 100,
	  .expect_segments = 2 },
	{ .name = "1024_single_allocations", .singles = 1024 },
	{ .name = "odd_runs_staging_3",
	  .runs = { 3, 1, 5, 7, 2, 9 },
	  .staging = 3,
	  .expect_segments = 6 },
	{ .name = "16_pages_merged_across_appends_of_3",
	  .runs = { 16 },
	  .batch = 3,
	  .expect_segments = 1 },
	{ .name = "odd_runs_appended_in_twos_split_by_4_page_limit",
	  .runs = { 3, 1, 5, 7, 2, 9 },
	  .batch = 2,
	  .max_segment_pages = 4,
	  .expect_segments = 10 },
	{ .name = "600_single_allocations_appended_in_batches_of_7",
	  .singles = 600,
	  .batch = 7 },
};

static void kt_layout_desc(const struct kt_layout *layout, char *desc)
{
	strscpy(desc, layout->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kt_layouts, kt_layouts, kt_layout_desc);

/* Everything one mapped buffer holds, released by a KUnit action even when
 * an assertion ends the test early. */
struct kt_mapping {
	struct device *dev;
	struct crono_pci *pci; /* NULL: mapped with the DMA API directly */
	struct page **pages;
	unsigned int npages;
	struct page **blocks;
	unsigned int *orders;
	unsigned int nblocks;
	struct crono_sgt *sgt;
	bool mapped;
	u64 size;
	u64 entries;
	u64 *table;
};

static void kt_mapping_release(void *data)
{
	struct kt_mapping *m = data;
	unsigned int i;

	if (m->mapped) {
		if (m->pci)
			crono_kdma_unmap_sgt(m->pci, m->sgt);
		else
			dma_unmap_sgtable(m->dev, &m->sgt->append.sgt,
					  DMA_BIDIRECTIONAL, 0);
	}
	/* The pages are the test's own, not pinned: only the table goes. */
	if (m->sgt)
		crono_ksgt_destroy(m->sgt);
	for (i = 0; i < m->nblocks; i++)
		__free_pages(m->blocks[i], m->orders[i]);
}

static void kt_alloc_pages(struct kunit *test, struct kt_mapping *m,
			   const struct kt_layout *layout)
{
	unsigned int i, j, n = layout->singles;

	for (i = 0; i < KT_MAX_RUNS && layout->runs[i]; i++)
		n += layout->runs[i];
	m->npages = n;
	m->pages = kunit_kcalloc(test, n, sizeof(*m->pages), GFP_KERNEL);
	m->blocks = kunit_kcalloc(test, n, sizeof(*m->blocks), GFP_KERNEL);
	m->orders = kunit_kcalloc(test, n, sizeof(*m->orders), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->pages);
	KUNIT_ASSERT_NOT_NULL(test, m->blocks);
	KUNIT_ASSERT_NOT_NULL(test, m->orders);
	/* Registered after the arrays it reads: KUnit releases in reverse. */
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_mapping_release, m));

	n = 0;
	/* Each run starts one page into its own block, so two runs are never
	 * physically adjacent even when their blocks are. */
	for (i = 0; i < KT_MAX_RUNS && layout->runs[i]; i++) {
		unsigned int order = order_base_2(layout->runs[i] + 1);
		struct page *block = alloc_pages(GFP_KERNEL, order);

		KUNIT_ASSERT_NOT_NULL(test, block);
		m->blocks[m->nblocks] = block;
		m->orders[m->nblocks++] = order;
		for (j = 0; j < layout->runs[i]; j++)
			m->pages[n++] = block + 1 + j;
	}
	for (i = 0; i < layout->singles; i++) {
		struct page *page = alloc_page(GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, page);
		m->blocks[m->nblocks] = page;
		m->orders[m->nblocks++] = 0;
		m->pages[n++] = page;
	}
}

/* The CPU segments the appends must build, whatever the batches: a new one
 * at every physical discontinuity and whenever the limit is reached. */
static unsigned int kt_model_segments(struct kt_mapping *m,
				      unsigned int max_pages)
{
	unsigned int i, segments = 0, run = 0;

	for (i = 0; i < m->npages; i++) {
		if (i == 0 || run == max_pages ||
		    page_to_pfn(m->pages[i]) !=
			    page_to_pfn(m->pages[i - 1]) + 1) {
			segments++;
			run = 0;
		}
		run++;
	}
	return segments;
}

/*
 * Builds, maps and converts a buffer of the given layout on dev (through the
 * glue when pci is given), then checks the table entry by entry.
 */
static struct kt_mapping *kt_map_and_check(struct kunit *test,
					   struct device *dev,
					   struct crono_pci *pci,
					   const struct kt_layout *layout)
{
	struct kt_mapping *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	bool translated = crono_kt_iommu_translates(dev);
	unsigned int max_segment, expected, i, k, done, batch;
	struct scatterlist *sg;
	size_t chunk_bytes;
	size_t staging_entries;
	u64 *staging;
	u64 n;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->dev = dev;
	m->pci = pci;
	kt_alloc_pages(test, m, layout);
	m->size = (u64)m->npages * PAGE_SIZE - layout->short_bytes;
	m->entries = DIV_ROUND_UP(m->size, KT_PAGE);

	/* The sg table, as the driver builds it. */
	max_segment = layout->max_segment_pages
			      ? layout->max_segment_pages * PAGE_SIZE
		      : pci ? crono_kdma_max_segment(pci)
			    : dma_get_max_seg_size(dev) & PAGE_MASK;
	KUNIT_ASSERT_EQ(test, crono_ksgt_alloc(&m->sgt), 0);
	batch = layout->batch ?: 512;
	for (done = 0; done < m->npages; done += k) {
		k = min(batch, m->npages - done);
		ret = crono_ksgt_append(m->sgt,
					(struct crono_page **)m->pages + done,
					k, max_segment, m->npages - done - k);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}
	expected = kt_model_segments(m, max_segment / PAGE_SIZE);
	if (layout->expect_segments)
		KUNIT_EXPECT_EQ(test, expected, layout->expect_segments);
	KUNIT_EXPECT_EQ(test, m->sgt->append.sgt.orig_nents, expected);
	n = 0;
	for_each_sgtable_sg(&m->sgt->append.sgt, sg, i)
	{
		KUNIT_EXPECT_LE(test, sg->length, max_segment);
		/* The segments name the pages in order, nothing else. */
		for (k = 0; k < sg->length / PAGE_SIZE; k++, n++)
			KUNIT_EXPECT_TRUE(test,
					  n < m->npages &&
						  nth_page(sg_page(sg), k) ==
							  m->pages[n]);
	}
	KUNIT_EXPECT_EQ(test, n, (u64)m->npages);
	/* What the table occupies: its header and chunks holding at least
	 * every entry it allocated, at most a page per chunk. */
	chunk_bytes = crono_ksgt_bytes(m->sgt) - ksize(m->sgt);
	KUNIT_EXPECT_GE(test, chunk_bytes,
			m->sgt->append.total_nents *
				sizeof(struct scatterlist));
	KUNIT_EXPECT_LE(test, chunk_bytes,
			DIV_ROUND_UP(m->sgt->append.total_nents,
				     SG_MAX_SINGLE_ALLOC - 1) *
				PAGE_SIZE);

	/* The DMA mapping. */
	ret = pci ? crono_kdma_map_sgt(pci, m->sgt)
		  : dma_map_sgtable(dev, &m->sgt->append.sgt, DMA_BIDIRECTIONAL,
				    0);
	KUNIT_ASSERT_EQ(test, ret, 0);
	m->mapped = true;
	if (pci)
		KUNIT_EXPECT_EQ(test, crono_kdma_sgt_bounced(pci, m->sgt), 0);
	kunit_info(test, "%u pages, %u CPU segments, %u DMA segments%s",
		   m->npages, m->sgt->append.sgt.orig_nents,
		   m->sgt->append.sgt.nents, translated ? " (IOVAs)" : "");

	/* The driver's page table. */
	m->table = kunit_kmalloc_array(test, m->entries + 1, sizeof(u64),
				       GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->table);
	memset(m->table, 0xa5, (m->entries + 1) * sizeof(u64));
	staging_entries = layout->staging ?: 512;
	staging = kunit_kmalloc_array(test, staging_entries, sizeof(u64),
				      GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, staging);
	ret = crono_kt_page_table_from_sgt(m->sgt, m->entries, m->table,
					   staging, staging_entries);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, m->table[m->entries], 0xa5a5a5a5a5a5a5a5ull);

	/* Entry by entry against the segments the DMA API returned. */
	n = 0;
	for_each_sgtable_dma_sg(&m->sgt->append.sgt, sg, i)
	{
		for (k = 0; k < sg_dma_len(sg) && n < m->entries;
		     k += KT_PAGE, n++) {
			if (m->table[n] != sg_dma_address(sg) + k) {
				KUNIT_FAIL(test,
					   "entry %llu: %#llx, DMA segment %u "
					   "gives %#llx",
					   n, m->table[n], i,
					   (u64)sg_dma_address(sg) + k);
				return m;
			}
		}
	}
	KUNIT_EXPECT_EQ(test, n, m->entries);

	/* And against the page each entry must reach. */
	for (n = 0; n < m->entries; n++) {
		phys_addr_t phys = page_to_phys(m->pages[n]);
		phys_addr_t reached = crono_kt_dma_to_phys(dev, m->table[n]);

		if (reached != phys) {
			KUNIT_FAIL(test,
				   "entry %llu: %#llx reaches %pa, page is at "
				   "%pa",
				   n, m->table[n], &reached, &phys);
			break;
		}
	}
	return m;
}

static void kt_direct_mapping(struct kunit *test)
{
	const struct kt_layout *layout = test->param_value;
	struct device *dev = kunit_device_register(test, "crono_kt_dma");

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	dev->dma_mask = &dev->coherent_dma_mask;
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64)),
			0);
	KUNIT_ASSERT_FALSE(test, crono_kt_iommu_translates(dev));
	kt_map_and_check(test, dev, NULL, layout);
}

static void kt_iommu_mapping(struct kunit *test)
{
	const struct kt_layout *layout = test->param_value;
	struct crono_pci *pci = crono_kt_edu_pci(test, 0);

	kt_map_and_check(test, &pci->pdev->dev, pci, layout);
}

static void kt_iommu_in_dma_mode(struct kunit *test)
{
	struct crono_pci *pci = crono_kt_edu_pci(test, 0);
	struct iommu_domain *domain = iommu_get_domain_for_dev(&pci->pdev->dev);

	/* ktests/run's machine: q35 + intel-iommu, intel_iommu=on. */
	KUNIT_ASSERT_NOT_NULL_MSG(test, domain,
				  "edu device has no IOMMU domain");
	KUNIT_EXPECT_TRUE_MSG(test, domain->type & __IOMMU_DOMAIN_DMA_API,
			      "IOMMU domain type %#x is not a DMA domain",
			      domain->type);
	KUNIT_EXPECT_EQ(test, crono_kdma_always_bounces(pci), 0);
	KUNIT_EXPECT_EQ(test, crono_kdma_max_segment(pci),
			(u32)(UINT_MAX & PAGE_MASK));
}

static void kt_iommu_merges_segments(struct kunit *test)
{
	/* 8 pages no two of which are adjacent: 8 CPU segments, which the
	 * IOMMU maps as fewer IOVA ranges. The table must follow the DMA
	 * segments, not the CPU ones. Six times, on fresh pages. */
	static const struct kt_layout scattered = {
		.name = "8_separate_pages",
		.runs = { 1, 1, 1, 1, 1, 1, 1, 1 },
		.expect_segments = 8,
	};
	struct crono_pci *pci = crono_kt_edu_pci(test, 0);
	struct kt_mapping *m;
	int round;

	for (round = 0; round < 6; round++) {
		m = kt_map_and_check(test, &pci->pdev->dev, pci, &scattered);
		KUNIT_EXPECT_LT(test, m->sgt->append.sgt.nents,
				m->sgt->append.sgt.orig_nents);
	}
}

static void kt_edu_dma_through_table(struct kunit *test)
{
	static const struct kt_layout layout = {
		.name = "odd_runs",
		.runs = { 3, 1, 5, 7, 2, 9 },
	};
	static const unsigned int pairs[][2] = {
		{ 0, 26 },
		{ 26, 0 },
		{ 2, 3 },
		{ 11, 19 },
	};
	struct crono_kt_edu *edu = crono_kt_edu(test, 0);
	struct crono_pci *pci = crono_kt_edu_pci(test, 0);
	struct kt_mapping *m;
	unsigned int p, i, half;

	m = kt_map_and_check(test, &pci->pdev->dev, pci, &layout);
	KUNIT_ASSERT_EQ(test, m->npages, 27u);
	for (i = 0; i < m->npages; i++)
		memset(page_address(m->pages[i]), 0x40 + i, PAGE_SIZE);

	for (p = 0; p < ARRAY_SIZE(pairs); p++) {
		unsigned int from = pairs[p][0], to = pairs[p][1];
		u8 *src = page_address(m->pages[from]);
		u8 *dst = page_address(m->pages[to]);

		memset(src, 0, PAGE_SIZE);
		for (i = 0; i < PAGE_SIZE; i++)
			src[i] = (u8)(i * 7 + from);
		dma_sync_sgtable_for_device(&pci->pdev->dev,
					    &m->sgt->append.sgt,
					    DMA_BIDIRECTIONAL);
		/* Halves, addressed only by their page-table entries: edu
		 * transfers must stay strictly inside its 4 KiB buffer. */
		for (half = 0; half < 2; half++)
			crono_kt_edu_copy(
				test, edu, m->table[from] + half * KT_PAGE / 2,
				m->table[to] + half * KT_PAGE / 2, KT_PAGE / 2);
		dma_sync_sgtable_for_cpu(&pci->pdev->dev, &m->sgt->append.sgt,
					 DMA_BIDIRECTIONAL);
		KUNIT_EXPECT_MEMEQ_MSG(
			test, dst, src, PAGE_SIZE,
			"page %u copied by the device to page %u", from, to);
	}
}

static int kt_sg_dma_suite_init(struct kunit_suite *suite)
{
	return crono_kt_edu_bind(suite);
}

static void kt_sg_dma_suite_exit(struct kunit_suite *suite)
{
	crono_kt_edu_unbind(suite);
}

/* Probe's enable: bus mastering stays off until a file is opened, and
 * merged segments may cross 4 GiB multiples. */
static void kt_enable_leaves_master_off_and_no_boundary(struct kunit *test)
{
	struct crono_kt_edu *edu = crono_kt_edu(test, 0);

	KUNIT_EXPECT_FALSE(test, edu->master_after_enable);
	KUNIT_EXPECT_EQ(test, edu->seg_boundary_after_enable,
			(u64)DMA_BIT_MASK(64));
}

/* Remove's disable puts the segment limits back as probe found them, so
 * nothing of the driver outlives it; enable raises them again. */
static void kt_disable_restores_segment_limits(struct kunit *test)
{
	struct crono_kt_edu *edu = crono_kt_edu(test, 0);
	struct device *dev = &edu->pdev->dev;

	KUNIT_ASSERT_EQ(test, dma_get_max_seg_size(dev),
			(unsigned int)(UINT_MAX & PAGE_MASK));
	KUNIT_ASSERT_NE(test, edu->max_seg_before_enable,
			(unsigned int)(UINT_MAX & PAGE_MASK));
	KUNIT_ASSERT_NE(test, edu->seg_boundary_before_enable,
			(u64)DMA_BIT_MASK(64));
	crono_pci_disable(&edu->pci);
	KUNIT_EXPECT_EQ(test, dma_get_max_seg_size(dev),
			edu->max_seg_before_enable);
	KUNIT_EXPECT_EQ(test, (u64)dma_get_seg_boundary(dev),
			edu->seg_boundary_before_enable);
	KUNIT_ASSERT_EQ(test, crono_kt_edu_reenable(edu), 0);
	KUNIT_EXPECT_EQ(test, dma_get_max_seg_size(dev),
			(unsigned int)(UINT_MAX & PAGE_MASK));
}

static struct kunit_case crono_sg_dma_cases[] = {
	KUNIT_CASE_PARAM(kt_direct_mapping, kt_layouts_gen_params),
	KUNIT_CASE(kt_enable_leaves_master_off_and_no_boundary),
	KUNIT_CASE(kt_disable_restores_segment_limits),
	KUNIT_CASE(kt_iommu_in_dma_mode),
	KUNIT_CASE_PARAM(kt_iommu_mapping, kt_layouts_gen_params),
	KUNIT_CASE(kt_iommu_merges_segments),
	KUNIT_CASE_SLOW(kt_edu_dma_through_table),
	{}
};

static struct kunit_suite crono_sg_dma_suite = {
	.name = "crono_sg_dma",
	.suite_init = kt_sg_dma_suite_init,
	.suite_exit = kt_sg_dma_suite_exit,
	.test_cases = crono_sg_dma_cases,
};

kunit_test_suite(crono_sg_dma_suite);
