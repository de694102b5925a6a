/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arithmetic of the sg table the kernel builds by appending
 * (crono_ksgt_append()), as far as the driver's limits depend on it. The
 * table counts pages per append and entries in unsigned int, and keeps its
 * entries in chunks of one page chained through their last entry. Pure; the
 * static assertions below are the proof that the largest buffer fits, and
 * host tests check the functions themselves.
 */
#pragma once

#include "driver_limits.h"

namespace crono::sg_table_limits {

/* The kernel's unsigned int. */
constexpr u64 uint_max = 0xFFFFFFFFull;
/* Entries of one chunk: a 4 KiB page of 32-byte struct scatterlist (x86-64;
 * the bounds below hold for any chunk of 3 or more). */
constexpr u64 chunk_entries = 4096 / 32;
/* Pages of the largest buffer, for the smallest kernel page (4 KiB). */
constexpr u64 max_buffer_pages =
	limits::max_sg_buffer_bytes / limits::device_page_size;

/* Chunks a table of `segments` segments needs: every chunk but the last
 * gives one entry to the link to the next. */
constexpr u64 chunks_for(u64 segments) noexcept
{
	if (segments <= chunk_entries)
		return segments ? 1 : 0;
	return 1 + div_round_up(segments - chunk_entries, chunk_entries - 1);
}

/* Entries, segments and links, of such a table (its total_nents). */
constexpr u64 entries_for(u64 segments) noexcept
{
	return segments + (segments ? chunks_for(segments) - 1 : 0);
}

/* Bytes of its chunks at most (a last chunk that is not full is smaller). */
constexpr u64 max_chunk_bytes_for(u64 segments) noexcept
{
	return chunks_for(segments) * 4096;
}

/* The glue refuses an append unless entries so far plus twice the pages
 * still to come fit in unsigned int: it must accept the largest buffer. */
constexpr bool append_accepted(u64 entries_so_far, u64 pages,
			       u64 pages_left) noexcept
{
	return pages <= uint_max && pages_left <= uint_max &&
	       entries_so_far + 2 * (pages + pages_left) <= uint_max;
}

/* The worst table: no two pages adjacent, one segment per page. */
static_assert(max_buffer_pages == 1ull << 26);
static_assert(entries_for(max_buffer_pages) <= 2 * max_buffer_pages);
static_assert(entries_for(max_buffer_pages) <= uint_max);
static_assert(append_accepted(0, limits::pin_batch_pages,
			      max_buffer_pages - limits::pin_batch_pages));
/* Entries so far include the unused rest of the last chunk. */
static_assert(append_accepted(
	entries_for(max_buffer_pages - limits::pin_batch_pages) + chunk_entries,
	limits::pin_batch_pages, 0));
/* One append's bytes, for a 64 KiB kernel page, in the kernel's unsigned
 * long and a batch's page count in unsigned int. */
static_assert(limits::pin_batch_pages * (64ull << 10) <= uint_max);
/* The user's page table of the largest buffer, in bytes. */
static_assert(max_buffer_pages * sizeof(u64) == 512ull << 20);

} // namespace crono::sg_table_limits
