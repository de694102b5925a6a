/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The driver's own limits, checked before anything is allocated. They bound
 * what one request can make the kernel allocate; RLIMIT_MEMLOCK bounds what a
 * user may pin in total.
 */
#pragma once

#include "cxxrt/utility.h"

namespace crono::limits {

/* The device page: one page-table entry per this many bytes. */
constexpr u64 device_page_size = 4096;

/*
 * One scatter/gather buffer: 256 GiB (ring buffers of tens of GiB are usual).
 * Its sg table counts pages and entries in unsigned int: see
 * sg_table_limits.h.
 */
constexpr u64 max_sg_buffer_bytes = 1ull << 38;

/* One coherent buffer: the DMA allocator rarely finds more in one piece. */
constexpr u64 max_contig_buffer_bytes = 1ull << 30;

/* Buffers one open file may hold at once (ids 0 .. max - 1). */
constexpr u32 max_buffers_per_file = 4096;

/*
 * Coherent memory one open file may hold, counting buffers already unlocked
 * but still mapped (their memory stays until the last munmap): unlock and
 * munmap in the other order must not let a file hold any amount.
 */
constexpr u64 max_contig_bytes_per_file = 4ull << 30;
constexpr u32 max_contig_buffers_per_file = max_buffers_per_file;

/* Pages pinned per call into the kernel, so a huge lock makes progress in
 * bounded steps: what one 4 KiB page of page pointers holds, the only
 * per-page memory a lock uses, and only while it runs. */
constexpr u64 pin_batch_pages = 512;

/* Page-table entries staged in the kernel per copy to user space. */
constexpr size_t page_table_chunk_entries = 512;

} // namespace crono::limits
