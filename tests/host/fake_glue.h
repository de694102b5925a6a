/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake of the C glue (kernel/glue/crono_glue.h) for host tests of the C++
 * core: every crono_k* function, implemented in plain user-space C++ with
 *
 *  - bookkeeping of what the core holds (allocations, pins, charges, sg
 *    tables, DMA mappings, coherent memory, mutexes), so a test can demand
 *    that nothing is left behind;
 *  - fault injection: the Nth call of a kind fails with a chosen errno;
 *  - a recording of every side-effecting call in order, so a test can demand
 *    an order (cleanup writes before unmap, unmap before unpin, ...);
 *  - "violations": misuse a kernel would punish (freeing an unknown pointer,
 *    destroying a mapped sg table, freeing mapped coherent memory, touching
 *    user memory under the mappings lock, a lock-order inversion, ...),
 *    collected instead of crashing so the test reports them.
 *
 * Single-threaded: tests drive the core from one thread.
 */
#pragma once

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "glue/crono_glue.h"

namespace fake {

using u32 = crono_u32;
using u64 = crono_u64;

/* The device page; also the kernel page unless set_kernel_page_size(). */
constexpr u64 page_size = 4096;
/* A kernel page larger than the device page (16 KiB, 64 KiB): pins, user
 * ranges, sg tables and coherent buffers then work in these units. */
void set_kernel_page_size(u64 bytes);

/* ---- fault injection ------------------------------------------------ */

/* Each kind of call a test can make fail, and how it fails. */
#define FAKE_CALLS(X)                                                          \
	X(kmalloc)	  /* NULL */                                           \
	X(sgt_alloc)	  /* errno */                                          \
	X(mutex_create)	  /* NULL */                                           \
	X(copy_from_user) /* errno */                                          \
	X(memlock_charge) /* errno */                                          \
	X(pin)		  /* errno, or a short count (see pin_short_next) */   \
	X(sgt_append)	  /* errno: the table stays as it was */               \
	X(dma_map)	  /* errno */                                          \
	X(sgt_bounced)	  /* "fails" by reporting a bounced mapping */         \
	X(always_bounces) /* "fails" by reporting swiotlb=force */             \
	X(coherent_alloc) /* NULL */                                           \
	X(fault_insert)	  /* errno */                                          \
	X(window_pin)	  /* errno */
#define FAKE_ENUMERATOR(name) name,
enum class Call { FAKE_CALLS(FAKE_ENUMERATOR) count_ };
std::ostream &operator<<(std::ostream &out, Call call); /* its name */

/* Calls of a kind since reset(), counting the injected failures too. */
unsigned calls(Call call);
/* The nth call of that kind (counted since reset(), from 1) fails with err
 * (a negative errno; ignored by calls that return NULL or a flag). */
void fail_nth(Call call, unsigned nth, int err);
/* The nth call from now. */
void fail_next(Call call, int err, unsigned nth_from_now = 1);
/* The nth pin call from now pins only `pages` pages (0: returns 0). */
void pin_short_next(long pages, unsigned nth_from_now = 1);
/* Every pin call pins at most this many pages (0: no limit). */
void set_pin_max_per_call(u64 pages);

/* ---- recording ------------------------------------------------------ */

/* Each kind of side effect the fake records, and what its record holds. */
#define FAKE_EVENTS(X)                                                         \
	X(bar0_write)	    /* a = offset, b = value */                        \
	X(pci_put)	    /* obj = pci */                                    \
	X(memlock_charge)   /* a = pages */                                    \
	X(memlock_uncharge) /* a = pages */                                    \
	X(pin)		    /* a = first page address, b = pages pinned */     \
	X(unpin)	    /* a = first page address, b = pages */            \
	X(sgt_create)	    /* a = sgt id (an empty table) */                  \
	X(sgt_append)	    /* a = sgt id, b = first page address */           \
	X(sgt_unpin)	    /* a = sgt id, b = pages it held */                \
	X(sgt_destroy)	    /* a = sgt id */                                   \
	X(dma_map)	    /* a = sgt id */                                   \
	X(dma_unmap)	    /* a = sgt id */                                   \
	X(coherent_alloc)   /* a = dma address, b = size */                    \
	X(coherent_free)    /* a = dma address, b = size */                    \
	X(vma_setup)	    /* obj = vma */                                    \
	X(fault_insert)	    /* a = dma address, b = page index, obj = vma */   \
	X(zap)		    /* obj = kfile */                                  \
	X(vma_zap)	    /* obj = vma */                                    \
	X(user_write)	    /* a = user address, b = length: copy or window */ \
	X(window_pin)	    /* a = user address, b = length */                 \
	X(window_release)   /* a = user address, b = length */                 \
	X(flush)	    /* obj = pci */                                    \
	X(bus_master)	    /* a = 1 on, 0 off; obj = pci */
enum class Event { FAKE_EVENTS(FAKE_ENUMERATOR) count_ };
std::ostream &operator<<(std::ostream &out, Event event);

struct Record {
	Event event;
	u64 a;
	u64 b;
	const void *obj;
};

const std::vector<Record> &records();
/* Which records a query takes (every one when empty); with_a(x): those
 * whose a is x. */
using Match = std::function<bool(const Record &)>;
Match with_a(u64 a);
/* The indexes of the records of `event` from index `from` on that match
 * accepts; the first and the last of them (-1: none); how many. */
std::vector<long> indexes_of(Event event, long from = 0,
			     const Match &match = {});
long first(Event event, long from = 0, const Match &match = {});
long last(Event event, long from = 0);
long count(Event event, long from = 0);
std::string dump_records();

/* ---- what the core holds -------------------------------------------- */

/* What the core holds through the glue, and the violations seen so far. */
struct Held {
	size_t allocations = 0; /* kmalloc blocks not yet freed */
	u64 pins = 0;		/* pages pinned and not yet unpinned */
	u64 charged = 0;	/* pages charged to RLIMIT_MEMLOCK */
	long charges = 0;
	long sgts = 0;
	long mapped = 0; /* sg tables DMA-mapped */
	long coherent = 0;
	long mutexes = 0;
	long locked = 0; /* mutexes held */
	long vmas = 0;	 /* mapped and not closed */
	long windows = 0;
	std::vector<std::string> violations;
};
Held held();
bool operator==(const Held &a, const Held &b);
std::ostream &operator<<(std::ostream &out, const Held &held);

/* ---- user memory ---------------------------------------------------- */

enum Prot : unsigned {
	prot_none = 0,
	prot_read = 1,
	prot_write = 2,
	prot_rw = 3,
};

/*
 * A fake user address range at a fresh page-aligned address (with an
 * unmapped guard page after it). Backed ranges hold bytes; unbacked ones
 * (large pinned buffers) read as zeros and drop writes.
 */
u64 user_map(u64 len, unsigned prot = prot_rw, bool backed = true);
/* The same at addr (page-aligned, overlapping no other range): a program
 * that lays out its own address space, as the fuzzer's arena does. */
u64 user_map_at(u64 addr, u64 len, unsigned prot = prot_rw, bool backed = true);
void user_unmap(u64 addr);
/* mprotect(2) of the range that starts at addr. */
void user_protect(u64 addr, unsigned prot);
/* The test's own access: ignores protections and fault injection. */
void user_write(u64 addr, const void *src, size_t len);
void user_read(u64 addr, void *dst, size_t len);
template <typename T> u64 user_new(const T &value, unsigned prot = prot_rw)
{
	const u64 addr = user_map(sizeof(T), prot);
	user_write(addr, &value, sizeof(T));
	return addr;
}
template <typename T> T user_get(u64 addr)
{
	T value;
	user_read(addr, &value, sizeof(T));
	return value;
}

/* ---- pinning and RLIMIT_MEMLOCK --------------------------------------- */

u64 dirtied_pages(); /* unpinned with the dirty flag */
/* From now on no two pinned pages are physically adjacent: every page is
 * a segment of its own (default: adjacent user pages are adjacent). */
void set_scattered_pages(bool scattered);
bool page_pinned(u64 user_page);
void set_memlock_limit(u64 pages); /* default: unlimited */

/* ---- scatter/gather DMA ---------------------------------------------- */

struct Seg {
	u64 addr;
	u64 len;
};

/*
 * Decides the DMA segments of a table of npages pages at map time. The
 * default maps each table at a fresh IOVA, contiguous, cut at max_segment.
 */
using Layout = std::function<std::vector<Seg>(u64 npages, u32 max_segment)>;
void set_layout(Layout layout);
Layout contiguous_layout();
Layout fixed_layout(std::vector<Seg> segments);

/* What the fake says a table of that many segments occupies, and the
 * segments (CPU side) of the table with that id (0: none). */
u64 sgt_bytes(u64 segments);
u64 sgt_segments(u64 sgt_id);
/* What a memlock charge occupies. */
constexpr u64 memlock_bytes = 48;
/* Kernel memory the core holds through the glue: its allocations, sg
 * tables and charges, in the fake's sizes. */
u64 held_bytes();

/* The segments of the most recent successful mapping. */
std::vector<Seg> last_mapped_segments();

/* ---- the calling task ----------------------------------------------- */

/* The task counts as killed from the nth crono_kfatal_signal_pending() call
 * on (0: never). */
void kill_at_signal_check(unsigned nth);
/* crono_kfatal_signal_pending() calls since reset(). */
unsigned signal_checks();
/* Runs fn at the next user memory access of that kind ("copy_from_user",
 * "pin_user_pages", "pin of a user window"), as if it stalled there while
 * other threads ran fn: the core holds then what it holds when a fault
 * stalls. Once. */
void on_user_access(const std::string &what, std::function<void()> fn);

/* ---- coherent DMA ---------------------------------------------------- */

/* The DMA address of the coherent buffer whose CPU cookie this is, or 0. */
u64 coherent_dma_of(const void *cpu);

/* ---- logging --------------------------------------------------------- */

/* Some line logged so far contains needle. */
bool logged(const std::string &needle);

/* ---- the whole fake ------------------------------------------------- */

/* Forgets everything (call when nothing of the core is alive); core blocks
 * still allocated are forgotten too, left to LeakSanitizer. */
void reset();
/* Nothing held and no violation seen. */
bool clean();

} // namespace fake

/* ---- the opaque handles, as the fake defines them ----------------------- */

struct crono_pci {
	struct crono_pci_location loc = { 0, 3, 0, 0, 0x1A13, 0x06 };
	fake::u64 bar0_len = 4096;
	std::map<fake::u32, fake::u32> bar0; /* offset -> last value written */
	fake::u32 max_segment = 0xFFFFF000u;
	bool always_bounces = false; /* swiotlb=force */
	bool bounces = false;	     /* mapped tables report bounced */
	bool bus_master = false;
	int refs = 1; /* the glue's own, from probe to remove */
};

struct crono_kfile {
	int zaps = 0;
};

struct crono_vma {
	struct crono_kfile *kfile = nullptr;
	fake::u64 pgoff = 0;
	fake::u64 len = 0;
	bool shared = true;
	/* set by crono_kvma_setup_contig */
	bool mapped = false;
	void *token = nullptr;
	/* pages inserted by faults since the last zap: page -> memory */
	std::map<fake::u64, const void *> present;
	bool zapped = false;
	bool closed = false;
	bool forking = false; /* copied by fork, ->open not yet called */
};

namespace fake {

/* A vma the fake owns, in a state before mmap. */
crono_vma *vma_new(crono_kfile *kfile, u64 pgoff, u64 len, bool shared = true);
/* mmap(2) of a vma: ->mmap under the mmap lock. On failure the kernel
 * frees the vma without calling close. */
int vma_mmap(struct crono_open_file *file, crono_vma *vma);
/* munmap(2) / exit: ->close of a mapped vma. */
void vma_close(crono_vma *vma);
/* fork(2) or a split: a copy of a mapped vma (with its page table entries,
 * as fork copies those of a PFN mapping), ->open on it. */
crono_vma *vma_copy(crono_vma *vma,
		    const std::function<void()> &before_open = nullptr);
/* A touch of page `index` of a mapping: the fault handler, under the mmap
 * lock, when no entry is there yet. 0 (page present) or SIGBUS's -errno. */
int vma_touch(crono_vma *vma, u64 index);
/* The memory page `index` of vma reaches, or nullptr (a touch would fault).
 */
const void *vma_page(const crono_vma *vma, u64 index);
/* Process exit: every vma still mapped is closed. */
void vma_close_all();

} // namespace fake
