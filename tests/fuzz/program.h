/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fuzz program: a byte string decoded into a list of operations on the
 * driver, as a process would make them (open, close, the five ioctls, mmap,
 * munmap, touching a mapped page, fork) plus what happens to the machine
 * (a board removed and probed again) and, for the host executor only,
 * failures of the kernel services the core calls.
 *
 * Two executors read the same programs: tests/fuzz/fuzz_target.cpp runs them
 * on the host through the core's C entry points against the fake glue; a VM
 * player can replay the same corpus as real syscalls against the module.
 * So nothing here is a host pointer: user memory is a per-program arena of
 * regions, and every address, size, id and length is symbolic (region start
 * or end plus an offset, "the length of region 3", "the id of the second
 * live S/G buffer of this file") and resolved when the operation runs,
 * against what earlier operations made. This file depends on nothing but
 * the C++ standard library: no fake, no kernel header.
 *
 * ## The arena
 *
 * Eight regions; region r lives at arena_base + r * region_stride (so the
 * space between regions is never mapped). map_region maps r anonymous and
 * private with `pages` 4 KiB pages (rounded up to the kernel's page) and a
 * protection; it replaces an earlier mapping of r (zero-filled again).
 * The player reserves the whole arena address range first.
 *
 * The executors write structs into the arena "through a writable alias":
 * the bytes land wherever the region is mapped, whatever its protection
 * (the player uses mprotect around the store, or a second mapping), and
 * bytes outside every mapped region are dropped. So a struct can sit in
 * read-only memory, or straddle the end of a region.
 *
 * ## Encoding
 *
 * Little-endian; reading past the end yields zeros, so every byte string is
 * a program. Four header bytes (the environment, see Env), then operations
 * until the input ends (at most max_ops): one opcode byte (modulo
 * OpKind::count), then the fields of that kind, in the order the comments
 * of OpKind give. Field encodings:
 *
 *  Addr (3 bytes): sel, u16 p. region = sel & 7; by (sel >> 3) % 8:
 *    0 start + p * 4096     1 start + p          2 end - p
 *    3 end - p * 4096       4 end + p            5 start - p
 *    6 an absolute address, absolute_addresses[p % 12]
 *    7 start + p * 8
 *  Size (5 bytes): sel, u32 p. By sel % 8:
 *    0 len(region p % 8)    1 len(p % 8) - (p >> 3)   2 len(p % 8) + (p >> 3)
 *    3 p                    4 p * 4096                 5 p * 4096 + 1
 *    6 p * 4096 - 1         7 interesting_sizes[p % 16]
 *    (len of an unmapped region is 0; arithmetic wraps at 2^64)
 *  Count (5 bytes, pages_count of LOCK_BUFFER): sel, u32 p. By sel % 4:
 *    0 ceil(size / 4096)    1 that + 1     2 that - 1     3 p
 *  IdRef (2 bytes): sel, u8 n. By sel % 6:
 *    0 the id of live S/G buffer n (modulo their number) of this file
 *    1 the same of a locked contiguous buffer
 *    2 a live id of another open file (any kind)
 *    3 an id this file unlocked before (the n-th most recent)
 *    4 n - 16               5 odd_ids[n % 6]
 *    (when there is no such buffer: -1)
 *  MapLen (3 bytes): sel, u16 p. By sel % 4, in kernel pages:
 *    0 the buffer's size    1 the size + 1 page
 *    2 the size - 1 page (at least 1)       3 max(p, 1) pages
 *  Cmd (5 bytes, a cleanup write): sel, u32 data. offset by sel % 8, with
 *    k = sel >> 3, L = BAR0's length, modulo 2^32:
 *    0 4k     1 L - 4     2 L     3 L + 4     4 4k + 1 + k % 3
 *    5 0xfffffffc         6 L - 4 - 4k        7 0xffffffff
 *  The small fields of the operations:
 *    map_region pages, u16 s: 1 + s % 16 below 0xff00, else
 *      { 17, 64, 512, 1024, 4095, 4096, 4097, 8193 }[s % 8] (4 KiB pages)
 *    prot, u8: { rw, r, none, rw }[p % 4]
 *    ioctl request, u8 s: the five requests in ABI order, the reserved
 *      0xC0086305, a 32-bit build's 0xC0046300, or (s % 8 == 7) the raw u32
 *    cleanup count, u8 s: s % 21 up to 16, else { 17, 0xffffffff,
 *      0x20000001, 16 }; that many Cmds follow, none for a count over 16
 *    inject: u8 call (GlueCall, modulo), u8 nth (1 + n % 8), u8 e: errno
 *      { ENOMEM, EFAULT, EINTR, EIO, E2BIG, EREMOTEIO, EINVAL, EAGAIN }[e % 8]
 *      (negated), or for pin_short e % 4 pages
 *    repeat, u8 s: { 2, 3, 8, 64, 4095, 4096, 4097, 2 }[s % 8] times
 *
 * Files are the open files in the order they were opened: `file` picks
 * one of those whose descriptor is still open (modulo their number); an
 * operation on a file when none is open does nothing. `vma` picks one of
 * the live mappings the same way. `board` is 0 or 1 (modulo 2).
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace crono_fuzz {

constexpr unsigned board_count = 2;
constexpr unsigned region_count = 8;
constexpr uint64_t arena_base = 0x200000000000ull;
constexpr uint64_t region_stride = 1ull << 32;
constexpr uint64_t device_page = 4096;
constexpr size_t max_ops = 256;

enum Prot : unsigned {
	prot_none = 0,
	prot_read = 1, /* as PROT_READ */
	prot_write = 2,
	prot_rw = 3,
};

/* The kernel services a host program may make fail, in the fake glue's
 * order (tests/host/fake_glue.h, FAKE_CALLS). */
enum class GlueCall : uint8_t {
	kmalloc,
	sgt_alloc,
	mutex_create,
	copy_from_user,
	memlock_charge,
	pin,
	sgt_append,
	dma_map,
	sgt_bounced,
	always_bounces,
	coherent_alloc,
	fault_insert,
	window_pin,
	pin_short, /* a pin that returns fewer pages than asked */
	count,
};
const char *name(GlueCall call);

/* A user access a removal can be made to race with (host: the fake runs
 * the removal there; a player: a userfaultfd-registered page). */
enum class Access : uint8_t {
	copy_from_user,
	pin_user_pages,
	window_pin,
	count,
};
const char *name(Access access);

/*
 * The header: the machine the program runs on. Zero bytes give the usual
 * machine. Only memlock_bytes means something to a player (its
 * RLIMIT_MEMLOCK); the rest are the host's.
 *  h0 % 3: kernel page 4, 16, 64 KiB
 *  h1 % 8: RLIMIT_MEMLOCK: 8 GiB, 0, 1 page, 4 pages, 64 pages, 16 MiB,
 *          1 GiB, 4 GiB (pages of 4 KiB)
 *  h2 % 6: BAR0 length 4096, 0 (not MMIO), 4, 8, 64 KiB, 4 GiB
 *  h3: bits 0-1 the largest DMA segment: 4 GiB - 4 KiB, 1 kernel page,
 *      2 kernel pages, 64 KiB; bit 2: board 1's DMA always bounces
 *      (swiotlb=force); bit 3: board 1's mappings report bounced; bits 4-5:
 *      pages pinned per pin call at most: unlimited, 1, 3, 4096
 */
struct Env {
	uint64_t kernel_page = 4096;
	uint64_t memlock_bytes = 8ull << 30;
	uint64_t bar0_len = 4096;
	unsigned max_segment_sel = 0;
	bool always_bounces = false; /* board 1 */
	bool bounces = false;	     /* board 1 */
	uint64_t pin_max_pages = 0;  /* 0: no limit */
};

struct Addr {
	enum class Base : uint8_t { start, end, absolute } base = Base::start;
	uint8_t region = 0;
	uint64_t offset = 0; /* added modulo 2^64; absolute: the address */
};

struct Size {
	bool region_len = false; /* len(region) + value, else value */
	uint8_t region = 0;
	uint64_t value = 0;
};

struct Count {
	bool exact = true; /* ceil(size / 4096) + delta, else value */
	int64_t delta = 0;
	uint32_t value = 0;
};

struct IdRef {
	enum class Kind : uint8_t {
		sg,
		contig,
		other_file,
		unlocked,
		value,
	} kind = Kind::value;
	uint8_t nth = 0;
	int32_t value = -1;
};

struct MapLen {
	bool buffer = true; /* the buffer's size + delta pages, else pages */
	int64_t delta = 0;
	uint32_t pages = 1;
};

struct Cmd {
	enum class Base : uint8_t { zero, bar0_end } base = Base::zero;
	uint32_t offset = 0; /* added modulo 2^32 */
	uint32_t data = 0;
};

enum class OpKind : uint8_t {
	open,	       /* board: open(2) of its node */
	close,	       /* file: close(2); released after its last mapping */
	map_region,    /* region, u16 pages sel, prot: mmap(MAP_FIXED) */
	unmap_region,  /* region: munmap(2) */
	protect,       /* region, prot: mprotect(2) */
	write_mem,     /* Addr, u8 len (1 + len % 64), len bytes: a store */
	ioctl,	       /* file, u8 request sel, u32 raw, Addr arg: raw ioctl */
	lock_sg,       /* file, Addr info, Addr buf, Size, Addr upages, Count */
	unlock_sg,     /* file, Addr arg, IdRef */
	cleanup,       /* file, Addr info, Addr ucmds, u8 count sel, Cmds */
	lock_contig,   /* file, Addr info, Size */
	unlock_contig, /* file, Addr arg, IdRef */
	mmap,	       /* file, IdRef, MapLen, u8 flags (bit 0: MAP_PRIVATE) */
	munmap,	       /* vma */
	fault,	       /* vma, u16 page (modulo the mapping's pages): a touch */
	fork,	       /* vma: a copy of the mapping, as fork(2) makes */
	remove_board,  /* board: unbind (hot-unplug) */
	return_board,  /* board: probe again after a removal */
	shutdown,      /* board: the pci_driver's shutdown (host only) */
	inject,	       /* u8 call, u8 nth, u8 errno sel (host only) */
	kill,	       /* u8 n: killed from the n-th signal check on (host) */
	stall_remove,  /* board, u8 access: removed while a request waits */
	repeat,	       /* u8 sel: the next operation runs repeat_times[sel % 8]
			  times (the host stops early once LOCK_BUFFER asked
			  for 2^22 pages, or after 20000 steps) */
	count,
};
const char *name(OpKind kind);
/* Kinds a player on a real machine cannot make happen on demand. */
bool host_only(OpKind kind);

/* The ioctl request numbers an ioctl op can pick: the five of the ABI, the
 * reserved one, and a 32-bit _IOWR encoding (size 4) of LOCK_BUFFER; sel 7
 * takes the raw u32. */
uint32_t request_of(uint8_t sel, uint32_t raw);

/* The errnos (positive) docs/abi.md lets a request fail with on an open file:
 * those of the five requests, ENOTTY for any other number, and ENODEV for all
 * once the board was removed. */
std::vector<int> documented_errnos(uint32_t request);

struct Op {
	OpKind kind = OpKind::open;
	uint32_t times = 1; /* > 1 after a repeat */
	uint8_t board = 0;
	uint8_t file = 0;
	uint8_t vma = 0;
	uint8_t region = 0;
	unsigned prot = prot_rw;
	uint32_t pages = 0; /* map_region: 4 KiB pages; fault: page */
	uint32_t request = 0;
	Addr arg;   /* ioctl, unlock_*, write_mem: the address; lock_*,
		       cleanup: the struct */
	Addr buf;   /* lock_sg: addr */
	Addr table; /* lock_sg: upages; cleanup: ucmds */
	Size size;
	Count count;
	uint32_t cmd_count = 0; /* cleanup: the struct's count */
	std::vector<Cmd> cmds; /* cleanup: cmd_count of them, or none over 16 */
	IdRef id;
	MapLen len;
	bool shared = true;
	std::vector<uint8_t> bytes; /* write_mem */
	GlueCall call = GlueCall::kmalloc;
	uint32_t nth = 1;	  /* inject: the nth call from now; kill: n */
	int err = 0;		  /* inject: a negative errno */
	uint32_t short_pages = 0; /* inject pin_short */
	Access access = Access::copy_from_user;
};

struct Program {
	Env env;
	std::vector<Op> ops;
};

Program decode(const uint8_t *data, size_t size);

/* One line per operation, for reproducers and traces. */
std::string describe(const Op &op);
std::string describe(const Env &env);

/* ---- resolving symbolic values ------------------------------------------ */

/* What the program mapped so far, as the executor replays it. */
struct Arena {
	struct Region {
		bool mapped = false;
		uint64_t len = 0; /* bytes, whole kernel pages */
		unsigned prot = prot_none;
	};
	uint64_t kernel_page = 4096;
	Region regions[region_count];

	static uint64_t base(unsigned region)
	{
		return arena_base + region * region_stride;
	}
	uint64_t len(unsigned region) const;
	uint64_t resolve(const Addr &addr) const;
	uint64_t resolve(const Size &size) const;
	/* Every byte of [addr, addr + len) mapped with at least `need`
	 * (len 0: always). */
	bool accessible(uint64_t addr, uint64_t len, unsigned need) const;
	/* The mapped part of [addr, addr + len) in one region, as an offset
	 * into the range and a length (length 0: none). At most one region
	 * can hold part of a range shorter than region_stride. */
	struct Piece {
		uint64_t skip = 0;
		uint64_t len = 0;
		uint64_t at = 0;
	};
	std::vector<Piece> mapped_pieces(uint64_t addr, uint64_t len) const;
};

/* LOCK_BUFFER's pages_count for a resolved size. */
uint32_t resolve(const Count &count, uint64_t size);
/* A cleanup write's BAR0 offset for BAR0 of bar0_len bytes. */
uint32_t resolve(const Cmd &cmd, uint64_t bar0_len);

} // namespace crono_fuzz
