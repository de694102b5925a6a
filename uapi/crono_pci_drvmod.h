/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * crono_pci_drvmod user-space ABI.
 *
 * Self-contained on purpose: it includes nothing, so the kernel glue, the
 * freestanding C++ core, C and C++ user space all read the same definitions.
 * Every number and layout below is fixed by the vendor libraries that already
 * call this driver (x86_64, LP64); the static assertions at the end hold the
 * header to that.
 *
 * Pointer-valued fields are 64-bit integers so the layout is identical for
 * 64-bit and 32-bit (compat) callers.
 */
#ifndef CRONO_UAPI_CRONO_PCI_DRVMOD_H
#define CRONO_UAPI_CRONO_PCI_DRVMOD_H

typedef unsigned long long crono_u64_t; /* as the kernel's __u64 */
typedef unsigned int crono_u32_t;
typedef int crono_s32_t;

#define CRONO_DRIVER_NAME "crono_pci_driver"
#define CRONO_MODULE_NAME "crono_pci_drvmod"

/* PCI identity of the boards. */
#define CRONO_VENDOR_ID 0x1A13
#define CRONO_DEVICE_ID_MAX 0x20 /* the vendor module binds ids 0..0x20 */

#define CRONO_DEVICE_HPTDC 0x01
#define CRONO_DEVICE_NDIGO5G 0x02
#define CRONO_DEVICE_NDIGO_AVRG 0x03
#define CRONO_DEVICE_NDIGO250M 0x04
#define CRONO_DEVICE_XTDC4 0x06
#define CRONO_DEVICE_FMC_TDC10 0x07
#define CRONO_DEVICE_TIMETAGGER4 0x08
#define CRONO_DEVICE_D_AVE12 0x09
#define CRONO_DEVICE_D_AVE14 0x0a
#define CRONO_DEVICE_NDIGO2G14 0x0b
#define CRONO_DEVICE_XHPTDC8 0x0c
#define CRONO_DEVICE_NDIGO6G12 0x0d

/*
 * Misc device name: "crono_%02X_%02X%02X%02X%01X" of device id, domain, bus,
 * slot, function. Including the NUL it fits in this many bytes.
 */
#define CRONO_DEV_NAME_MAX_SIZE 32

/* The device page that every page-table entry describes. */
#define CRONO_DEVICE_PAGE_SIZE 4096u

/* At most this many register writes in a cleanup program. */
#define CRONO_KERNEL_CMDS_MAX 16

/*
 * ioctl requests: _IOWR('c', nr, <a pointer type>), so the encoded size is 8
 * for every request whatever the real size of the argument. The literal
 * values are the ABI.
 */
#define IOCTL_CRONO_LOCK_BUFFER 0xC0086300u
#define IOCTL_CRONO_UNLOCK_BUFFER 0xC0086301u
#define IOCTL_CRONO_CLEANUP_SETUP 0xC0086302u
#define IOCTL_CRONO_LOCK_CONTIG_BUFFER 0xC0086303u
#define IOCTL_CRONO_UNLOCK_CONTIG_BUFFER 0xC0086304u
/* Reserved by a vendor branch for a 2 MiB-page LOCK_BUFFER; not served. */
#define IOCTL_CRONO_RESERVED_HUGE_LOCK_BUFFER 0xC0086305u

/* LOCK_BUFFER argument (40 bytes). */
typedef struct crono_sg_buffer_info {
	crono_u64_t addr;	 /* in: page-aligned user address */
	crono_u64_t size;	 /* in: bytes */
	crono_u64_t pages;	 /* ignored by the kernel */
	crono_u64_t upages;	 /* in: user array of pages_count u64 entries */
	crono_u32_t pages_count; /* in: ceil(size / 4096) */
	crono_s32_t id;		 /* out: buffer id */
} CRONO_SG_BUFFER_INFO;

/* LOCK_CONTIG_BUFFER argument (40 bytes). */
typedef struct crono_contig_buffer_info {
	crono_u64_t size;	/* in: bytes */
	crono_u64_t addr;	/* out: always 0, no kernel address leaves */
	crono_u64_t pUserAddr;	/* passed through untouched */
	crono_u64_t dma_handle; /* out: device address of the buffer */
	crono_s32_t id;		/* out: buffer id, mmap offset is id * page */
	crono_u32_t reserved;	/* padding, keeps 32-bit callers at 40 bytes */
} CRONO_CONTIG_BUFFER_INFO;

/* One cleanup register write (8 bytes). */
typedef struct crono_kernel_cmd {
	crono_u32_t addr; /* byte offset into BAR0, 4-byte aligned */
	crono_u32_t data;
} CRONO_KERNEL_CMD;

/* CLEANUP_SETUP argument (24 bytes). */
typedef struct crono_kernel_cmds_info {
	crono_u64_t cmds;  /* ignored by the kernel */
	crono_u64_t ucmds; /* in: user array of count CRONO_KERNEL_CMD */
	crono_u32_t count; /* in: at most CRONO_KERNEL_CMDS_MAX */
	crono_u32_t reserved;
} CRONO_KERNEL_CMDS_INFO;

/* PCI location as the vendor library spells it (16 bytes). */
struct crono_dev_DBDF {
	unsigned int domain;
	unsigned int bus;
	unsigned int dev;
	unsigned int func;
};

#ifdef __cplusplus
#define CRONO_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define CRONO_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif
#define CRONO_OFFSET(type, field) __builtin_offsetof(type, field)

CRONO_STATIC_ASSERT(sizeof(CRONO_SG_BUFFER_INFO) == 40, "sg info size");
CRONO_STATIC_ASSERT(CRONO_OFFSET(CRONO_SG_BUFFER_INFO, addr) == 0, "sg addr");
CRONO_STATIC_ASSERT(CRONO_OFFSET(CRONO_SG_BUFFER_INFO, size) == 8, "sg size");
CRONO_STATIC_ASSERT(CRONO_OFFSET(CRONO_SG_BUFFER_INFO, pages) == 16,
		    "sg pages");
CRONO_STATIC_ASSERT(CRONO_OFFSET(CRONO_SG_BUFFER_INFO, upages) == 24, "upages");
CRONO_STATIC_ASSERT(CRONO_OFFSET(CRONO_SG_BUFFER_INFO, pages_count) == 32,
		    "sg pages_count");
CRONO_STATIC_ASSERT(CRONO_OFFSET(CRONO_SG_BUFFER_INFO, id) == 36, "sg id");

CRONO_STATIC_ASSERT(sizeof(CRONO_CONTIG_BUFFER_INFO) == 40, "contig size");
CRONO_STATIC_ASSERT(CRONO_OFFSET(CRONO_CONTIG_BUFFER_INFO, size) == 0, "size");
CRONO_STATIC_ASSERT(CRONO_OFFSET(CRONO_CONTIG_BUFFER_INFO, addr) == 8, "addr");
CRONO_STATIC_ASSERT(CRONO_OFFSET(CRONO_CONTIG_BUFFER_INFO, pUserAddr) == 16,
		    "contig pUserAddr");
CRONO_STATIC_ASSERT(CRONO_OFFSET(CRONO_CONTIG_BUFFER_INFO, dma_handle) == 24,
		    "contig dma_handle");
CRONO_STATIC_ASSERT(CRONO_OFFSET(CRONO_CONTIG_BUFFER_INFO, id) == 32, "id");

CRONO_STATIC_ASSERT(sizeof(CRONO_KERNEL_CMD) == 8, "cmd size");
CRONO_STATIC_ASSERT(CRONO_OFFSET(CRONO_KERNEL_CMD, addr) == 0, "cmd addr");
CRONO_STATIC_ASSERT(CRONO_OFFSET(CRONO_KERNEL_CMD, data) == 4, "cmd data");

CRONO_STATIC_ASSERT(sizeof(CRONO_KERNEL_CMDS_INFO) == 24, "cmds info size");
CRONO_STATIC_ASSERT(CRONO_OFFSET(CRONO_KERNEL_CMDS_INFO, cmds) == 0, "cmds");
CRONO_STATIC_ASSERT(CRONO_OFFSET(CRONO_KERNEL_CMDS_INFO, ucmds) == 8, "ucmds");
CRONO_STATIC_ASSERT(CRONO_OFFSET(CRONO_KERNEL_CMDS_INFO, count) == 16, "count");

CRONO_STATIC_ASSERT(sizeof(struct crono_dev_DBDF) == 16, "DBDF size");

#undef CRONO_OFFSET
#undef CRONO_STATIC_ASSERT

#endif /* CRONO_UAPI_CRONO_PCI_DRVMOD_H */
