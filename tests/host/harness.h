/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drives the core through its C entry points (crono_core_*, crono_board_*,
 * crono_file_*, crono_contig_*) as the glue would, on top of the fake glue.
 *
 * A Rig is one module lifetime: core init, one or more bound boards (Dev),
 * each with its open file, and on destruction the whole unwind (close of the
 * mappings still open, release, remove, put, core exit) followed by the check
 * that nothing is left: no
 * allocation, pin, charge, sg table, mapping, coherent buffer, mutex, vma,
 * and no violation recorded by the fake.
 */
#pragma once

#include <gtest/gtest.h>

#include <cerrno>
#include <functional>
#include <memory>
#include <vector>

#include "crono_pci_drvmod.h"
#include "fake_glue.h"

/* A board's counters compared in one assertion, every field of them. */
bool operator==(const struct crono_board_stats &a,
		const struct crono_board_stats &b);
void PrintTo(const struct crono_board_stats &stats, std::ostream *out);

namespace host {

using fake::u32;
using fake::u64;
using s32 = int;

constexpr u64 kib4 = 4096;

/* A board's counters: Stats{ locked_buffers, pinned_bytes, coherent_bytes,
 * coherent_buffers }, Stats{} for none. */
using Stats = struct crono_board_stats;

struct SgLock {
	long ret = 0;
	u64 addr = 0;		    /* user buffer */
	u64 size = 0;		    /* bytes */
	u64 table = 0;		    /* user page-table array */
	u32 entries = 0;	    /* pages_count */
	u64 info_addr = 0;	    /* the user's CRONO_SG_BUFFER_INFO */
	CRONO_SG_BUFFER_INFO in{};  /* as passed */
	CRONO_SG_BUFFER_INFO out{}; /* as read back after the ioctl */
	s32 id() const { return out.id; }
};

struct ContigLock {
	long ret = 0;
	u64 info_addr = 0;
	CRONO_CONTIG_BUFFER_INFO in{};
	CRONO_CONTIG_BUFFER_INFO out{};
	s32 id() const { return out.id; }
};

/* One bound board and (optionally) its open file. */
class Dev {
public:
	crono_pci pci;
	crono_board *board = nullptr;
	crono_kfile kfile;
	crono_open_file *file = nullptr;
	char name[CRONO_DEV_NAME_MAX_SIZE] = {};
	bool removed = false;
	bool put = false;

	long open(); /* crono_file_open into file */
	/* Another open of the board, expected to be refused: its errno
	 * (a file it gives anyway is released). */
	long open_again();
	void release();
	void remove();
	void shutdown(); /* crono_board_shutdown */
	/* The glue at remove (or after a failed probe): its board reference,
	 * then its own reference to the PCI function. */
	void put_board();

	long ioctl(u32 request, u64 arg);
	/* Copies arg to fresh user memory, calls, copies it back. */
	template <typename T> long ioctl_with(u32 request, T &arg)
	{
		const u64 addr = fake::user_new(arg);
		const long ret = ioctl(request, addr);
		arg = fake::user_get<T>(addr);
		return ret;
	}

	/* Maps a buffer of pages (unbacked) and a table of entries (backed,
	 * filled with 0xEE bytes) and locks it. */
	SgLock lock_sg(u64 pages);
	SgLock lock_sg(u64 addr, u64 size, u64 table, u32 entries);
	long unlock_sg(s32 id);
	ContigLock lock_contig(u64 size);
	/* A new vma of len bytes at buffer id's offset, through mmap (a
	 * failure is a test failure). */
	crono_vma *map_contig(s32 id, u64 len);
	long unlock_contig(s32 id);
	long cleanup(const std::vector<CRONO_KERNEL_CMD> &commands);
	long cleanup(u64 ucmds, u32 count);

	std::vector<u64> read_table(const SgLock &lock) const;
	struct crono_board_stats stats();
};

class Rig {
public:
	/* Core init and one board at 0000:03:00.0, device 0x06, opened. */
	explicit Rig(bool open_file = true);
	~Rig();
	Rig(const Rig &) = delete;
	Rig &operator=(const Rig &) = delete;

	Dev &dev(size_t i = 0) { return *devs_.at(i); }
	/* Another board; its create result in *ret (the Dev is kept either
	 * way, unbound on failure). */
	Dev &add(const crono_pci_location &loc, bool open_file, long *ret);

	/* What the fake held once everything was set up. */
	const fake::Held &baseline() const { return baseline_; }
	/* Holds what it held once everything was set up: no allocation more,
	 * nothing of any buffer, no violation. */
	void expect_at_baseline(const std::string &context) const;

private:
	std::vector<std::unique_ptr<Dev>> devs_;
	fake::Held baseline_;
	bool core_ = false;
};

/* The usual fixture: a Rig whose one board has its file open. Suites
 * alias it (using LockBuffer = host::RigTest) to keep their names. */
class RigTest : public ::testing::Test {
protected:
	Rig rig;
	Dev &dev = rig.dev();
};

/* From record `from` on, the S/G buffer of `lock` was released in order:
 * DMA unmap, sg table destroyed, pages unpinned, memlock uncharged. */
void expect_sg_release_order(long from, const SgLock &lock);

} // namespace host
