// SPDX-License-Identifier: GPL-2.0
/*
 * crono_ioctl: the driver through its core's C entry points, as the glue's
 * file_operations call them, on boards made from the machine's edu devices.
 *
 * Each test runs in a kernel thread that KUnit gives a user address space
 * (kunit_vm_mmap), so the ioctl arguments, the buffers and the page tables
 * are real user memory: real copy_{from,to}_user, real long-term pins with
 * RLIMIT_MEMLOCK accounting, real DMA mappings through the IOMMU. What a
 * test checks afterwards is the kernel's own state: the pin count of every
 * user page, mm->pinned_vm, the IOMMU's page table (an unmapped IOVA
 * translates to nothing), the board's statistics, the edu registers the
 * cleanup program writes. DMA-API debug reports any mapping left behind
 * when the suite unbinds the devices. Each open file is a real struct file
 * whose mmap and release call the core as the glue's file_operations do, so
 * contiguous buffers are mmapped for real.
 */
#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/shmem_fs.h>
#include <linux/uaccess.h>

#include "kt_pci.h"

#define KT_DEV_PAGE 4096ull
#define KT_POISON 0xa5a5a5a5a5a5a5a5ull

/* ---- fixtures --------------------------------------------------------- */

struct kt_board {
	struct crono_pci *pci; /* the glue's reference */
	struct crono_board *board;
	struct crono_kt_edu *edu;
	struct device *dev;
	bool removed;
};

static void kt_board_release(void *data)
{
	struct kt_board *b = data;

	if (!b->removed)
		crono_board_remove(b->board);
	crono_board_put(b->board);
	crono_kpci_put(b->pci);
}

/* A board on edu device idx, as the glue's probe makes one. */
static struct kt_board *kt_board(struct kunit *test, int idx)
{
	struct crono_kt_edu *edu = crono_kt_edu(test, idx);
	struct kt_board *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	struct crono_pci *pci;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, b);
	pci = crono_pci_alloc(edu->pdev);
	KUNIT_ASSERT_NOT_NULL(test, pci);
	pci->bar0 = edu->bar0;
	pci->bar0_len = edu->bar0_len;
	ret = crono_board_create(pci, &pci->board, pci->name,
				 sizeof(pci->name));
	if (ret) {
		crono_kpci_put(pci);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}
	b->pci = pci;
	b->board = pci->board;
	b->edu = edu;
	b->dev = &edu->pdev->dev;
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_board_release, b));
	return b;
}

static void kt_board_remove(struct kt_board *b)
{
	crono_board_remove(b->board);
	b->removed = true;
}

static struct crono_board_stats kt_stats(struct kt_board *b)
{
	struct crono_board_stats stats;

	crono_board_stats(b->board, &stats);
	return stats;
}

static void kt_expect_idle(struct kunit *test, struct kt_board *b)
{
	struct crono_board_stats stats = kt_stats(b);

	KUNIT_EXPECT_EQ(test, stats.locked_buffers, 0ull);
	KUNIT_EXPECT_EQ(test, stats.pinned_bytes, 0ull);
	KUNIT_EXPECT_EQ(test, stats.coherent_bytes, 0ull);
	KUNIT_EXPECT_EQ(test, stats.bookkeeping_bytes, 0ull);
}

/* An open file: an anonymous-inode struct file whose mmap and release call
 * the core as module.c's file_operations do. */
static int kt_fop_mmap(struct file *file, struct vm_area_struct *vma)
{
	return crono_file_mmap(file->private_data, (struct crono_vma *)vma);
}

static int kt_fop_release(struct inode *inode, struct file *file)
{
	if (file->private_data)
		crono_file_release(file->private_data);
	return 0;
}

static const struct file_operations kt_fops = {
	.owner = THIS_MODULE,
	.mmap = kt_fop_mmap,
	.release = kt_fop_release,
};

struct kt_file {
	struct file *file;
	struct crono_open_file *open;
	bool closed;
};

static void kt_file_put(void *data)
{
	struct kt_file *f = data;

	if (!f->closed)
		__fput_sync(f->file);
}

static int kt_open_try(struct kunit *test, struct kt_board *b,
		       struct kt_file **out)
{
	struct kt_file *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->file = anon_inode_getfile("crono_kt", &kt_fops, NULL, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, f->file);
	ret = crono_file_open(b->board, (struct crono_kfile *)f->file,
			      &f->open);
	if (ret) {
		__fput_sync(f->file);
		return ret;
	}
	f->file->private_data = f->open;
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_file_put, f));
	*out = f;
	return 0;
}

static struct kt_file *kt_open(struct kunit *test, struct kt_board *b)
{
	struct kt_file *f = NULL;

	KUNIT_ASSERT_EQ(test, kt_open_try(test, b, &f), 0);
	return f;
}

/* Drops the test's reference; the core's release runs once no mapping
 * holds the file any more. */
static void kt_close(struct kt_file *f)
{
	__fput_sync(f->file);
	f->closed = true;
}

/* mmap of the buffer with this id, as the vendor library does it. */
static long kt_mmap(struct kt_file *f, s32 id, unsigned long len,
		    unsigned long flags)
{
	return (long)vm_mmap(f->file, 0, len, PROT_READ | PROT_WRITE, flags,
			     (unsigned long)id * PAGE_SIZE);
}

/* Maps len bytes of buffer id, shared; expects success. */
static long kt_mmap_ok(struct kunit *test, struct kt_file *f, s32 id,
		       unsigned long len)
{
	long va = kt_mmap(f, id, len, MAP_SHARED);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(va), "mmap: %ld", va);
	return va;
}

/* ---- user memory ------------------------------------------------------ */

static unsigned long kt_umap_at(struct kunit *test, struct file *file,
				unsigned long addr, unsigned long len,
				unsigned long prot, unsigned long flags)
{
	unsigned long uaddr =
		kunit_vm_mmap(test, file, addr, len, prot, flags, 0);

	KUNIT_ASSERT_TRUE_MSG(test, uaddr && !IS_ERR_VALUE(uaddr),
			      "vm_mmap of %lu bytes: %ld", len, (long)uaddr);
	return uaddr;
}

static unsigned long kt_umap(struct kunit *test, unsigned long len,
			     unsigned long prot)
{
	return kt_umap_at(test, NULL, 0, len, prot,
			  MAP_ANONYMOUS | MAP_PRIVATE);
}

static void kt_put_user(struct kunit *test, unsigned long uaddr,
			const void *src, size_t len)
{
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)uaddr, src, len), 0);
}

static void kt_get_user(struct kunit *test, void *dst, unsigned long uaddr,
			size_t len)
{
	KUNIT_ASSERT_EQ(test, copy_from_user(dst, (void __user *)uaddr, len),
			0);
}

/* The page mapped at a user address, with a reference, or NULL. */
static struct page *kt_user_page(unsigned long uaddr)
{
	struct page *page;

	if (get_user_pages_fast(uaddr & PAGE_MASK, 1, 0, &page) != 1)
		return NULL;
	return page;
}

/* How many of the npages pages from uaddr are pinned for DMA. */
static unsigned long kt_pinned(unsigned long uaddr, unsigned long npages)
{
	unsigned long i, pinned = 0;

	for (i = 0; i < npages; i++) {
		struct page *page = kt_user_page(uaddr + i * PAGE_SIZE);

		if (!page)
			continue;
		pinned += folio_maybe_dma_pinned(page_folio(page));
		put_page(page);
	}
	return pinned;
}

static unsigned long kt_pinned_vm(void)
{
	return atomic64_read(&current->mm->pinned_vm);
}

/* A user buffer with its page-table array (one poisoned guard entry). */
struct kt_ubuf {
	unsigned long addr;
	u64 size;
	unsigned long npages;
	unsigned long table;
	u64 entries;
};

static struct kt_ubuf kt_ubuf(struct kunit *test, u64 size)
{
	struct kt_ubuf buf = { .size = size };
	u64 guard = KT_POISON;

	buf.npages = DIV_ROUND_UP(size, PAGE_SIZE);
	buf.entries = DIV_ROUND_UP(size, KT_DEV_PAGE);
	buf.addr =
		kt_umap(test, buf.npages * PAGE_SIZE, PROT_READ | PROT_WRITE);
	buf.table = kt_umap(test, (buf.entries + 1) * sizeof(u64),
			    PROT_READ | PROT_WRITE);
	kt_put_user(test, buf.table + buf.entries * sizeof(u64), &guard,
		    sizeof(guard));
	return buf;
}

static CRONO_SG_BUFFER_INFO kt_sg_info(const struct kt_ubuf *buf)
{
	CRONO_SG_BUFFER_INFO info = {
		.addr = buf->addr,
		.size = buf->size,
		.pages = 0x5555,
		.upages = buf->table,
		.pages_count = buf->entries,
		.id = -1,
	};
	return info;
}

/* ---- ioctls ----------------------------------------------------------- */

/* The user page for ioctl arguments that kt_ioctl_init maps. */
static unsigned long kt_args(struct kunit *test)
{
	return (unsigned long)test->priv;
}

static long kt_ioctl(struct kt_file *f, u32 request, unsigned long arg)
{
	return crono_file_ioctl(f->open, request, arg);
}

/* Sends *info from user memory; reads back what the driver left there. */
static long kt_ioctl_struct(struct kunit *test, struct kt_file *f, u32 request,
			    void *info, size_t len)
{
	unsigned long uarg = kt_args(test);
	long ret;

	kt_put_user(test, uarg, info, len);
	ret = kt_ioctl(f, request, uarg);
	kt_get_user(test, info, uarg, len);
	return ret;
}

static long kt_lock_sg(struct kunit *test, struct kt_file *f,
		       CRONO_SG_BUFFER_INFO *info)
{
	return kt_ioctl_struct(test, f, IOCTL_CRONO_LOCK_BUFFER, info,
			       sizeof(*info));
}

static long kt_lock_contig(struct kunit *test, struct kt_file *f,
			   CRONO_CONTIG_BUFFER_INFO *info)
{
	return kt_ioctl_struct(test, f, IOCTL_CRONO_LOCK_CONTIG_BUFFER, info,
			       sizeof(*info));
}

static long kt_unlock_sg(struct kunit *test, struct kt_file *f, s32 id)
{
	return kt_ioctl_struct(test, f, IOCTL_CRONO_UNLOCK_BUFFER, &id,
			       sizeof(id));
}

static long kt_unlock_contig(struct kunit *test, struct kt_file *f, s32 id)
{
	return kt_ioctl_struct(test, f, IOCTL_CRONO_UNLOCK_CONTIG_BUFFER, &id,
			       sizeof(id));
}

/* Locks a contiguous buffer of size bytes and expects success. */
static CRONO_CONTIG_BUFFER_INFO kt_contig_ok(struct kunit *test,
					     struct kt_file *f, u64 size)
{
	CRONO_CONTIG_BUFFER_INFO info = { .size = size, .id = -1 };

	KUNIT_ASSERT_EQ(test, kt_lock_contig(test, f, &info), 0);
	return info;
}

/* Locks buf and expects success; returns the id. */
static s32 kt_lock_ok(struct kunit *test, struct kt_file *f,
		      const struct kt_ubuf *buf)
{
	CRONO_SG_BUFFER_INFO info = kt_sg_info(buf);

	KUNIT_ASSERT_EQ(test, kt_lock_sg(test, f, &info), 0);
	return info.id;
}

static long kt_cleanup_setup(struct kunit *test, struct kt_file *f,
			     const CRONO_KERNEL_CMD *cmds, u32 count)
{
	unsigned long ucmds = kt_args(test) + PAGE_SIZE / 2;
	CRONO_KERNEL_CMDS_INFO info = {
		.cmds = 0x1234,
		.ucmds = ucmds,
		.count = count,
	};

	if (count && count <= 32)
		kt_put_user(test, ucmds, cmds, count * sizeof(*cmds));
	return kt_ioctl_struct(test, f, IOCTL_CRONO_CLEANUP_SETUP, &info,
			       sizeof(info));
}

/* ---- checks ----------------------------------------------------------- */

/* Reads the user's page table and checks that entry i reaches the page
 * mapped at byte 4096 i of the buffer, through the IOMMU. */
static void kt_expect_table(struct kunit *test, struct kt_board *b,
			    const struct kt_ubuf *buf, u64 *first_entry)
{
	u64 *table = kvmalloc_array(buf->entries + 1, sizeof(u64), GFP_KERNEL);
	u64 i;

	KUNIT_ASSERT_NOT_NULL(test, table);
	if (copy_from_user(table, (void __user *)buf->table,
			   (buf->entries + 1) * sizeof(u64))) {
		kvfree(table);
		KUNIT_FAIL_AND_ABORT(test, "cannot read the page table back");
	}
	KUNIT_EXPECT_EQ(test, table[buf->entries], KT_POISON);
	for (i = 0; i < buf->entries; i++) {
		unsigned long uaddr = buf->addr + i * KT_DEV_PAGE;
		struct page *page = kt_user_page(uaddr);
		phys_addr_t phys, reached;

		if (!page) {
			KUNIT_FAIL(test, "no page at %#lx", uaddr);
			break;
		}
		phys = page_to_phys(page) + (uaddr & ~PAGE_MASK);
		put_page(page);
		reached = crono_kt_dma_to_phys(b->dev, table[i]);
		if (reached != phys) {
			KUNIT_FAIL(test,
				   "entry %llu: %#llx reaches %pa, the page is "
				   "at %pa",
				   i, table[i], &reached, &phys);
			break;
		}
	}
	if (first_entry)
		*first_entry = table[0];
	kvfree(table);
}

/* After an unmap, the IOVA translates to nothing (the IOMMU page table is
 * cleared at once; only the IOTLB flush is deferred). */
static void kt_expect_unmapped(struct kunit *test, struct kt_board *b, u64 iova)
{
	if (crono_kt_iommu_translates(b->dev))
		KUNIT_EXPECT_EQ_MSG(test, crono_kt_dma_to_phys(b->dev, iova),
				    (phys_addr_t)0, "IOVA %#llx still mapped",
				    iova);
}

/* Reading the user address faults. */
static void kt_expect_fault(struct kunit *test, unsigned long uaddr,
			    const char *what)
{
	u32 seen;

	KUNIT_EXPECT_NE_MSG(
		test, copy_from_user(&seen, (void __user *)uaddr, sizeof(seen)),
		0ul, "%s", what);
}

static void kt_expect_nothing_held(struct kunit *test, struct kt_board *b,
				   const struct kt_ubuf *buf,
				   unsigned long pinned_vm)
{
	KUNIT_EXPECT_EQ(test, kt_pinned(buf->addr, buf->npages), 0ul);
	KUNIT_EXPECT_EQ(test, kt_pinned_vm(), pinned_vm);
	kt_expect_idle(test, b);
}

/* ---- tests: S/G buffers ----------------------------------------------- */

static const u64 kt_sg_sizes[] = {
	KT_DEV_PAGE,		/* one page */
	3 * KT_DEV_PAGE + 1,	/* a partial last page */
	513 * KT_DEV_PAGE,	/* past one 512-entry staging copy */
	4097 * KT_DEV_PAGE - 7, /* past several 512-page pin batches */
};

static void kt_sg_size_desc(const u64 *size, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%llu_bytes", *size);
}

KUNIT_ARRAY_PARAM(kt_sg_sizes, kt_sg_sizes, kt_sg_size_desc);

static void kt_lock_sg_page_table(struct kunit *test)
{
	const u64 size = *(const u64 *)test->param_value;
	struct kt_board *b = kt_board(test, 0);
	struct kt_file *f = kt_open(test, b);
	struct kt_ubuf buf = kt_ubuf(test, size);
	unsigned long pinned_vm = kt_pinned_vm();
	CRONO_SG_BUFFER_INFO info = kt_sg_info(&buf);
	struct crono_board_stats stats;
	u64 first;

	KUNIT_ASSERT_EQ(test, kt_lock_sg(test, f, &info), 0);
	KUNIT_EXPECT_EQ(test, info.id, 0);
	/* Only the id is written back. */
	KUNIT_EXPECT_EQ(test, info.addr, (u64)buf.addr);
	KUNIT_EXPECT_EQ(test, info.pages, 0x5555ull);
	kt_expect_table(test, b, &buf, &first);
	KUNIT_EXPECT_EQ(test, kt_pinned(buf.addr, buf.npages), buf.npages);
	KUNIT_EXPECT_EQ(test, kt_pinned_vm(), pinned_vm + buf.npages);
	stats = kt_stats(b);
	KUNIT_EXPECT_EQ(test, stats.locked_buffers, 1ull);
	KUNIT_EXPECT_EQ(test, stats.pinned_bytes, (u64)buf.npages * PAGE_SIZE);
	/* The object, the charge and the table: more than nothing, less
	 * than a table of one segment per page could take. */
	KUNIT_EXPECT_GT(test, stats.bookkeeping_bytes, 0ull);
	KUNIT_EXPECT_LE(test, stats.bookkeeping_bytes,
			(u64)(buf.npages / (SG_MAX_SINGLE_ALLOC - 1) + 2) *
				PAGE_SIZE);

	KUNIT_EXPECT_EQ(test, kt_unlock_sg(test, f, info.id), 0);
	kt_expect_nothing_held(test, b, &buf, pinned_vm);
	kt_expect_unmapped(test, b, first);
}

/* Locks info (or the struct at info_uaddr) and expects `error` with nothing
 * left behind. */
static void kt_expect_lock_fails(struct kunit *test, struct kt_board *b,
				 struct kt_file *f, unsigned long info_uaddr,
				 const CRONO_SG_BUFFER_INFO *info,
				 const struct kt_ubuf *buf, long error,
				 const char *what)
{
	unsigned long pinned_vm = kt_pinned_vm();
	CRONO_SG_BUFFER_INFO copy = *info;
	long ret;

	if (info_uaddr) {
		ret = kt_ioctl(f, IOCTL_CRONO_LOCK_BUFFER, info_uaddr);
	} else {
		ret = kt_lock_sg(test, f, &copy);
		/* Nothing is written back on failure. */
		KUNIT_EXPECT_MEMEQ_MSG(test, &copy, info, sizeof(copy), "%s",
				       what);
	}
	KUNIT_EXPECT_EQ_MSG(test, ret, error, "%s", what);
	kt_expect_nothing_held(test, b, buf, pinned_vm);
}

/* A user buffer of npages with its own mapping, sharing buf's table. */
static struct kt_ubuf kt_ubuf_mapped(struct kunit *test,
				     const struct kt_ubuf *buf,
				     unsigned long npages, unsigned long prot)
{
	struct kt_ubuf sub = *buf;

	sub.npages = npages;
	sub.size = npages * PAGE_SIZE;
	sub.entries = npages;
	sub.addr = kt_umap(test, sub.size, prot);
	return sub;
}

static void kt_lock_sg_error_paths(struct kunit *test)
{
	struct kt_board *b = kt_board(test, 0);
	struct kt_file *f = kt_open(test, b);
	struct kt_ubuf buf = kt_ubuf(test, 600 * KT_DEV_PAGE);
	CRONO_SG_BUFFER_INFO info = kt_sg_info(&buf);
	struct kt_ubuf ro, holed;
	unsigned long window, alias_rw, alias_ro;
	struct file *shm;
	u64 first;
	s32 id;

	/* Validation fails: one representative; the permutations are the
	 * host's. */
	info.pages_count--;
	kt_expect_lock_fails(test, b, f, 0, &info, &buf, -EINVAL,
			     "one entry too few");
	/* Over the driver's size limit: ENOMEM before anything is pinned. */
	info.size = (1ull << 40) + KT_DEV_PAGE;
	info.pages_count = (1u << 28) + 1;
	kt_expect_lock_fails(test, b, f, 0, &info, &buf, -ENOMEM,
			     "over the size limit");
	/* The argument is a kernel address. */
	info = kt_sg_info(&buf);
	kt_expect_lock_fails(test, b, f, (unsigned long)&info, &info, &buf,
			     -EFAULT, "kernel argument");

	/* Pinning fails: the buffer is read-only (pins are for writing). */
	ro = kt_ubuf_mapped(test, &buf, 4, PROT_READ);
	info = kt_sg_info(&ro);
	kt_expect_lock_fails(test, b, f, 0, &info, &ro, -EFAULT,
			     "read-only buffer");

	/* Pinning fails part way: the second half is not mapped. */
	holed = kt_ubuf_mapped(test, &buf, 8, PROT_READ | PROT_WRITE);
	KUNIT_ASSERT_EQ(
		test, vm_munmap(holed.addr + 4 * PAGE_SIZE, 4 * PAGE_SIZE), 0);
	info = kt_sg_info(&holed);
	kt_expect_lock_fails(test, b, f, 0, &info, &holed, -EFAULT,
			     "buffer with a hole");

	/* Writing the page table fails: read-only, NULL, a kernel address. */
	info = kt_sg_info(&buf);
	info.upages = kt_umap(test, buf.entries * sizeof(u64), PROT_READ);
	kt_expect_lock_fails(test, b, f, 0, &info, &buf, -EFAULT,
			     "read-only page table");
	info.upages = 0;
	kt_expect_lock_fails(test, b, f, 0, &info, &buf, -EFAULT,
			     "NULL page table");
	info.upages = (unsigned long)kt_args; /* kernel text */
	kt_expect_lock_fails(test, b, f, 0, &info, &buf, -EFAULT,
			     "kernel page table");

	/* Writing the page table fails after the first 512 entries: its
	 * second page is read-only. The entries written say which IOVA the
	 * buffer had; it must be unmapped again. */
	window = kt_umap(test, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE);
	kt_umap_at(test, NULL, window + PAGE_SIZE, PAGE_SIZE, PROT_READ,
		   MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED);
	info = kt_sg_info(&buf);
	info.upages = window;
	kt_expect_lock_fails(test, b, f, 0, &info, &buf, -EFAULT,
			     "page table read-only after 512 entries");
	kt_get_user(test, &first, window, sizeof(first));
	kt_expect_unmapped(test, b, first);

	/* Writing the id back fails: the argument is readable, not
	 * writable (a read-only alias of shared memory). */
	shm = shmem_file_setup("crono_kt_args", PAGE_SIZE, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shm);
	alias_rw = kt_umap_at(test, shm, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_SHARED);
	alias_ro = kt_umap_at(test, shm, 0, PAGE_SIZE, PROT_READ, MAP_SHARED);
	fput(shm);
	info = kt_sg_info(&buf);
	kt_put_user(test, alias_rw, &info, sizeof(info));
	kt_expect_lock_fails(test, b, f, alias_ro, &info, &buf, -EFAULT,
			     "read-only argument");
	kt_get_user(test, &first, buf.table, sizeof(first));
	kt_expect_unmapped(test, b, first);

	/* No id was used up on the way. */
	id = kt_lock_ok(test, f, &buf);
	KUNIT_EXPECT_EQ(test, id, 0);
	kt_expect_table(test, b, &buf, NULL);
	KUNIT_EXPECT_EQ(test, kt_unlock_sg(test, f, id), 0);
	kt_expect_idle(test, b);
}

/* ---- tests: contiguous buffers ---------------------------------------- */

static void kt_contig_buffers(struct kunit *test)
{
	struct kt_board *b = kt_board(test, 0);
	struct kt_file *f = kt_open(test, b);
	CRONO_CONTIG_BUFFER_INFO one = {
		.size = 1,
		.addr = 0xdead,
		.pUserAddr = 0x7777000,
		.id = -1,
	};
	CRONO_CONTIG_BUFFER_INFO four;
	CRONO_CONTIG_BUFFER_INFO bad = { .size = 0, .id = -1 };

	KUNIT_ASSERT_EQ(test, kt_lock_contig(test, f, &one), 0);
	KUNIT_EXPECT_EQ(test, one.id, 0);
	KUNIT_EXPECT_EQ(test, one.addr, 0ull); /* no kernel address */
	KUNIT_EXPECT_EQ(test, one.pUserAddr, 0x7777000ull);
	KUNIT_EXPECT_NE(test, one.dma_handle, 0ull);
	KUNIT_EXPECT_EQ(test, one.dma_handle & (PAGE_SIZE - 1), 0ull);
	four = kt_contig_ok(test, f, 3 * PAGE_SIZE + 1);
	KUNIT_EXPECT_EQ(test, four.id, 1);
	if (crono_kt_iommu_translates(b->dev)) {
		KUNIT_EXPECT_NE(test,
				crono_kt_dma_to_phys(b->dev, one.dma_handle),
				(phys_addr_t)0);
		KUNIT_EXPECT_NE(
			test,
			crono_kt_dma_to_phys(b->dev,
					     four.dma_handle + 3 * PAGE_SIZE),
			(phys_addr_t)0);
	}
	KUNIT_EXPECT_EQ(test, kt_stats(b).coherent_bytes, 5 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kt_stats(b).locked_buffers, 2ull);

	/* A refused lock writes nothing back; the permutations are the
	 * host's. */
	KUNIT_EXPECT_EQ(test, kt_lock_contig(test, f, &bad), -EINVAL);
	KUNIT_EXPECT_EQ(test, bad.id, -1);

	KUNIT_EXPECT_EQ(test, kt_unlock_contig(test, f, one.id), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(b).coherent_bytes, 4 * PAGE_SIZE);
	kt_expect_unmapped(test, b, one.dma_handle);
	KUNIT_EXPECT_EQ(test, kt_unlock_contig(test, f, four.id), 0);
	kt_expect_unmapped(test, b, four.dma_handle);
	kt_expect_idle(test, b);
}

static void kt_contig_mmap_and_unlock(struct kunit *test)
{
	struct kt_board *b = kt_board(test, 0);
	struct kt_file *f = kt_open(test, b);
	CRONO_CONTIG_BUFFER_INFO info = kt_contig_ok(test, f, 2 * PAGE_SIZE);
	CRONO_CONTIG_BUFFER_INFO again;
	u8 *pattern = kunit_kmalloc(test, 2048, GFP_KERNEL);
	u8 *seen = kunit_kzalloc(test, 2048, GFP_KERNEL);
	long va;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, pattern);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	KUNIT_ASSERT_EQ(test, info.id, 0);

	/* What mmap refuses, read from a real vma: longer than the buffer,
	 * private. */
	KUNIT_EXPECT_EQ(test, kt_mmap(f, 0, 3 * PAGE_SIZE, MAP_SHARED),
			(long)-EINVAL);
	KUNIT_EXPECT_EQ(test, kt_mmap(f, 0, PAGE_SIZE, MAP_PRIVATE),
			(long)-EINVAL);
	va = kt_mmap_ok(test, f, 0, 2 * PAGE_SIZE);

	/* User space and the device see the same memory: the device copies
	 * what user space wrote to page 0 over to page 1, by dma_handle. */
	for (i = 0; i < 2048; i++)
		pattern[i] = (u8)(i * 13 + 5);
	kt_put_user(test, va, pattern, 2048);
	crono_kt_edu_copy(test, b->edu, info.dma_handle,
			  info.dma_handle + PAGE_SIZE, 2048);
	kt_get_user(test, seen, va + PAGE_SIZE, 2048);
	KUNIT_EXPECT_MEMEQ(test, seen, pattern, 2048);

	/* Unlocked while mapped (the vendor library unlocks before munmap):
	 * the id is free at once, the memory stays until the munmap. */
	KUNIT_EXPECT_EQ(test, kt_unlock_contig(test, f, 0), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(b).locked_buffers, 0ull);
	KUNIT_EXPECT_EQ(test, kt_stats(b).coherent_bytes, 2 * PAGE_SIZE);
	memset(seen, 0, 2048);
	kt_get_user(test, seen, va, 2048);
	KUNIT_EXPECT_MEMEQ(test, seen, pattern, 2048);
	again = kt_contig_ok(test, f, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, again.id, 0);

	KUNIT_EXPECT_EQ(test, vm_munmap(va, 2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(b).coherent_bytes, PAGE_SIZE);
	kt_expect_unmapped(test, b, info.dma_handle);
	kt_close(f);
	kt_expect_idle(test, b);
	kt_expect_unmapped(test, b, again.dma_handle);
}

static void kt_contig_mmap_outlives_file(struct kunit *test)
{
	struct kt_board *b = kt_board(test, 0);
	struct kt_file *f = kt_open(test, b);
	CRONO_CONTIG_BUFFER_INFO info = kt_contig_ok(test, f, PAGE_SIZE);
	long va = kt_mmap_ok(test, f, info.id, PAGE_SIZE);
	const u32 word = 0x600df00d;
	u32 seen = 0;

	kt_put_user(test, va, &word, sizeof(word));

	/* close() before munmap: the mapping holds the file, so the core's
	 * release comes with the munmap. */
	kt_close(f);
	kt_get_user(test, &seen, va, sizeof(seen));
	KUNIT_EXPECT_EQ(test, seen, word);
	KUNIT_EXPECT_EQ(test, kt_stats(b).coherent_bytes, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, vm_munmap(va, PAGE_SIZE), 0);
	/* The vma's was the last reference: a kernel thread's last fput is
	 * deferred to a workqueue (a process runs it on its way out). */
	flush_delayed_fput();
	kt_expect_idle(test, b);
	kt_expect_unmapped(test, b, info.dma_handle);
	/* The board is free for the next open. */
	f = kt_open(test, b);
	kt_close(f);
}

/* Unbinding zaps the mappings and frees the memory at once; the vmas stay,
 * without pages, until user space unmaps them. A mapping the removal could
 * not zap because it was never touched has no page to keep: mmap maps
 * nothing, and the fault handler refuses every touch after the removal. */
static void kt_contig_mappings_fault_after_removal(struct kunit *test)
{
	struct kt_board *b = kt_board(test, 0);
	struct kt_file *f = kt_open(test, b);
	CRONO_CONTIG_BUFFER_INFO info = kt_contig_ok(test, f, 3 * PAGE_SIZE);
	long touched = kt_mmap_ok(test, f, info.id, 3 * PAGE_SIZE);
	long untouched = kt_mmap_ok(test, f, info.id, 2 * PAGE_SIZE);
	const u32 word = 0x12345678;

	kt_put_user(test, touched, &word, sizeof(word));
	kt_board_remove(b);
	KUNIT_EXPECT_EQ(test, kt_stats(b).coherent_bytes, 0ull);
	kt_expect_unmapped(test, b, info.dma_handle);
	kt_expect_fault(test, touched,
			"the mapping still reaches the freed buffer");
	kt_expect_fault(test, untouched,
			"an untouched mapping reached the freed buffer");
	kt_expect_fault(test, untouched + PAGE_SIZE,
			"an untouched mapping reached the freed buffer");
	KUNIT_EXPECT_EQ(test, kt_mmap(f, info.id, PAGE_SIZE, MAP_SHARED),
			(long)-ENODEV);
	KUNIT_EXPECT_EQ(test, vm_munmap(touched, 3 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, vm_munmap(untouched, 2 * PAGE_SIZE), 0);
	kt_close(f);
	kt_expect_idle(test, b);
}

/* ---- tests: cleanup programs ------------------------------------------ */

static u32 kt_liveness(struct kt_board *b)
{
	return ioread32(b->edu->bar0 + EDU_REG_LIVENESS);
}

/* The program's writes reach the real device when the file is released,
 * and only then; replacing and refusing programs are the host's. */
static void kt_cleanup_runs_on_release(struct kunit *test)
{
	struct kt_board *b = kt_board(test, 0);
	struct kt_file *f = kt_open(test, b);
	struct kt_ubuf buf = kt_ubuf(test, 4 * KT_DEV_PAGE);
	unsigned long pinned_vm = kt_pinned_vm();
	const CRONO_KERNEL_CMD program[] = {
		{ .addr = 0x20, .data = 0 }, /* status: no interrupt */
		{ .addr = EDU_REG_LIVENESS, .data = 0xa5a5a5a5 },
	};

	iowrite32(0x11111111, b->edu->bar0 + EDU_REG_LIVENESS);
	KUNIT_ASSERT_EQ(test, kt_liveness(b), 0xeeeeeeeeu);
	KUNIT_EXPECT_EQ(test, kt_cleanup_setup(test, f, program, 2), 0);
	KUNIT_EXPECT_EQ(test, kt_liveness(b), 0xeeeeeeeeu);

	/* Closing the file runs it, and releases the buffers. */
	kt_lock_ok(test, f, &buf);
	kt_close(f);
	KUNIT_EXPECT_EQ(test, kt_liveness(b), ~0xa5a5a5a5u);
	kt_expect_nothing_held(test, b, &buf, pinned_vm);

	/* The next file starts without a program. */
	iowrite32(0x22222222, b->edu->bar0 + EDU_REG_LIVENESS);
	f = kt_open(test, b);
	kt_close(f);
	KUNIT_EXPECT_EQ(test, kt_liveness(b), ~0x22222222u);
}

/* ---- tests: files and boards ------------------------------------------ */

static void kt_files_own_their_buffers(struct kunit *test)
{
	struct kt_board *a = kt_board(test, 0);
	struct kt_board *b = kt_board(test, 1);
	struct kt_file *fa = kt_open(test, a);
	struct kt_file *fb = kt_open(test, b);
	struct kt_ubuf abuf = kt_ubuf(test, 5 * KT_DEV_PAGE);
	struct kt_ubuf bbuf = kt_ubuf(test, 3 * KT_DEV_PAGE);
	CRONO_CONTIG_BUFFER_INFO contig;
	const CRONO_KERNEL_CMD stop_b[] = {
		{ .addr = EDU_REG_LIVENESS, .data = 0xb },
	};
	struct crono_board_stats before;

	KUNIT_ASSERT_EQ(test, kt_lock_ok(test, fa, &abuf), 0);
	contig = kt_contig_ok(test, fa, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, contig.id, 1);
	before = kt_stats(a);
	KUNIT_EXPECT_EQ(test, kt_lock_ok(test, fb, &bbuf), 0);
	KUNIT_EXPECT_EQ(test, kt_cleanup_setup(test, fb, stop_b, 1), 0);

	/* Closing B touches nothing of A's. */
	iowrite32(0, a->edu->bar0 + EDU_REG_LIVENESS);
	kt_close(fb);
	KUNIT_EXPECT_EQ(test, kt_pinned(bbuf.addr, bbuf.npages), 0ul);
	kt_expect_idle(test, b);
	KUNIT_EXPECT_EQ(test, kt_pinned(abuf.addr, abuf.npages), abuf.npages);
	KUNIT_EXPECT_EQ(test, kt_stats(a).locked_buffers,
			before.locked_buffers);
	KUNIT_EXPECT_EQ(test, kt_stats(a).pinned_bytes, before.pinned_bytes);
	KUNIT_EXPECT_EQ(test, kt_stats(a).coherent_bytes,
			before.coherent_bytes);
	KUNIT_EXPECT_EQ(test, kt_liveness(a), 0xffffffffu);
	kt_expect_table(test, a, &abuf, NULL);

	/* A's buffers are still A's to unlock. */
	KUNIT_EXPECT_EQ(test, kt_unlock_sg(test, fa, 0), 0);
	KUNIT_EXPECT_EQ(test, kt_unlock_contig(test, fa, 1), 0);
	kt_expect_idle(test, a);
}

static void kt_remove_while_open(struct kunit *test)
{
	struct kt_board *b = kt_board(test, 0);
	struct kt_file *f = kt_open(test, b), *other;
	struct kt_ubuf buf = kt_ubuf(test, 9 * KT_DEV_PAGE);
	unsigned long pinned_vm = kt_pinned_vm();
	CRONO_CONTIG_BUFFER_INFO contig;
	const CRONO_KERNEL_CMD stop[] = {
		{ .addr = EDU_REG_LIVENESS, .data = 0x5a5a0000 },
	};
	u64 first;

	KUNIT_ASSERT_EQ(test, kt_lock_ok(test, f, &buf), 0);
	kt_expect_table(test, b, &buf, &first);
	contig = kt_contig_ok(test, f, 2 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, kt_cleanup_setup(test, f, stop, 1), 0);
	iowrite32(0, b->edu->bar0 + EDU_REG_LIVENESS);

	/* Unbinding stops the board and releases every buffer at once,
	 * while the file stays open. */
	kt_board_remove(b);
	KUNIT_EXPECT_EQ(test, kt_liveness(b), ~0x5a5a0000u);
	kt_expect_nothing_held(test, b, &buf, pinned_vm);
	kt_expect_unmapped(test, b, first);
	kt_expect_unmapped(test, b, contig.dma_handle);

	/* Everything after that fails cleanly. */
	KUNIT_EXPECT_EQ(test, kt_unlock_sg(test, f, 0), -ENODEV);
	KUNIT_EXPECT_EQ(test, kt_lock_contig(test, f, &contig), -ENODEV);
	KUNIT_EXPECT_EQ(test, kt_open_try(test, b, &other), -ENODEV);
	kt_close(f);
	kt_expect_idle(test, b);
}

static int kt_ioctl_init(struct kunit *test)
{
	/* Also gives this test's kernel thread a user address space. */
	unsigned long args =
		kunit_vm_mmap(test, NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_ANONYMOUS | MAP_PRIVATE, 0);

	if (!args || IS_ERR_VALUE(args))
		return -ENOMEM;
	test->priv = (void *)args;
	return 0;
}

static int kt_ioctl_suite_init(struct kunit_suite *suite)
{
	int ret = crono_kt_edu_bind(suite);

	if (ret)
		return ret;
	ret = crono_core_init();
	if (ret)
		crono_kt_edu_unbind(suite);
	return ret;
}

static void kt_ioctl_suite_exit(struct kunit_suite *suite)
{
	crono_core_exit();
	crono_kt_edu_unbind(suite);
}

static struct kunit_case crono_ioctl_cases[] = {
	KUNIT_CASE_PARAM(kt_lock_sg_page_table, kt_sg_sizes_gen_params),
	KUNIT_CASE(kt_lock_sg_error_paths),
	KUNIT_CASE(kt_contig_buffers),
	KUNIT_CASE_SLOW(kt_contig_mmap_and_unlock),
	KUNIT_CASE(kt_contig_mmap_outlives_file),
	KUNIT_CASE(kt_contig_mappings_fault_after_removal),
	KUNIT_CASE(kt_cleanup_runs_on_release),
	KUNIT_CASE(kt_files_own_their_buffers),
	KUNIT_CASE(kt_remove_while_open),
	{}
};

static struct kunit_suite crono_ioctl_suite = {
	.name = "crono_ioctl",
	.init = kt_ioctl_init,
	.suite_init = kt_ioctl_suite_init,
	.suite_exit = kt_ioctl_suite_exit,
	.test_cases = crono_ioctl_cases,
};

kunit_test_suite(crono_ioctl_suite);
