/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the glue's C files share among themselves (never seen by C++).
 */
#ifndef CRONO_GLUE_INTERNAL_H
#define CRONO_GLUE_INTERNAL_H

#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>

#include "../cxxrt/errno_list.h"
#include "crono_glue.h"
#include "crono_pci_drvmod.h"

/* The core names errno values without kernel headers: same numbers. */
#define CRONO_CHECK_ERRNO(name, value)                                         \
	static_assert(name == (value), "errno " #name " differs");
CRONO_ERRNO_LIST(CRONO_CHECK_ERRNO)
#undef CRONO_CHECK_ERRNO

/*
 * One bound PCI function, as the glue sees it. Probe holds the first
 * reference until remove; a board holds another while it exists.
 */
struct crono_pci {
	struct kref ref;
	struct pci_dev *pdev;
	void __iomem *bar0; /* NULL once the device is gone */
	resource_size_t bar0_len;
	struct crono_board *board;
	struct miscdevice misc;
	char name[CRONO_DEV_NAME_MAX_SIZE];
	/* The device's DMA segment limits before crono_pci_enable() raised
	 * them, put back by crono_pci_disable(). */
	unsigned int saved_max_seg_size;
	unsigned long saved_seg_boundary;
};

/* A scatter/gather table, built by appends (the KUnit suites build and
 * inspect them too); append.sgt is the table proper. */
struct crono_sgt {
	struct sg_append_table append;
};

static inline struct device *crono_dev(const struct crono_pci *pci)
{
	return &pci->pdev->dev;
}

/*
 * Enable pci->pdev for the driver: bus mastering, the widest DMA mask it
 * takes, large DMA segments, BAR0 mapped but not requested. Undone by
 * crono_pci_disable(), which also puts the device's segment limits back as
 * they were.
 */
int crono_pci_enable(struct crono_pci *pci);
void crono_pci_disable(struct crono_pci *pci);

/* A crono_pci for pdev with one reference (crono_kpci_put() frees it), or
 * NULL. */
struct crono_pci *crono_pci_alloc(struct pci_dev *pdev);

#endif /* CRONO_GLUE_INTERNAL_H */
