/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drives the core through its C entry points (crono_core_*, crono_board_*,
 * crono_file_*, crono_contig_*) as the glue would, on top of the fake glue.
 *
 * A Rig is one module lifetime: core init, one or more bound boards (Dev),
 * each with its open file, and on destruction the whole unwind (close of the
 * mappings still open, release, remove, put, core exit) followed by the check
 * that nothing is left: no allocation, pin, charge, sg table, mapping,
 * coherent buffer, mutex, vma, and no violation recorded by the fake.
 *
 * Test files say `using namespace host;` for these and the fake's Call,
 * Event and integer types.
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

using fake::Call;
using fake::Event;
using fake::u32;
using fake::u64;
using s32 = int;

constexpr u64 page = fake::page_size;
/* What lock_sg(pages) fills the table with before the lock. */
constexpr u64 unwritten = 0xEEEEEEEEEEEEEEEEull;

/* A board's counters: Stats{ locked_buffers, pinned_bytes, coherent_bytes,
 * coherent_buffers, bookkeeping_bytes }, Stats{} for none. */
using Stats = struct crono_board_stats;

/* A lock request: its struct as passed and as read back, and the result. */
template <typename Info> struct Lock {
	long ret = 0;
	u64 info_addr = 0; /* the user's copy of the struct */
	Info in{};
	Info out{};
	s32 id() const { return out.id; }
};

struct SgLock : Lock<CRONO_SG_BUFFER_INFO> {
	u64 addr = 0;	 /* user buffer */
	u64 size = 0;	 /* bytes */
	u64 table = 0;	 /* user page-table array */
	u32 entries = 0; /* pages_count */
};

using ContigLock = Lock<CRONO_CONTIG_BUFFER_INFO>;

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
	/* The request on a fresh user copy of lock.in, read back into
	 * lock.out. */
	template <typename Info> void ioctl_lock(u32 request, Lock<Info> &lock)
	{
		lock.info_addr = fake::user_new(lock.in);
		lock.ret = ioctl(request, lock.info_addr);
		lock.out = fake::user_get<Info>(lock.info_addr);
	}

	/* Maps a buffer of pages (unbacked) and a table of entries (backed,
	 * filled with `unwritten`) and locks it. */
	SgLock lock_sg(u64 pages);
	SgLock lock_sg(u64 addr, u64 size, u64 table, u32 entries);
	long unlock_sg(s32 id);
	ContigLock lock_contig(u64 size);
	/* A new vma of len bytes at buffer id's offset, through mmap (a
	 * failure is a test failure). */
	crono_vma *map_contig(s32 id, u64 len);
	/* The same, for an mmap that is to fail: its errno. */
	long mmap(u64 pgoff, u64 len, bool shared = true);
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
template <typename Param>
class RigParamTest : public RigTest,
		     public ::testing::WithParamInterface<Param> {
};

/* The cleanup writes from record `from` on: { offset, value } each. */
using Writes = std::vector<std::pair<u64, u64>>;
Writes bar0_writes(long from = 0);

/* From record `from` on, the S/G buffer of `lock` was released in order:
 * DMA unmap, pages unpinned through the sg table, the table destroyed,
 * memlock uncharged. */
void expect_sg_release_order(long from, const SgLock &lock);

} // namespace host
