/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Validation of the ioctl arguments, before anything is pinned or allocated.
 * Pure logic: the same checks run in the module, in KUnit and on the host.
 */
#pragma once

#include "crono_pci_drvmod.h"
#include "cxxrt/result.h"

namespace crono {

/* A LOCK_BUFFER request that passed validation. */
struct SgRequest {
	u64 user_addr;
	u64 size;
	u64 page_table_addr; /* user array of entries u64 */
	u64 entries;	     /* device pages: ceil(size / 4096) */
	u64 kernel_pages;    /* pages to pin */
};

/*
 * addr non-zero and aligned to the kernel page, size non-zero and within the
 * driver's limit, no wrap-around, pages_count == ceil(size / 4096).
 */
Result<SgRequest> validate_sg_request(const CRONO_SG_BUFFER_INFO &info,
				      u64 kernel_page_size) noexcept;

/* A LOCK_CONTIG_BUFFER request: size rounded up to whole kernel pages. */
Result<u64> validate_contig_request(const CRONO_CONTIG_BUFFER_INFO &info,
				    u64 kernel_page_size) noexcept;

} // namespace crono
