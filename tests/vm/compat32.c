// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * crono_compat32: a 32-bit (i386) caller of crono_pci_drvmod, run inside the
 * VM by the compat_32bit scenario of crono_vmtest, so that every request goes
 * through the driver's compat_ioctl:
 *
 *     /crono_compat32 /dev/crono_XX_DDBBSSF DDDD:BB:SS.F
 *
 * The arguments are the board's misc node and its PCI address (for BAR0
 * through resource0, as the vendor library reaches it). The program prints
 * `ok - WHAT` or `not ok - WHAT: why` per check and `# ...` remarks, and exits
 * with status 1 when any check failed (2 on bad arguments).
 *
 * Build: gcc-12 -m32 -static -O2 -Wall -Wextra -Werror -I uapi
 *        tests/vm/compat32.c
 *
 * Every edu transfer is at most 2048 bytes at device address 0x40000: QEMU
 * aborts the whole VM on one that reaches 0x41000 (tests/edu/edu_regs.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <crono_pci_drvmod.h>

#include "../edu/edu_regs.h"

_Static_assert(sizeof(void *) == 4, "crono_compat32 must be built with -m32");
_Static_assert(sizeof(long) == 4, "crono_compat32 must be built with -m32");

#define PAGE 4096u
#define SG_SIZE (64u << 10)
#define SG_PAGES (SG_SIZE / PAGE)
#define CONTIG_SIZE (8u << 10)

static const uint64_t kSentinel = 0x5e47149e15e47149ull;
static const uint64_t kMarker = 0x1122334455667788ull;

static int passed, failed;

/* One check: ok - WHAT, or not ok - WHAT: the formatted reason. */
static int check(int ok, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int check(int ok, const char *what, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		printf("ok - %s\n", what);
		return 1;
	}
	failed++;
	printf("not ok - %s: ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return 0;
}

static const char *errname(int e)
{
	const char *name = strerrorname_np(e);

	if (e == 0)
		return "success";
	/* The kernel-internal ENOIOCTLCMD must never reach user space. */
	if (e == 515)
		return "ENOIOCTLCMD(kernel-internal)";
	return name ? name : strerror(e);
}

/* 0 or errno */
static int xioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg) == 0 ? 0 : errno;
}

static uint64_t uaddr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static uint32_t pattern_word(uint32_t tag, uint32_t i)
{
	uint32_t x = tag * 0x9e3779b9u + i * 0x85ebca6bu;

	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	return x;
}

static void fill(void *p, size_t len, uint32_t tag)
{
	volatile uint32_t *q = p;

	for (uint32_t i = 0; i < len / 4; i++)
		q[i] = pattern_word(tag, i);
}

/* -1 when p holds the pattern, else the offset of the first wrong word. */
static long mismatch(const void *p, size_t len, uint32_t tag)
{
	const volatile uint32_t *q = p;

	for (uint32_t i = 0; i < len / 4; i++)
		if (q[i] != pattern_word(tag, i))
			return (long)i * 4;
	return -1;
}

/* ---- BAR0 of the edu device ------------------------------------------ */

static volatile uint8_t *bar;
static size_t bar_len;

static uint32_t r32(uint32_t off)
{
	return *(volatile uint32_t *)(bar + off);
}

static void w32(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(bar + off) = v;
}

/*
 * The DMA address registers take one 8-byte access: a 32-bit process would
 * split a uint64_t store in two 4-byte ones, and edu ignores the upper half at
 * +4. An SSE2 movq is one 8-byte access from 32-bit code.
 */
__attribute__((target("sse2"))) static uint64_t r64(uint32_t off)
{
	const volatile uint64_t *p = (const volatile uint64_t *)(bar + off);
	uint64_t v;

	__asm__ volatile("movq %1, %%xmm0\n\tmovq %%xmm0, %0"
			 : "=m"(v)
			 : "m"(*p)
			 : "xmm0", "memory");
	return v;
}

__attribute__((target("sse2"))) static void w64(uint32_t off, uint64_t v)
{
	volatile uint64_t *p = (volatile uint64_t *)(bar + off);

	__asm__ volatile("movq %1, %%xmm0\n\tmovq %%xmm0, %0"
			 : "=m"(*p)
			 : "m"(v)
			 : "xmm0", "memory");
}

static int map_bar(const char *pci)
{
	char path[128];
	struct stat st;
	void *p;
	int fd;

	snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/resource0", pci);
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0)
		return check(0, "map BAR0", "open %s: %s", path,
			     errname(errno));
	if (fstat(fd, &st) != 0 || st.st_size < 0x100) {
		close(fd);
		return check(0, "map BAR0", "fstat %s: %s", path,
			     errname(errno));
	}
	bar_len = (size_t)st.st_size;
	p = mmap(NULL, bar_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return check(0, "map BAR0", "mmap %s: %s", path,
			     errname(errno));
	bar = p;
	return check(r32(EDU_REG_ID) == EDU_ID_VALUE, "map BAR0",
		     "%s: id register reads 0x%08x, expected 0x%08x", path,
		     r32(EDU_REG_ID), EDU_ID_VALUE);
}

/* Why the last DMA step failed. */
static char why[256];

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int edu_idle(void)
{
	/* One transfer takes ~100 ms of guest time: 10 s at most, measured on
	 * the clock (a sleep may end early, a count of sleeps would not). */
	const double end = now_s() + 10.0;

	while (r32(EDU_REG_DMA_CMD) & EDU_DMA_START) {
		if (now_s() > end)
			return 0;
		usleep(2000);
	}
	return 1;
}

/* One transfer between RAM at bus address ram and the device at 0x40000. */
static int edu_dma(int to_ram, uint64_t ram, uint32_t len)
{
	const uint64_t dev = EDU_DEVICE_BUFFER;
	uint64_t src = to_ram ? dev : ram, dst = to_ram ? ram : dev;
	char where[64];

	snprintf(where, sizeof where,
		 to_ram ? "device -> RAM 0x%llx" : "RAM 0x%llx -> device",
		 (unsigned long long)ram);
	if (len == 0 || dev + len >= EDU_DEVICE_BUFFER_END)
		return fail("%s: refusing an edu transfer of %u bytes", where,
			    len);
	if (!edu_idle())
		return fail("%s: edu DMA busy for 10 s (0x%x)", where,
			    r32(EDU_REG_DMA_CMD));
	w64(EDU_REG_DMA_SRC, src);
	w64(EDU_REG_DMA_DST, dst);
	w64(EDU_REG_DMA_COUNT, len);
	if (r64(EDU_REG_DMA_SRC) != src || r64(EDU_REG_DMA_DST) != dst ||
	    r64(EDU_REG_DMA_COUNT) != len)
		return fail("%s: edu DMA registers read back src 0x%llx dst "
			    "0x%llx cnt %llu",
			    where, (unsigned long long)r64(EDU_REG_DMA_SRC),
			    (unsigned long long)r64(EDU_REG_DMA_DST),
			    (unsigned long long)r64(EDU_REG_DMA_COUNT));
	__sync_synchronize(); /* CPU stores before the device reads */
	w32(EDU_REG_DMA_CMD, EDU_DMA_START | (to_ram ? EDU_DMA_TO_RAM : 0));
	if (!edu_idle())
		return fail("%s: edu DMA busy for 10 s (0x%x)", where,
			    r32(EDU_REG_DMA_CMD));
	__sync_synchronize(); /* device stores before the CPU reads */
	return 1;
}

/*
 * Fill src from the CPU, move it through the device in two halves (src_bus ->
 * 0x40000 -> dst_bus) and check dst from the CPU: proves that src_bus and
 * dst_bus are the bus addresses of those pages. On failure, `why` says why.
 */
static int dma_copy_page(uint8_t *src, uint64_t src_bus, uint8_t *dst,
			 uint64_t dst_bus)
{
	static uint32_t tag = 0x32b17000u;
	long bad;

	tag++;
	fill(src, PAGE, tag);
	fill(dst, PAGE, ~tag);
	for (uint32_t off = 0; off < PAGE; off += EDU_DMA_HALF_PAGE)
		if (!edu_dma(0, src_bus + off, EDU_DMA_HALF_PAGE) ||
		    !edu_dma(1, dst_bus + off, EDU_DMA_HALF_PAGE))
			return 0;
	bad = mismatch(dst, PAGE, tag);
	if (bad >= 0)
		return fail("bus 0x%llx -> bus 0x%llx: destination byte %ld "
			    "differs from the source",
			    (unsigned long long)src_bus,
			    (unsigned long long)dst_bus, bad);
	if (mismatch(src, PAGE, tag) >= 0)
		return fail("source page changed");
	return 1;
}

/* ---- the requests ---------------------------------------------------- */

/* LOCK_BUFFER of 64 KiB, a DMA round trip through its table, UNLOCK_BUFFER. */
static void sg_buffer(int fd)
{
	uint64_t table[SG_PAGES + 1] = { [SG_PAGES] = kSentinel };
	unsigned bad = 0, first_bad = 0, dup = 0;
	int e, id;
	uint8_t *mem = mmap(NULL, SG_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED) {
		check(0, "LOCK_BUFFER of 64 KiB", "mmap: %s", errname(errno));
		return;
	}
	/* pages and upages both name the table, as the vendor library does */
	CRONO_SG_BUFFER_INFO info = { .addr = uaddr(mem),
				      .size = SG_SIZE,
				      .pages = uaddr(table),
				      .upages = uaddr(table),
				      .pages_count = SG_PAGES,
				      .id = -12345 };
	CRONO_SG_BUFFER_INFO sent = info;

	e = xioctl(fd, IOCTL_CRONO_LOCK_BUFFER, &info);
	if (!check(e == 0, "LOCK_BUFFER of 64 KiB", "%s", errname(e))) {
		munmap(mem, SG_SIZE);
		return;
	}
	id = info.id;
	check(id >= 0, "LOCK_BUFFER sets id", "id %d", id);
	sent.id = info.id;
	check(memcmp(&sent, &info, sizeof info) == 0,
	      "LOCK_BUFFER leaves the rest of the struct untouched",
	      "addr 0x%llx size %llu pages 0x%llx upages 0x%llx "
	      "pages_count %u",
	      (unsigned long long)info.addr, (unsigned long long)info.size,
	      (unsigned long long)info.pages, (unsigned long long)info.upages,
	      info.pages_count);
	for (unsigned i = 0; i < SG_PAGES; i++) {
		if (table[i] == 0 || (table[i] & (PAGE - 1))) {
			if (!bad++)
				first_bad = i;
		}
		for (unsigned j = 0; j < i; j++)
			dup += table[i] == table[j];
	}
	check(bad == 0 && dup == 0 && table[SG_PAGES] == kSentinel,
	      "LOCK_BUFFER page table: 16 distinct nonzero 4 KiB-aligned "
	      "entries",
	      "%u bad (first: entry %u = 0x%llx), %u duplicates, entry "
	      "past pages_count %s",
	      bad, first_bad, (unsigned long long)table[first_bad], dup,
	      table[SG_PAGES] == kSentinel ? "intact" : "overwritten");
	printf("# page table: entry 0 = 0x%llx, entry 15 = 0x%llx\n",
	       (unsigned long long)table[0],
	       (unsigned long long)table[SG_PAGES - 1]);

	/* The device writes wherever the table says: only a good table. */
	if (bad == 0 && dup == 0)
		check(dma_copy_page(mem, table[0], mem + (SG_PAGES - 1) * PAGE,
				    table[SG_PAGES - 1]),
		      "DMA page 0 -> device 0x40000 -> page 15 through the "
		      "page table",
		      "%s", why);

	e = xioctl(fd, IOCTL_CRONO_UNLOCK_BUFFER, &id);
	check(e == 0, "UNLOCK_BUFFER", "UNLOCK_BUFFER(%d): %s", id, errname(e));
	munmap(mem, SG_SIZE);
}

/* LOCK_CONTIG_BUFFER of 8 KiB, its mmap at id * 4096, UNLOCK_CONTIG_BUFFER. */
static void contig_buffer(int fd)
{
	/* addr must come back as 0, pUserAddr untouched */
	CRONO_CONTIG_BUFFER_INFO info = { .size = CONTIG_SIZE,
					  .addr = 0xdeadbeefcafe0000ull,
					  .pUserAddr = kMarker,
					  .id = -12345 };
	uint8_t *m;
	int e, id;

	e = xioctl(fd, IOCTL_CRONO_LOCK_CONTIG_BUFFER, &info);
	if (!check(e == 0, "LOCK_CONTIG_BUFFER of 8 KiB", "%s", errname(e)))
		return;
	id = info.id;
	check(id >= 0 && info.addr == 0 && info.pUserAddr == kMarker &&
		      info.dma_handle != 0 && !(info.dma_handle & (PAGE - 1)),
	      "LOCK_CONTIG_BUFFER result",
	      "id %d, addr 0x%llx (want 0), pUserAddr 0x%llx (want 0x%llx), "
	      "dma_handle 0x%llx (want nonzero, page-aligned)",
	      id, (unsigned long long)info.addr,
	      (unsigned long long)info.pUserAddr, (unsigned long long)kMarker,
	      (unsigned long long)info.dma_handle);
	printf("# contiguous buffer %d at dma_handle 0x%llx\n", id,
	       (unsigned long long)info.dma_handle);

	m = mmap(NULL, CONTIG_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)id * (off_t)PAGE);
	if (check(m != MAP_FAILED, "mmap of the contiguous buffer at id * 4096",
		  "%s", errname(errno)))
		check(dma_copy_page(m, info.dma_handle, m + PAGE,
				    info.dma_handle + PAGE),
		      "DMA page 0 -> device 0x40000 -> page 1 of the "
		      "contiguous buffer",
		      "%s", why);

	/* The library unlocks before it unmaps. */
	e = xioctl(fd, IOCTL_CRONO_UNLOCK_CONTIG_BUFFER, &id);
	check(e == 0, "UNLOCK_CONTIG_BUFFER", "UNLOCK_CONTIG_BUFFER(%d): %s",
	      id, errname(e));
	if (m != MAP_FAILED)
		munmap(m, CONTIG_SIZE);
}

/*
 * LOCK_BUFFER with an address above 4 GiB, where nothing of a 32-bit process
 * lies: it must not be cut down to the 32 bits below it.
 */
static void lock_above_4g(int fd)
{
	uint64_t table[SG_PAGES + 1];
	int e;
	uint8_t *mem = mmap(NULL, SG_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED) {
		check(0, "LOCK_BUFFER above 4 GiB", "mmap: %s", errname(errno));
		return;
	}
	CRONO_SG_BUFFER_INFO info = { .addr = uaddr(mem) | 1ull << 32,
				      .size = SG_SIZE,
				      .pages = uaddr(table),
				      .upages = uaddr(table),
				      .pages_count = SG_PAGES };
	e = xioctl(fd, IOCTL_CRONO_LOCK_BUFFER, &info);
	check(e == EFAULT, "LOCK_BUFFER with addr above 4 GiB: EFAULT",
	      "got %s", errname(e));
	info.addr = uaddr(mem);
	info.pages = info.upages = uaddr(table) | 1ull << 32;
	e = xioctl(fd, IOCTL_CRONO_LOCK_BUFFER, &info);
	check(e == EFAULT, "LOCK_BUFFER with upages above 4 GiB: EFAULT",
	      "got %s", errname(e));
	/* Whatever was locked by mistake is released by the close. */
	munmap(mem, SG_SIZE);
}

int main(int argc, char **argv)
{
	const uint32_t before = 0x32323232u, v = 0x5a5a0032u;
	const CRONO_KERNEL_CMD cmd = { .addr = EDU_REG_LIVENESS, .data = v };
	CRONO_KERNEL_CMDS_INFO cinfo = { .cmds = uaddr(&cmd),
					 .ucmds = uaddr(&cmd),
					 .count = 1 };
	char arg[256] = { 0 }; /* valid memory: only the number matters */
	int fd, e;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 3) {
		printf("not ok - arguments: usage: %s NODE DDDD:BB:SS.F\n",
		       argv[0]);
		return 2;
	}
	printf("# crono_compat32: %u-bit process, node %s, PCI %s\n",
	       (unsigned)(8 * sizeof(void *)), argv[1], argv[2]);
	if (!check(__builtin_cpu_supports("sse2"), "CPU has SSE2",
		   "needed for 8-byte MMIO accesses from 32-bit code"))
		return 1;
	if (!map_bar(argv[2]))
		return 1;
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (!check(fd >= 0, "open the node", "open %s: %s", argv[1],
		   errname(errno)))
		return 1;

	sg_buffer(fd);
	contig_buffer(fd);

	/* One cleanup write, replayed when the file is released. */
	w32(EDU_REG_LIVENESS, before);
	e = xioctl(fd, IOCTL_CRONO_CLEANUP_SETUP, &cinfo);
	check(e == 0 && r32(EDU_REG_LIVENESS) == ~before,
	      "CLEANUP_SETUP with one write",
	      "%s, liveness register 0x%08x, expected 0x%08x (unchanged "
	      "until close)",
	      errname(e), r32(EDU_REG_LIVENESS), ~before);

	e = xioctl(fd, 0xC0086399ul, arg);
	check(e == ENOTTY, "unknown request 0xC0086399: ENOTTY", "got %s",
	      errname(e));

	lock_above_4g(fd);

	check(close(fd) == 0 && r32(EDU_REG_LIVENESS) == ~v,
	      "the cleanup write ran on close",
	      "liveness register 0x%08x, expected 0x%08x",
	      r32(EDU_REG_LIVENESS), ~v);

	printf("# crono_compat32: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
