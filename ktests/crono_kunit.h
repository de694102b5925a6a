/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the KUnit suites' C registration files and their C++ test bodies
 * share. Plain C, no kernel headers: the C++ side reports through the small
 * KUnit glue of kunit_glue.c, as the driver's core reports through the
 * driver's glue.
 */
#ifndef CRONO_KUNIT_H
#define CRONO_KUNIT_H

#include "../kernel/glue/crono_glue.h"

#ifdef __cplusplus
extern "C" {
#endif

struct kunit;

/* ---- reporting (kunit_glue.c) ---------------------------------------- */

/* KUNIT_FAIL with the C++ expression and its location. */
void crono_kunit_fail(struct kunit *test, const char *file, int line,
		      const char *expr);
/* KUNIT_FAIL for a failed comparison of two integers. */
void crono_kunit_fail_cmp(struct kunit *test, const char *file, int line,
			  const char *lhs, const char *op, const char *rhs,
			  long long lhs_value, long long rhs_value);
/* A line in the test's log. */
void crono_kunit_log(struct kunit *test, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Memory for the tests' own arrays, zeroed, never NULL on success. */
void *crono_kunit_alloc(crono_usize size);
void crono_kunit_free(void *ptr);

/* ---- C++ helpers the C suites call ----------------------------------- */

/*
 * The driver's S/G page-table logic (PageTableCheck, then PageTableWriter,
 * exactly the two passes SgBuffer::write_page_table makes) run on the DMA
 * segments of a mapped table, writing `entries` u64 into `table` through a
 * staging array of `staging_entries`. Returns 0 or a negative errno; on error
 * of the check pass nothing is written.
 */
int crono_kt_page_table_from_sgt(const struct crono_sgt *sgt, crono_u64 entries,
				 crono_u64 *table, crono_usize staging_entries);

/* ---- C++ test cases -------------------------------------------------- */

#define CRONO_KT_DECLARE(name) void crono_kt_##name(struct kunit *test)

/* test_page_table.cpp */
CRONO_KT_DECLARE(pt_single_page);
CRONO_KT_DECLARE(pt_one_merged_segment);
CRONO_KT_DECLARE(pt_odd_page_counts);
CRONO_KT_DECLARE(pt_many_single_pages);
CRONO_KT_DECLARE(pt_segment_over_4g_split);
CRONO_KT_DECLARE(pt_first_and_last_page);
CRONO_KT_DECLARE(pt_more_segments_than_entries);
CRONO_KT_DECLARE(pt_short_mapping_writes_nothing);
CRONO_KT_DECLARE(pt_bad_segments_write_nothing);
CRONO_KT_DECLARE(pt_staging_runs);
CRONO_KT_DECLARE(pt_sink_error);

/* test_requests.cpp */
CRONO_KT_DECLARE(req_sg_valid);
CRONO_KT_DECLARE(req_sg_large_kernel_page);
CRONO_KT_DECLARE(req_sg_address);
CRONO_KT_DECLARE(req_sg_zero_size);
CRONO_KT_DECLARE(req_sg_wraps);
CRONO_KT_DECLARE(req_sg_count_mismatch);
CRONO_KT_DECLARE(req_sg_limit);
CRONO_KT_DECLARE(req_contig);
CRONO_KT_DECLARE(cleanup_valid_programs);
CRONO_KT_DECLARE(cleanup_outside_bar);
CRONO_KT_DECLARE(cleanup_unaligned);
CRONO_KT_DECLARE(cleanup_too_long);
CRONO_KT_DECLARE(cleanup_replay);
CRONO_KT_DECLARE(ids_lowest_free);
CRONO_KT_DECLARE(ids_reuse);
CRONO_KT_DECLARE(ids_exhaustion);
CRONO_KT_DECLARE(ids_release_unknown);
CRONO_KT_DECLARE(misc_name_format);
CRONO_KT_DECLARE(misc_name_too_long);

/* test_release.cpp */
CRONO_KT_DECLARE(rel_release_order);
CRONO_KT_DECLARE(rel_remove_order);
CRONO_KT_DECLARE(rel_unlock_order);
CRONO_KT_DECLARE(rel_lock_failures);
CRONO_KT_DECLARE(rel_unusable_mappings);
CRONO_KT_DECLARE(rel_contig_failures);

#ifdef __cplusplus
}
#endif

#endif /* CRONO_KUNIT_H */
