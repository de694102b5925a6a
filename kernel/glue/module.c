// SPDX-License-Identifier: GPL-2.0
/*
 * crono_pci_drvmod: module entry, the pci_driver, the misc device and its
 * file_operations. Everything here only adapts kernel callbacks to the C++
 * core (crono_glue.h); the driver's decisions are made there.
 */
#include <linux/compat.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "glue.h"
#include "version.h"

static struct crono_pci *crono_from_misc(struct miscdevice *misc)
{
	return container_of(misc, struct crono_pci, misc);
}

/* ---- file operations ------------------------------------------------ */

static int crono_fop_open(struct inode *inode, struct file *file)
{
	/* misc_open() left the miscdevice here. */
	struct crono_pci *pci = crono_from_misc(file->private_data);
	struct crono_open_file *cfile;
	int ret;

	ret = crono_file_open(pci->board, (struct crono_kfile *)file, &cfile);
	if (ret)
		return ret;
	file->private_data = cfile;
	return nonseekable_open(inode, file);
}

static int crono_fop_release(struct inode *inode, struct file *file)
{
	crono_file_release(file->private_data);
	return 0;
}

static long crono_fop_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	return crono_file_ioctl(file->private_data, cmd, arg);
}

#ifdef CONFIG_COMPAT
/* The argument structs have one layout for 32- and 64-bit callers. */
static long crono_fop_compat_ioctl(struct file *file, unsigned int cmd,
				   unsigned long arg)
{
	return crono_file_ioctl(file->private_data, cmd,
				(unsigned long)compat_ptr(arg));
}
#endif

static int crono_fop_mmap(struct file *file, struct vm_area_struct *vma)
{
	return crono_file_mmap(file->private_data, (struct crono_vma *)vma);
}

static const struct file_operations crono_fops = {
	.owner = THIS_MODULE,
	.open = crono_fop_open,
	.release = crono_fop_release,
	.unlocked_ioctl = crono_fop_ioctl,
#ifdef CONFIG_COMPAT
	.compat_ioctl = crono_fop_compat_ioctl,
#endif
	.mmap = crono_fop_mmap,
};

/* ---- sysfs attributes of the misc device ---------------------------- */

static struct crono_board_stats crono_stats_of(struct device *dev)
{
	struct miscdevice *misc = dev_get_drvdata(dev);
	struct crono_board_stats stats;

	crono_board_stats(crono_from_misc(misc)->board, &stats);
	return stats;
}

/* One read-only attribute per counter of struct crono_board_stats. */
#define CRONO_STATS_ATTR(field)                                                \
	static ssize_t field##_show(struct device *dev,                        \
				    struct device_attribute *attr, char *buf)  \
	{                                                                      \
		return sysfs_emit(buf, "%llu\n", crono_stats_of(dev).field);   \
	}                                                                      \
	static DEVICE_ATTR_RO(field)

CRONO_STATS_ATTR(locked_buffers);
CRONO_STATS_ATTR(pinned_bytes);
CRONO_STATS_ATTR(coherent_bytes);
CRONO_STATS_ATTR(coherent_buffers);
CRONO_STATS_ATTR(bookkeeping_bytes);

static struct attribute *crono_attrs[] = {
	&dev_attr_locked_buffers.attr,	  &dev_attr_pinned_bytes.attr,
	&dev_attr_coherent_bytes.attr,	  &dev_attr_coherent_buffers.attr,
	&dev_attr_bookkeeping_bytes.attr, NULL,
};
ATTRIBUTE_GROUPS(crono);

/* ---- the PCI driver ------------------------------------------------- */

static int crono_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct crono_pci *pci;
	int ret;

	/* The id table takes the whole vendor for the modalias; the boards
	 * are those up to CRONO_DEVICE_ID_MAX. new_id/driver_override bind
	 * anything else. */
	if (pdev->vendor == CRONO_VENDOR_ID &&
	    pdev->device > CRONO_DEVICE_ID_MAX)
		return -ENODEV;

	pci = crono_pci_alloc(pdev);
	if (!pci)
		return -ENOMEM;

	ret = crono_pci_enable(pci);
	if (ret)
		goto put;
	ret = crono_board_create(pci, &pci->board, pci->name,
				 sizeof(pci->name));
	if (ret)
		goto disable;

	pci->misc.minor = MISC_DYNAMIC_MINOR;
	pci->misc.name = pci->name;
	pci->misc.fops = &crono_fops;
	pci->misc.parent = &pdev->dev;
	pci->misc.mode = 0660;
	pci->misc.groups = crono_groups;
	ret = misc_register(&pci->misc);
	if (ret) {
		dev_err(&pdev->dev, "cannot register /dev/%s: %d\n", pci->name,
			ret);
		crono_board_remove(pci->board);
		crono_board_put(pci->board);
		goto disable;
	}
	pci_set_drvdata(pdev, pci);
	dev_info(&pdev->dev, "/dev/%s ready\n", pci->name);
	return 0;

disable:
	crono_pci_disable(pci);
put:
	crono_kpci_put(pci);
	return ret;
}

static void crono_remove(struct pci_dev *pdev)
{
	struct crono_pci *pci = pci_get_drvdata(pdev);

	/* No new opens; an open file keeps the board until it is closed. */
	misc_deregister(&pci->misc);
	/* Stops the board through its cleanup program and releases every
	 * buffer while the device can still be reached. */
	crono_board_remove(pci->board);
	crono_pci_disable(pci);
	pci_set_drvdata(pdev, NULL);
	dev_info(&pdev->dev, "/dev/%s removed\n", pci->name);
	/* An open file may keep the board, and the board pci, a while. */
	crono_board_put(pci->board);
	crono_kpci_put(pci);
}

/* Reboot or kexec: the board must not write into memory the next kernel
 * owns. Nothing is freed; the machine is going down. */
static void crono_shutdown(struct pci_dev *pdev)
{
	struct crono_pci *pci = pci_get_drvdata(pdev);

	if (pci)
		crono_board_shutdown(pci->board);
}

static const struct pci_device_id crono_pci_ids[] = {
	{ PCI_DEVICE(CRONO_VENDOR_ID, PCI_ANY_ID) },
	{},
};
MODULE_DEVICE_TABLE(pci, crono_pci_ids);

static struct pci_driver crono_pci_driver = {
	.name = CRONO_DRIVER_NAME,
	.id_table = crono_pci_ids,
	.probe = crono_probe,
	.remove = crono_remove,
	.shutdown = crono_shutdown,
};

static int __init crono_init(void)
{
	int ret = crono_core_init();

	if (ret)
		return ret;
	ret = pci_register_driver(&crono_pci_driver);
	if (ret)
		crono_core_exit();
	return ret;
}

static void __exit crono_exit(void)
{
	pci_unregister_driver(&crono_pci_driver);
	crono_core_exit();
}

module_init(crono_init);
module_exit(crono_exit);

MODULE_DESCRIPTION("Large PCIe DMA ring buffers for cronologic boards");
MODULE_AUTHOR("crono_pci_drvmod developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(CRONO_DRIVER_VERSION);
