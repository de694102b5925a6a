// SPDX-License-Identifier: GPL-2.0
/*
 * A test-only PCI driver for QEMU's edu device, so the suites reach a real
 * PCI function, enabled by the glue's crono_pci_enable() as the driver's own
 * probe does: a 64-bit DMA mask, large segments without a boundary, BAR0
 * mapped, bus mastering off (the driver turns it on while a file is open;
 * the fixture's own transfers turn it on themselves). With ktests/run's
 * machine an Intel IOMMU translates its DMA.
 */
#include <linux/delay.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>

#include "kt_pci.h"

static struct crono_kt_edu crono_kt_edus[CRONO_KT_EDU_MAX];
static int crono_kt_edu_count;

static int crono_kt_edu_probe(struct pci_dev *pdev,
			      const struct pci_device_id *id)
{
	struct crono_kt_edu *edu;
	struct crono_pci *pci;
	int ret;

	if (crono_kt_edu_count == CRONO_KT_EDU_MAX)
		return -ENOSPC;
	edu = &crono_kt_edus[crono_kt_edu_count];
	memset(edu, 0, sizeof(*edu));
	pci = &edu->pci;
	edu->max_seg_before_enable = dma_get_max_seg_size(&pdev->dev);
	edu->seg_boundary_before_enable = dma_get_seg_boundary(&pdev->dev);
	/* Enabled exactly as the driver's probe enables a board. */
	pci->pdev = pdev;
	ret = crono_pci_enable(pci);
	if (ret)
		return ret;
	if (!pci->bar0 || ioread32(pci->bar0 + EDU_REG_ID) != EDU_ID_VALUE) {
		crono_pci_disable(pci);
		return -ENODEV;
	}
	edu->master_after_enable = pdev->is_busmaster;
	edu->seg_boundary_after_enable = dma_get_seg_boundary(&pdev->dev);
	edu->pdev = pdev;
	edu->bar0 = pci->bar0;
	edu->bar0_len = pci->bar0_len;
	pci_set_drvdata(pdev, edu);
	crono_kt_edu_count++;
	return 0;
}

static void crono_kt_edu_remove(struct pci_dev *pdev)
{
	struct crono_kt_edu *edu = pci_get_drvdata(pdev);

	crono_pci_disable(&edu->pci);
	edu->pdev = NULL;
	edu->bar0 = NULL;
}

int crono_kt_edu_reenable(struct crono_kt_edu *edu)
{
	int ret = crono_pci_enable(&edu->pci);

	edu->bar0 = edu->pci.bar0;
	edu->bar0_len = edu->pci.bar0_len;
	return ret;
}

static const struct pci_device_id crono_kt_edu_ids[] = {
	{ PCI_DEVICE(CRONO_KT_EDU_VENDOR, CRONO_KT_EDU_DEVICE) },
	{},
};

static struct pci_driver crono_kt_edu_driver = {
	.name = "crono_kunit_edu",
	.id_table = crono_kt_edu_ids,
	.probe = crono_kt_edu_probe,
	.remove = crono_kt_edu_remove,
};

int crono_kt_edu_bind(struct kunit_suite *suite)
{
	crono_kt_edu_count = 0;
	return pci_register_driver(&crono_kt_edu_driver);
}

void crono_kt_edu_unbind(struct kunit_suite *suite)
{
	pci_unregister_driver(&crono_kt_edu_driver);
	crono_kt_edu_count = 0;
}

struct crono_kt_edu *crono_kt_edu(struct kunit *test, int idx)
{
	if (idx >= crono_kt_edu_count)
		kunit_skip(test, "needs %d edu device(s) (1234:11e8), found %d",
			   idx + 1, crono_kt_edu_count);
	return &crono_kt_edus[idx];
}

struct crono_pci *crono_kt_edu_pci(struct kunit *test, int idx)
{
	struct crono_kt_edu *edu = crono_kt_edu(test, idx);
	struct crono_pci *pci = kunit_kzalloc(test, sizeof(*pci), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pci);
	pci->pdev = edu->pdev;
	pci->bar0 = edu->bar0;
	pci->bar0_len = edu->bar0_len;
	return pci;
}

/* One transfer of the edu DMA engine; 0 when done, -ETIMEDOUT. */
static int crono_kt_edu_dma(struct crono_kt_edu *edu, u64 src, u64 dst,
			    u32 count, bool to_ram)
{
	int waited;

	/* The fixture plays the board: it may master the bus. */
	pci_set_master(edu->pdev);
	writeq(src, edu->bar0 + EDU_REG_DMA_SRC);
	writeq(dst, edu->bar0 + EDU_REG_DMA_DST);
	iowrite32(count, edu->bar0 + EDU_REG_DMA_COUNT);
	iowrite32(EDU_DMA_START | (to_ram ? EDU_DMA_TO_RAM : 0),
		  edu->bar0 + EDU_REG_DMA_CMD);
	/* The engine takes about 100 ms of guest time per transfer. */
	for (waited = 0; waited < 10000; waited += 5) {
		if (!(ioread32(edu->bar0 + EDU_REG_DMA_CMD) & EDU_DMA_START))
			return 0;
		msleep(5);
	}
	return -ETIMEDOUT;
}

void crono_kt_edu_copy(struct kunit *test, struct crono_kt_edu *edu, u64 from,
		       u64 to, u32 len)
{
	KUNIT_ASSERT_EQ(
		test, 0,
		crono_kt_edu_dma(edu, from, EDU_DEVICE_BUFFER, len, false));
	KUNIT_ASSERT_EQ(
		test, 0,
		crono_kt_edu_dma(edu, EDU_DEVICE_BUFFER, to, len, true));
}

bool crono_kt_iommu_translates(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	return domain && (domain->type & __IOMMU_DOMAIN_DMA_API);
}

phys_addr_t crono_kt_dma_to_phys(struct device *dev, u64 dma_addr)
{
	if (crono_kt_iommu_translates(dev))
		return iommu_iova_to_phys(iommu_get_domain_for_dev(dev),
					  dma_addr);
	return dma_to_phys(dev, dma_addr);
}
