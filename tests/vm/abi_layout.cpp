// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Compile-time checks of the ioctl ABI (docs/abi.md): a struct laid out the
// way the vendor's header does it (real pointer types, plain C types) must
// have the same size and offsets as ours (u64 integers), and the vendor's way
// of spelling the requests (_IOWR with a pointer type) must give our values.
#include <crono_pci_drvmod.h>

#include <cstddef>
#include <cstdint>
#include <linux/ioctl.h>

namespace vendor {
typedef struct {
	uint32_t addr;
	uint32_t data;
} CRONO_KERNEL_CMD;
typedef struct {
	void *addr;
	size_t size;
	uint64_t *pages;
	uint64_t upages;
	uint32_t pages_count;
	int id;
} CRONO_SG_BUFFER_INFO;
typedef struct {
	size_t size;
	void *addr;
	void *pUserAddr;
	uint64_t dma_handle;
	int id;
} CRONO_CONTIG_BUFFER_INFO;
typedef struct {
	CRONO_KERNEL_CMD *cmds;
	uint64_t ucmds;
	uint32_t count;
} CRONO_KERNEL_CMDS_INFO;
struct crono_dev_DBDF {
	unsigned int domain;
	unsigned int bus;
	unsigned int dev;
	unsigned int func;
};
} // namespace vendor

// Field f of T where the vendor's header has it, and as wide.
#define SAME_FIELD(T, f)                                                       \
	static_assert(offsetof(::T, f) == offsetof(vendor::T, f) &&            \
			      sizeof(::T::f) == sizeof(vendor::T::f),          \
		      "vendor layout differs: " #T "." #f)
#define SAME_SIZE(T)                                                           \
	static_assert(sizeof(::T) == sizeof(vendor::T),                        \
		      "vendor size differs: " #T)

SAME_SIZE(CRONO_SG_BUFFER_INFO);
SAME_FIELD(CRONO_SG_BUFFER_INFO, addr);
SAME_FIELD(CRONO_SG_BUFFER_INFO, size);
SAME_FIELD(CRONO_SG_BUFFER_INFO, pages);
SAME_FIELD(CRONO_SG_BUFFER_INFO, upages);
SAME_FIELD(CRONO_SG_BUFFER_INFO, pages_count);
SAME_FIELD(CRONO_SG_BUFFER_INFO, id);
SAME_SIZE(CRONO_CONTIG_BUFFER_INFO);
SAME_FIELD(CRONO_CONTIG_BUFFER_INFO, size);
SAME_FIELD(CRONO_CONTIG_BUFFER_INFO, addr);
SAME_FIELD(CRONO_CONTIG_BUFFER_INFO, pUserAddr);
SAME_FIELD(CRONO_CONTIG_BUFFER_INFO, dma_handle);
SAME_FIELD(CRONO_CONTIG_BUFFER_INFO, id);
SAME_SIZE(CRONO_KERNEL_CMD);
SAME_FIELD(CRONO_KERNEL_CMD, addr);
SAME_FIELD(CRONO_KERNEL_CMD, data);
SAME_SIZE(CRONO_KERNEL_CMDS_INFO);
SAME_FIELD(CRONO_KERNEL_CMDS_INFO, cmds);
SAME_FIELD(CRONO_KERNEL_CMDS_INFO, ucmds);
SAME_FIELD(CRONO_KERNEL_CMDS_INFO, count);
SAME_SIZE(crono_dev_DBDF);
SAME_FIELD(crono_dev_DBDF, domain);
SAME_FIELD(crono_dev_DBDF, bus);
SAME_FIELD(crono_dev_DBDF, dev);
SAME_FIELD(crono_dev_DBDF, func);
static_assert(sizeof(CRONO_SG_BUFFER_INFO) == 40 &&
		      sizeof(CRONO_CONTIG_BUFFER_INFO) == 40 &&
		      sizeof(CRONO_KERNEL_CMDS_INFO) == 24 &&
		      sizeof(CRONO_KERNEL_CMD) == 8,
	      "ABI sizes");

// The vendor header passes a pointer to the argument's type: still size 8.
static_assert(_IOWR('c', 0, void *) == IOCTL_CRONO_LOCK_BUFFER &&
		      _IOWR('c', 1, void *) == IOCTL_CRONO_UNLOCK_BUFFER &&
		      _IOWR('c', 2, void *) == IOCTL_CRONO_CLEANUP_SETUP &&
		      _IOWR('c', 3, void *) == IOCTL_CRONO_LOCK_CONTIG_BUFFER &&
		      _IOWR('c', 4, void *) ==
			      IOCTL_CRONO_UNLOCK_CONTIG_BUFFER &&
		      _IOWR('c', 5, void *) ==
			      IOCTL_CRONO_RESERVED_HUGE_LOCK_BUFFER &&
		      _IOWR('c', 0, vendor::CRONO_SG_BUFFER_INFO *) ==
			      IOCTL_CRONO_LOCK_BUFFER &&
		      _IOWR('c', 2, vendor::CRONO_KERNEL_CMDS_INFO *) ==
			      IOCTL_CRONO_CLEANUP_SETUP &&
		      _IOWR('c', 3, vendor::CRONO_CONTIG_BUFFER_INFO *) ==
			      IOCTL_CRONO_LOCK_CONTIG_BUFFER,
	      "vendor request numbers");
static_assert(IOCTL_CRONO_LOCK_BUFFER == 0xC0086300u &&
		      IOCTL_CRONO_UNLOCK_BUFFER == 0xC0086301u &&
		      IOCTL_CRONO_CLEANUP_SETUP == 0xC0086302u &&
		      IOCTL_CRONO_LOCK_CONTIG_BUFFER == 0xC0086303u &&
		      IOCTL_CRONO_UNLOCK_CONTIG_BUFFER == 0xC0086304u,
	      "request values");
