// SPDX-License-Identifier: GPL-2.0
/*
 * Registration of the suites whose bodies are C++ (test_page_table.cpp,
 * test_requests.cpp): the core's pure logic, run in the kernel it is built
 * for.
 */
#include <kunit/test.h>

#include "crono_kunit.h"

#define CRONO_CASE(test)                                                       \
	{                                                                      \
		.run_case = crono_kt_##test, .name = #test                     \
	}

static struct kunit_case crono_page_table_cases[] = {
	CRONO_CASE(pt_single_page),
	CRONO_CASE(pt_one_merged_segment),
	CRONO_CASE(pt_odd_page_counts),
	CRONO_CASE(pt_many_single_pages),
	CRONO_CASE(pt_segment_over_4g_split),
	CRONO_CASE(pt_first_and_last_page),
	CRONO_CASE(pt_more_segments_than_entries),
	CRONO_CASE(pt_short_mapping_writes_nothing),
	CRONO_CASE(pt_bad_segments_write_nothing),
	CRONO_CASE(pt_staging_runs),
	CRONO_CASE(pt_sink_error),
	{}
};

static struct kunit_suite crono_page_table_suite = {
	.name = "crono_page_table",
	.test_cases = crono_page_table_cases,
};

static struct kunit_case crono_requests_cases[] = {
	CRONO_CASE(req_sg_valid),
	CRONO_CASE(req_sg_large_kernel_page),
	CRONO_CASE(req_sg_address),
	CRONO_CASE(req_sg_zero_size),
	CRONO_CASE(req_sg_wraps),
	CRONO_CASE(req_sg_count_mismatch),
	CRONO_CASE(req_sg_limit),
	CRONO_CASE(req_contig),
	CRONO_CASE(cleanup_valid_programs),
	CRONO_CASE(cleanup_outside_bar),
	CRONO_CASE(cleanup_unaligned),
	CRONO_CASE(cleanup_too_long),
	CRONO_CASE(cleanup_replay),
	CRONO_CASE(ids_lowest_free),
	CRONO_CASE(ids_reuse),
	CRONO_CASE(ids_exhaustion),
	CRONO_CASE(ids_release_unknown),
	CRONO_CASE(misc_name_format),
	CRONO_CASE(misc_name_too_long),
	{}
};

static struct kunit_suite crono_requests_suite = {
	.name = "crono_requests",
	.test_cases = crono_requests_cases,
};

/*
 * A second copy of the core (release_core.cpp) against a recording fake of
 * the glue (test_release.cpp): the order of releases and every error path
 * of a lock, call by call.
 */
static struct kunit_case crono_release_cases[] = {
	CRONO_CASE(rel_release_order),
	CRONO_CASE(rel_remove_order),
	CRONO_CASE(rel_unlock_order),
	CRONO_CASE(rel_lock_failures),
	CRONO_CASE(rel_unusable_mappings),
	CRONO_CASE(rel_contig_failures),
	{}
};

static struct kunit_suite crono_release_suite = {
	.name = "crono_release",
	.test_cases = crono_release_cases,
};

kunit_test_suites(&crono_page_table_suite, &crono_requests_suite,
		  &crono_release_suite);
