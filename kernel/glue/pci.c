// SPDX-License-Identifier: GPL-2.0
/* The PCI function as the C++ core sees it. */
#include <linux/io.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "glue.h"

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

void crono_kpci_put(struct crono_pci *pci)
{
	pci_dev_put(pci->pdev);
	kfree(pci);
}
