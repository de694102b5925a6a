/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The edu devices (1234:11e8) of the test machine, bound to a small test
 * driver for the duration of a suite (pci_fixture.c). C only.
 */
#ifndef CRONO_KT_PCI_H
#define CRONO_KT_PCI_H

#include <kunit/test.h>
#include <linux/pci.h>

#include "glue.h"

#include "../tests/edu/edu_regs.h"

#define CRONO_KT_EDU_VENDOR 0x1234
#define CRONO_KT_EDU_DEVICE 0x11e8
#define CRONO_KT_EDU_MAX 4

struct crono_kt_edu {
	struct pci_dev *pdev;
	void __iomem *bar0;
	resource_size_t bar0_len;
	struct crono_pci pci; /* as crono_pci_enable() filled it */
	/* The PCI core's segment limits, before crono_pci_enable(). */
	unsigned int max_seg_before_enable;
	u64 seg_boundary_before_enable;
	/* As crono_pci_enable() left them, before any test ran. */
	bool master_after_enable;
	u64 seg_boundary_after_enable;
};

/* suite_init / suite_exit of the suites that use the devices. Unbinding
 * makes DMA-API debug report any mapping a suite left behind. */
int crono_kt_edu_bind(struct kunit_suite *suite);
void crono_kt_edu_unbind(struct kunit_suite *suite);

/* crono_pci_enable() again after a test disabled the device. */
int crono_kt_edu_reenable(struct crono_kt_edu *edu);

/* The idx-th bound device; skips the test when there is none. */
struct crono_kt_edu *crono_kt_edu(struct kunit *test, int idx);

/* A struct crono_pci on edu device idx, as the glue's probe fills it, for
 * the glue's DMA functions. Freed with the test; not owned by a board. */
struct crono_pci *crono_kt_edu_pci(struct kunit *test, int idx);

/* The device copies len bytes (at most its 4 KiB buffer) from one device
 * address to another through its buffer; asserts that both transfers end. */
void crono_kt_edu_copy(struct kunit *test, struct crono_kt_edu *edu, u64 from,
		       u64 to, u32 len);

/* Whether an IOMMU translates DMA of dev (addresses are IOVAs). */
bool crono_kt_iommu_translates(struct device *dev);

/* The physical address a DMA of dev to dma_addr reaches: the IOMMU's own
 * translation of an IOVA (0 when it maps nothing there), else dma-direct's. */
phys_addr_t crono_kt_dma_to_phys(struct device *dev, u64 dma_addr);

#endif /* CRONO_KT_PCI_H */
