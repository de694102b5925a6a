// SPDX-License-Identifier: GPL-2.0
/* The PCI function: enabling it for the driver, and as the C++ core sees it. */
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "glue.h"

static void crono_restore_dma_limits(struct crono_pci *pci)
{
	(void)dma_set_max_seg_size(&pci->pdev->dev, pci->saved_max_seg_size);
	(void)dma_set_seg_boundary(&pci->pdev->dev, pci->saved_seg_boundary);
}

int crono_pci_enable(struct crono_pci *pci)
{
	struct pci_dev *pdev = pci->pdev;
	int ret;

	ret = pci_enable_device(pdev);
	if (ret)
		return ret;
	/* Bus mastering stays off until a file is opened. */
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	if (ret) {
		dev_err(&pdev->dev, "no usable DMA mask\n");
		goto disable;
	}
	/* The page table is per 4 KiB page: segment sizes do not matter to
	 * the board, and large ones keep the sg table small. What was there
	 * goes back at remove, so nothing of the driver outlives it. */
	pci->saved_max_seg_size = dma_get_max_seg_size(&pdev->dev);
	pci->saved_seg_boundary = dma_get_seg_boundary(&pdev->dev);
	(void)dma_set_max_seg_size(&pdev->dev, UINT_MAX & PAGE_MASK);
	/* Nor do 4 GiB multiples: merged segments may cross them. */
	(void)dma_set_seg_boundary(&pdev->dev, DMA_BIT_MASK(64));

	/* Mapped, not requested: the vendor library maps resource0 itself,
	 * which CONFIG_IO_STRICT_DEVMEM forbids while a region is claimed. */
	if (pci_resource_flags(pdev, 0) & IORESOURCE_MEM) {
		pci->bar0 = pci_iomap(pdev, 0, 0);
		if (!pci->bar0) {
			ret = -ENOMEM;
			goto restore;
		}
		pci->bar0_len = pci_resource_len(pdev, 0);
	}
	return 0;

restore:
	crono_restore_dma_limits(pci);
disable:
	pci_disable_device(pdev);
	return ret;
}

void crono_pci_disable(struct crono_pci *pci)
{
	if (pci->bar0)
		pci_iounmap(pci->pdev, pci->bar0);
	pci->bar0 = NULL;
	pci->bar0_len = 0;
	pci_clear_master(pci->pdev);
	crono_restore_dma_limits(pci);
	pci_disable_device(pci->pdev);
}

void crono_kpci_location(const struct crono_pci *pci,
			 struct crono_pci_location *loc)
{
	struct pci_dev *pdev = pci->pdev;

	loc->domain = pci_domain_nr(pdev->bus);
	loc->bus = pdev->bus->number;
	loc->slot = PCI_SLOT(pdev->devfn);
	loc->func = PCI_FUNC(pdev->devfn);
	loc->vendor = pdev->vendor;
	loc->device = pdev->device;
}

crono_u64 crono_kpci_bar0_len(const struct crono_pci *pci)
{
	return pci->bar0 ? pci->bar0_len : 0;
}

void crono_kpci_bar0_write32(struct crono_pci *pci, crono_u32 offset,
			     crono_u32 value)
{
	/* Offsets were checked against bar0_len when the program was set. */
	if (pci->bar0 && offset + sizeof(u32) <= pci->bar0_len)
		iowrite32(value, pci->bar0 + offset);
}

void crono_kpci_flush_writes(struct crono_pci *pci)
{
	/* A read of a gone device would only return all ones, slowly. */
	if (pci_channel_offline(pci->pdev))
		return;
	if (pci->bar0)
		(void)ioread32(pci->bar0);
	else
		pci_read_config_dword(pci->pdev, PCI_VENDOR_ID, &(u32){ 0 });
}

void crono_kpci_set_bus_master(struct crono_pci *pci, int enable)
{
	if (enable)
		pci_set_master(pci->pdev);
	else
		pci_clear_master(pci->pdev);
}

struct crono_pci *crono_pci_alloc(struct pci_dev *pdev)
{
	struct crono_pci *pci = kzalloc(sizeof(*pci), GFP_KERNEL);

	if (!pci)
		return NULL;
	kref_init(&pci->ref);
	pci->pdev = pci_dev_get(pdev);
	return pci;
}

static void crono_pci_free(struct kref *ref)
{
	struct crono_pci *pci = container_of(ref, struct crono_pci, ref);

	pci_dev_put(pci->pdev);
	kfree(pci);
}

void crono_kpci_get(struct crono_pci *pci)
{
	kref_get(&pci->ref);
}

void crono_kpci_put(struct crono_pci *pci)
{
	kref_put(&pci->ref, crono_pci_free);
}
