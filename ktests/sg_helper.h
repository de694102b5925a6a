/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The driver's S/G page-table logic on a mapped sg table, for the C suites
 * (sg_helper.cpp). Plain C, no kernel headers: C++ never includes them.
 */
#ifndef CRONO_KT_SG_HELPER_H
#define CRONO_KT_SG_HELPER_H

#include "../kernel/glue/crono_glue.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * PageTableCheck, then PageTableWriter, exactly the two passes
 * SgBuffer::write_page_table makes, run on the DMA segments of a mapped
 * table: writes `entries` u64 into `table` through `staging`, an array of
 * `staging_entries`. Returns 0 or a negative errno; on an error of the check
 * pass nothing is written.
 */
int crono_kt_page_table_from_sgt(const struct crono_sgt *sgt, crono_u64 entries,
				 crono_u64 *table, crono_u64 *staging,
				 crono_usize staging_entries);

#ifdef __cplusplus
}
#endif

#endif /* CRONO_KT_SG_HELPER_H */
