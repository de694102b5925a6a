/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The benchmark's measuring module (crono_floor.ko) as user space calls it:
 * one ioctl on /dev/crono_floor that does for a user buffer what the kernel
 * must do to lock it for DMA and to unlock it again, and reports the time of
 * each step. Self-contained like uapi/crono_pci_drvmod.h: the module and the
 * guest program read the same definitions.
 */
#ifndef CRONO_BENCH_FLOOR_H
#define CRONO_BENCH_FLOOR_H

#define CRONO_FLOOR_NAME "crono_floor" /* PCI driver and misc device */

/* Unpin one page range per sg segment (default: the page array). */
#define CRONO_FLOOR_UNPIN_RANGES 1u

struct crono_floor_measure {
	unsigned long long addr; /* in: page-aligned user address */
	unsigned long long size; /* in: bytes, a multiple of the page size */
	unsigned int flags;	 /* in: CRONO_FLOOR_* */
	unsigned int reserved;	 /* in: 0 */
	/* out: nanoseconds of each step (ktime_get_ns) */
	unsigned long long pin_ns;   /* pin_user_pages_fast, LONGTERM */
	unsigned long long sgt_ns;   /* sg_alloc_table_from_pages_segment */
	unsigned long long map_ns;   /* dma_map_sgtable */
	unsigned long long unmap_ns; /* dma_unmap_sgtable */
	unsigned long long unpin_ns; /* the unpin that flags chose */
	/* out: the buffer as the steps saw it */
	unsigned long long cpu_segments; /* sg entries after merging */
	unsigned long long dma_segments; /* DMA segments after mapping */
	unsigned long long max_segment;	 /* bytes, the device's limit */
};

/* _IOWR('f', 1, struct crono_floor_measure), spelled out: no kernel header. */
#define CRONO_FLOOR_MEASURE                                                    \
	((3u << 30) | ((unsigned)sizeof(struct crono_floor_measure) << 16) |   \
	 ('f' << 8) | 1u)

#endif /* CRONO_BENCH_FLOOR_H */
