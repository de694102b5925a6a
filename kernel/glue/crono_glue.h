/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The narrow interface between the C glue and the C++ driver core.
 *
 * Plain C types and opaque handles only: this header is read by the glue's C
 * files (which include kernel headers), by the freestanding C++ core (which
 * must not), by KUnit suites and by host tests that link a fake glue.
 *
 * Two directions:
 *  - crono_k*: kernel services the glue implements for the core (memory,
 *    pinning, sg tables, DMA, user copies, MMIO, locks, logging);
 *  - crono_core_*, crono_board_*, crono_file_*: the core's entry points the
 *    glue calls from module_init, the pci_driver and the file_operations.
 *
 * Every function returning int returns 0 or a negative errno.
 *
 * Each function says, as the kernel's own documentation does:
 *  - Context: whether it may sleep, and which driver locks its caller may or
 *    must hold (the locks are the core's, see kernel/board.h; "no driver
 *    lock" means none of them, because user memory may fault and stall);
 *  - Ownership: who owns what it takes or returns, when that is not plain.
 */
#ifndef CRONO_GLUE_H
#define CRONO_GLUE_H

#ifdef __cplusplus
extern "C" {
#define CRONO_NOEXCEPT noexcept
#else
#define CRONO_NOEXCEPT
#endif

typedef unsigned long long crono_u64;
typedef unsigned int crono_u32;
typedef unsigned long crono_usize;

/* Opaque handles, defined only inside the glue (or a fake of it). */
struct crono_pci;   /* a bound PCI function: device, BAR0 mapping, misc node;
		       reference-counted by the glue */
struct crono_kfile; /* the kernel's open file of a misc node */
struct crono_vma;   /* a user mapping of a contiguous buffer */
struct crono_fault; /* a page fault in such a mapping */
struct crono_user_window; /* user pages pinned briefly for the kernel to fill */
struct crono_page;	  /* a pinned user page */
struct crono_sgt;	  /* a scatter/gather table */
struct crono_memlock;	  /* pages charged to a user's RLIMIT_MEMLOCK */
struct crono_mutex;	  /* a sleeping lock */

/* The core's objects, opaque to the glue. */
struct crono_board;	/* a counted reference to a board */
struct crono_open_file; /* the state one open of a board owns */

/*
 * Storage of the kernel's refcount_t and atomic64_t, so core objects can
 * embed them; the glue checks at build time that sizes and alignment match.
 */
struct crono_refcount {
	int counter;
};
struct crono_atomic64 {
	long long counter;
} __attribute__((aligned(8)));

/* ---- memory ---------------------------------------------------------- */

/* The kernel's page size (pins and mmap work in these units). Context: any. */
crono_usize crono_kpage_size(void) CRONO_NOEXCEPT;

enum crono_gfp {
	CRONO_GFP_KERNEL,	  /* driver-internal, may sleep */
	CRONO_GFP_KERNEL_ACCOUNT, /* on behalf of a user request: charged */
};

/*
 * Context: may sleep; any driver lock may be held.
 * Ownership: the caller owns the memory until it frees it; NULL on failure.
 */
void *crono_kmalloc(crono_usize size, enum crono_gfp gfp) CRONO_NOEXCEPT;
void crono_kfree(const void *ptr) CRONO_NOEXCEPT;
/* The bytes the allocator set aside for a block of crono_kmalloc() (at
 * least the size asked for), as the driver's bookkeeping counts them.
 * Context: any. */
crono_usize crono_kmalloc_bytes(const void *ptr) CRONO_NOEXCEPT;

/* ---- atomics --------------------------------------------------------- */

/* refcount_t: saturates instead of wrapping, warns on increment from zero
 * and on underflow. Context: any. */
void crono_krefcount_init(struct crono_refcount *ref,
			  crono_u32 count) CRONO_NOEXCEPT;
void crono_krefcount_inc(struct crono_refcount *ref) CRONO_NOEXCEPT;
/* True when this dropped the last reference. */
int crono_krefcount_dec_and_test(struct crono_refcount *ref) CRONO_NOEXCEPT;

/* atomic64_t, relaxed: statistics read without the writer's lock.
 * Context: any. */
void crono_katomic64_set(struct crono_atomic64 *v,
			 long long value) CRONO_NOEXCEPT;
void crono_katomic64_add(struct crono_atomic64 *v, long long n) CRONO_NOEXCEPT;
long long crono_katomic64_read(const struct crono_atomic64 *v) CRONO_NOEXCEPT;

/* ---- logging --------------------------------------------------------- */

enum crono_log_level {
	CRONO_LOG_ERR,
	CRONO_LOG_WARN,
	CRONO_LOG_INFO,
	CRONO_LOG_DEBUG, /* dynamic debug */
};

/* Prefixed with the device when pci is not NULL. Context: any. */
void crono_klog(const struct crono_pci *pci, enum crono_log_level level,
		const char *fmt, ...) CRONO_NOEXCEPT
	__attribute__((format(printf, 3, 4)));

/* ---- locks ----------------------------------------------------------- */

/* Lock classes, so lockdep can tell the locks apart. */
enum crono_lock_class {
	CRONO_LOCK_REGISTRY,
	CRONO_LOCK_BOARD,
	CRONO_LOCK_OPEN,
	CRONO_LOCK_MAPPINGS,
	CRONO_LOCK_CLASS_COUNT,
};

/* Context: may sleep. Ownership: the caller destroys what it created; NULL
 * on failure. */
struct crono_mutex *
crono_kmutex_create(enum crono_lock_class cls) CRONO_NOEXCEPT;
void crono_kmutex_destroy(struct crono_mutex *m) CRONO_NOEXCEPT;
/* Context: sleeps; only in the order kernel/board.h gives. */
void crono_kmutex_lock(struct crono_mutex *m) CRONO_NOEXCEPT;
void crono_kmutex_unlock(struct crono_mutex *m) CRONO_NOEXCEPT;

/* ---- scheduling ------------------------------------------------------ */

/* Lets other tasks run in a long loop (pins, unpins, teardown).
 * Context: may sleep; driver mutexes may be held. */
void crono_kcond_resched(void) CRONO_NOEXCEPT;
/* True when the calling task was killed: a long request gives up.
 * Context: any. */
int crono_kfatal_signal_pending(void) CRONO_NOEXCEPT;

/* ---- user memory ----------------------------------------------------- */

/* -EFAULT unless all len bytes were copied. (Writes to user memory go
 * through a user window instead, so that they can happen under a lock.)
 * Context: may fault and sleep for as long as user space likes; no driver
 * lock. */
int crono_kcopy_from_user(void *dst, crono_u64 user_src,
			  crono_usize len) CRONO_NOEXCEPT;

/*
 * Charges npages of memory the driver keeps for the caller (pins, coherent
 * buffers) to the calling user's locked memory, bounded by RLIMIT_MEMLOCK
 * unless the caller has CAP_IPC_LOCK (as io_uring does: the user, not the
 * address space, so neither fork nor exec escapes the limit), and shows them
 * as the caller's VmPin. -ENOMEM over the limit.
 * Context: may sleep; any driver lock may be held. Uncharge runs in any task
 * (a vma close, a removal), with any driver lock held.
 * Ownership: *charge belongs to the caller until it is handed back to
 * crono_kmemlock_uncharge() with the same npages.
 */
int crono_kmemlock_charge(crono_usize npages,
			  struct crono_memlock **charge) CRONO_NOEXCEPT;
void crono_kmemlock_uncharge(struct crono_memlock *charge,
			     crono_usize npages) CRONO_NOEXCEPT;
/* The bytes of kernel memory a charge keeps while it lives. Context: any. */
crono_usize
crono_kmemlock_bytes(const struct crono_memlock *charge) CRONO_NOEXCEPT;

/*
 * Long-term, writable pin of up to npages pages from user address start.
 * Returns the number pinned (at least 1) or a negative errno; -EFAULT for
 * pages of a file the kernel writes back (they cannot stay pinned).
 * Context: may fault and sleep; no driver lock.
 * Ownership: the caller owns one pin per returned page until it unpins it.
 */
long crono_kpin_user_pages(crono_u64 start, crono_usize npages,
			   struct crono_page **pages) CRONO_NOEXCEPT;
/* Unpins pages pinned by crono_kpin_user_pages() that no sg table took
 * over (a lock that fails part way); marks them dirty, as the device may
 * have written them. Context: may sleep; any driver lock may be held. */
void crono_kunpin_user_pages(struct crono_page **pages,
			     crono_usize npages) CRONO_NOEXCEPT;

/*
 * A user range of len bytes the kernel writes into without faulting: its
 * pages are pinned (short-term, writable) here, where a fault may still stall,
 * so that the writes can happen under a driver lock. -EFAULT when the range
 * is not mapped writable.
 * Context: may fault and sleep; no driver lock.
 * Ownership: the caller releases *window with crono_kuser_window_release().
 */
int crono_kuser_window_pin(crono_u64 start, crono_usize len,
			   struct crono_user_window **window) CRONO_NOEXCEPT;
/* Copies into [offset, offset + len) of the window, which the caller keeps
 * inside the pinned range. Context: never faults; any driver lock. */
void crono_kuser_window_write(struct crono_user_window *window,
			      crono_usize offset, const void *src,
			      crono_usize len) CRONO_NOEXCEPT;
/* Unpins (dirty) and frees the window. Context: may sleep; any lock. */
void crono_kuser_window_release(struct crono_user_window *window)
	CRONO_NOEXCEPT;

/* ---- the PCI function ------------------------------------------------ */

struct crono_pci_location {
	crono_u32 domain, bus, slot, func;
	crono_u32 vendor, device;
};

/*
 * The glue holds one reference from probe until remove has returned; the
 * core takes its own for as long as a board exists, so the board can fail
 * later requests with -ENODEV after removal. The last put frees it.
 * Context: any.
 */
void crono_kpci_get(struct crono_pci *pci) CRONO_NOEXCEPT;
void crono_kpci_put(struct crono_pci *pci) CRONO_NOEXCEPT;

/* Context, here to the end of the section: may sleep; the board lock or no
 * lock (the device is the board's, which that lock guards), except that
 * open() turns bus mastering on under the open lock. */
void crono_kpci_location(const struct crono_pci *pci,
			 struct crono_pci_location *loc) CRONO_NOEXCEPT;
/* Bytes of BAR0 that cleanup writes may reach (0 if it is not MMIO). */
crono_u64 crono_kpci_bar0_len(const struct crono_pci *pci) CRONO_NOEXCEPT;
void crono_kpci_bar0_write32(struct crono_pci *pci, crono_u32 offset,
			     crono_u32 value) CRONO_NOEXCEPT;
/* A non-posted read, so every earlier BAR0 write has reached the board
 * (skipped when the device is gone). */
void crono_kpci_flush_writes(struct crono_pci *pci) CRONO_NOEXCEPT;
/* Bus mastering: on while a file is open, off before its memory is freed. */
void crono_kpci_set_bus_master(struct crono_pci *pci,
			       int enable) CRONO_NOEXCEPT;

/* ---- scatter/gather DMA --------------------------------------------- */

/* Context, here to the end of the section: may sleep; the board lock or no
 * lock. Ownership: a table belongs to its creator until it is destroyed;
 * it must be unmapped first if it was mapped. */

/* Largest DMA segment to build, a multiple of the page size. */
crono_u32 crono_kdma_max_segment(const struct crono_pci *pci) CRONO_NOEXCEPT;
/* True when every streaming mapping would be bounced (swiotlb=force). */
int crono_kdma_always_bounces(const struct crono_pci *pci) CRONO_NOEXCEPT;

/*
 * A table of pinned pages is built by appending batches of pages to an empty
 * one: physically adjacent pages, within a batch and across batches, merge
 * into one segment of at most max_segment bytes. The table describes its
 * pages and takes over their pins; nothing per page is kept besides it.
 * Ownership: the caller unpins the table's pages (after any DMA mapping of
 * it is gone) and then destroys it.
 */
int crono_ksgt_alloc(struct crono_sgt **sgt) CRONO_NOEXCEPT;
/*
 * Appends npages pinned pages. pages_left: how many pages later calls will
 * append (0 on the last call). On success the table holds their pins and
 * the array may be reused; on failure the table is as it was and the pins
 * are still the caller's. -E2BIG beyond the table's entry counts.
 */
int crono_ksgt_append(struct crono_sgt *sgt, struct crono_page **pages,
		      crono_usize npages, crono_u32 max_segment,
		      crono_usize pages_left) CRONO_NOEXCEPT;
/* Unpins every page the table holds, one page range per segment (pages
 * that are a segment alone gathered a few per call), marked dirty (the
 * device may have written them); the table must not be mapped. Gives way
 * to other tasks as it goes. */
void crono_ksgt_unpin_dirty(struct crono_sgt *sgt) CRONO_NOEXCEPT;
/* Frees the table; its pages were unpinned before. */
void crono_ksgt_destroy(struct crono_sgt *sgt) CRONO_NOEXCEPT;
/* The bytes of kernel memory the table occupies: its header and every
 * chunk of its scatterlist, as the allocator sized them. Context: any. */
crono_usize crono_ksgt_bytes(const struct crono_sgt *sgt) CRONO_NOEXCEPT;

int crono_kdma_map_sgt(struct crono_pci *pci,
		       struct crono_sgt *sgt) CRONO_NOEXCEPT;
void crono_kdma_unmap_sgt(struct crono_pci *pci,
			  struct crono_sgt *sgt) CRONO_NOEXCEPT;
/* True when a mapped table went through bounce buffers. */
int crono_kdma_sgt_bounced(const struct crono_pci *pci,
			   const struct crono_sgt *sgt) CRONO_NOEXCEPT;

/* Called once per mapped DMA segment, in order; non-zero stops the walk. */
typedef int (*crono_dma_segment_fn)(void *ctx, crono_u64 dma_addr,
				    crono_u64 len);
int crono_ksgt_walk_dma(const struct crono_sgt *sgt, crono_dma_segment_fn fn,
			void *ctx) CRONO_NOEXCEPT;

/* ---- coherent DMA ---------------------------------------------------- */

/* Returns an opaque CPU cookie (never shown to user space) or NULL.
 * Context: may sleep; the board lock. Free: any driver lock (a removal or
 * the last munmap frees it under the mappings lock).
 * Ownership: the caller frees it with the same size and addresses. */
void *crono_kcoherent_alloc(struct crono_pci *pci, crono_usize size,
			    crono_u64 *dma_addr) CRONO_NOEXCEPT;
void crono_kcoherent_free(struct crono_pci *pci, crono_usize size, void *cpu,
			  crono_u64 dma_addr) CRONO_NOEXCEPT;

/* User mappings. Context, unless said otherwise: under the address space's
 * mmap lock (the kernel's mmap, fault, open and close callbacks), with the
 * mappings lock or no driver lock. */
crono_u64 crono_kvma_pgoff(const struct crono_vma *vma) CRONO_NOEXCEPT;
crono_u64 crono_kvma_len(const struct crono_vma *vma) CRONO_NOEXCEPT;
/* MAP_SHARED (writable or not): a private mapping would be copied on write. */
int crono_kvma_may_share(const struct crono_vma *vma) CRONO_NOEXCEPT;
/*
 * Makes vma a mapping of a contiguous buffer that is filled only by faults
 * (crono_contig_fault()): no page table entry exists when mmap returns, so
 * none can escape a teardown that runs before the vma is visible to it.
 * token is handed back by the fault and open/close callbacks.
 */
void crono_kvma_setup_contig(struct crono_pci *pci, struct crono_vma *vma,
			     void *token) CRONO_NOEXCEPT;
/*
 * Inserts the faulting page of a coherent buffer (and those after it in the
 * same 2 MiB) into the mapping. The caller holds the lock that keeps the
 * memory alive. -EFAULT when the fault lies beyond the buffer.
 */
int crono_kcoherent_insert(struct crono_pci *pci, struct crono_fault *fault,
			   void *cpu, crono_usize size) CRONO_NOEXCEPT;
/* Removes every page table entry of one mapping. */
void crono_kvma_zap(struct crono_vma *vma) CRONO_NOEXCEPT;
/* Removes every user mapping made through this file (device is gone).
 * Context: may sleep; the board lock and the mappings lock, not the mmap
 * lock. */
void crono_kfile_zap_mappings(struct crono_kfile *kfile) CRONO_NOEXCEPT;

/* ---- entry points of the core, called by the glue ------------------ */

/* All may sleep. The glue holds no driver lock when it calls them; the mmap
 * lock is held for crono_file_mmap() and the crono_contig_* callbacks. */

int crono_core_init(void) CRONO_NOEXCEPT;
void crono_core_exit(void) CRONO_NOEXCEPT;

/* probe: a board for pci, which takes its own reference to pci. *board is
 * the glue's reference, dropped with crono_board_put(); name receives the
 * misc node name. */
int crono_board_create(struct crono_pci *pci, struct crono_board **board,
		       char *name, crono_usize name_size) CRONO_NOEXCEPT;
/* remove: stop the board, release every buffer, fail later calls. */
void crono_board_remove(struct crono_board *board) CRONO_NOEXCEPT;
/* shutdown (reboot, kexec): stop the board's DMA, free nothing. */
void crono_board_shutdown(struct crono_board *board) CRONO_NOEXCEPT;
void crono_board_put(struct crono_board *board) CRONO_NOEXCEPT;

struct crono_board_stats {
	crono_u64 locked_buffers;
	crono_u64 pinned_bytes;
	crono_u64 coherent_bytes;
	crono_u64 coherent_buffers; /* holding memory: locked or still mapped */
	crono_u64 bookkeeping_bytes; /* kernel memory kept for S/G buffers */
};
void crono_board_stats(struct crono_board *board,
		       struct crono_board_stats *stats) CRONO_NOEXCEPT;

int crono_file_open(struct crono_board *board, struct crono_kfile *kfile,
		    struct crono_open_file **file) CRONO_NOEXCEPT;
void crono_file_release(struct crono_open_file *file) CRONO_NOEXCEPT;
long crono_file_ioctl(struct crono_open_file *file, crono_u32 request,
		      crono_u64 arg) CRONO_NOEXCEPT;
int crono_file_mmap(struct crono_open_file *file,
		    struct crono_vma *vma) CRONO_NOEXCEPT;

/* vm_operations of a contiguous-buffer mapping: a copy (fork, split), its
 * end, and a fault (returns 0 when a page was inserted, else SIGBUS). */
void crono_contig_mapping_opened(void *token,
				 struct crono_vma *vma) CRONO_NOEXCEPT;
void crono_contig_mapping_closed(void *token) CRONO_NOEXCEPT;
int crono_contig_fault(void *token, struct crono_fault *fault) CRONO_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#undef CRONO_NOEXCEPT

#endif /* CRONO_GLUE_H */
