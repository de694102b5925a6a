// SPDX-License-Identifier: GPL-2.0
/*
 * Release ordering and the error paths of lock, with a recording fake of the
 * glue.
 *
 * release_core.cpp is a second copy of the driver's core, under other names,
 * whose every call into the glue lands here. The fake records each call in
 * order, keeps count of what is held (charges, pins, page arrays, sg tables,
 * mappings, coherent buffers) and can fail the n-th call of any kind. Memory
 * and locks are the kernel's (forwarded to the real glue), so KASAN and
 * lockdep watch this copy as well. User addresses are kernel pointers here:
 * the fake's copies are plain memcpy.
 */
#include "release_rename.h"

#include "kunit_cxx.h"

#include "board.h"
#include "cxxrt/errno.h"

/* The real glue, under its real names, for memory and locks. */
#undef crono_kmalloc
#undef crono_kfree
#undef crono_kvmalloc
#undef crono_kvfree
#undef crono_kmutex_create
#undef crono_kmutex_destroy
#undef crono_kmutex_lock
#undef crono_kmutex_unlock
extern "C" {
void *crono_kmalloc(crono_usize size, enum crono_gfp gfp) noexcept;
void crono_kfree(const void *ptr) noexcept;
void *crono_kvmalloc(crono_usize size, enum crono_gfp gfp) noexcept;
void crono_kvfree(const void *ptr) noexcept;
struct crono_mutex *crono_kmutex_create(enum crono_lock_class cls) noexcept;
void crono_kmutex_destroy(struct crono_mutex *m) noexcept;
void crono_kmutex_lock(struct crono_mutex *m) noexcept;
void crono_kmutex_unlock(struct crono_mutex *m) noexcept;
}

using namespace crono_rec;
using crono_kt::Array;

namespace {

using s64 = long long;

enum Kind : u32 {
	K_KMALLOC,
	K_KVMALLOC,
	K_KVFREE,
	K_CHARGE,
	K_UNCHARGE,
	K_PIN,
	K_UNPIN,
	K_SGT_CREATE,
	K_SGT_DESTROY,
	K_MAP,
	K_UNMAP,
	K_WALK,
	K_COPY_FROM_USER,
	K_COPY_TO_USER,
	K_WINDOW_PIN,
	K_WINDOW_WRITE,
	K_BAR_WRITE,
	K_FLUSH,
	K_BUS_MASTER,
	K_COHERENT_ALLOC,
	K_COHERENT_FREE,
	K_ZAP,
	K_PCI_PUT,
	K_COUNT,
};

const char *const kind_names[K_COUNT] = {
	"kmalloc",	  "kvmalloc",	  "kvfree",	"charge",
	"uncharge",	  "pin",	  "unpin",	"sgt_create",
	"sgt_destroy",	  "map",	  "unmap",	"walk",
	"copy_from_user", "copy_to_user", "window_pin", "window_write",
	"bar_write",	  "flush",	  "bus_master", "coherent_alloc",
	"coherent_free",  "zap",	  "pci_put",
};

struct Event {
	Kind kind;
	u64 a, b;
	const void *object; /* the sg table, page array or cookie */
};

struct FakeSgt {
	struct crono_page **pages;
	u64 npages;
	bool mapped;
};

constexpr u32 max_events = 2048;
constexpr u64 page = 4096;

/* All of the fake's state; zero is the default (no constructor runs). */
struct Fake {
	Event log[max_events];
	u32 events;
	bool overflow;
	u32 calls[K_COUNT];
	/* Fail call number fail_nth (1-based) of fail_kind with fail_errno. */
	Kind fail_kind;
	u32 fail_nth;
	int fail_errno;
	/* Behaviour */
	u64 pin_max;	     /* pages per pin call, 0: all */
	u32 segment_pages;   /* pages per DMA segment, 0: 5 */
	bool short_mapping;  /* the walk leaves out the last page */
	bool always_bounces; /* swiotlb=force */
	bool bounced;	     /* the mapping went through bounce buffers */
	u64 bar0_len;
	/* What is held */
	s64 charged;
	s64 pinned;
	s64 page_arrays;
	s64 sgts;
	s64 mapped;
	s64 coherent;
	s64 mutexes;
	s64 windows;
	u32 pci_puts;
	u64 next_coherent_dma;
};

Fake fake;

void fake_reset() noexcept
{
	__builtin_memset(&fake, 0, sizeof(fake));
	fake.bar0_len = 0x100000;
	fake.next_coherent_dma = 0x800000000ull;
}

/* Records a call; true when this call is to fail. */
bool record(Kind kind, u64 a = 0, u64 b = 0,
	    const void *object = nullptr) noexcept
{
	fake.calls[kind]++;
	if (fake.events < max_events)
		fake.log[fake.events++] = Event{ kind, a, b, object };
	else
		fake.overflow = true;
	return fake.fail_nth && kind == fake.fail_kind &&
	       fake.calls[kind] == fake.fail_nth;
}

/* A stand-in for the glue's struct crono_pci: never dereferenced. */
char fake_pci_storage[64];
struct crono_pci *fake_pci() noexcept
{
	return reinterpret_cast<struct crono_pci *>(fake_pci_storage);
}

} // namespace

/* ---- the fake glue ------------------------------------------------------ */

void *operator new(crono_rec::size_t size, crono_rec::Gfp gfp) noexcept
{
	return crono_rec_kmalloc(size, static_cast<enum crono_gfp>(gfp));
}

void *operator new[](crono_rec::size_t size, crono_rec::Gfp gfp) noexcept
{
	return crono_rec_kmalloc(size, static_cast<enum crono_gfp>(gfp));
}

extern "C" {

crono_usize crono_rec_kpage_size(void) noexcept
{
	return page;
}

void *crono_rec_kmalloc(crono_usize size, enum crono_gfp gfp) noexcept
{
	/* Freed by the real operator delete: counted, not tracked. */
	if (record(K_KMALLOC, size))
		return nullptr;
	return crono_kmalloc(size, gfp);
}

void crono_rec_kfree(const void *ptr) noexcept
{
	crono_kfree(ptr);
}

void *crono_rec_kvmalloc(crono_usize size, enum crono_gfp gfp) noexcept
{
	if (record(K_KVMALLOC, size))
		return nullptr;
	void *ptr = crono_kvmalloc(size, gfp);
	if (ptr)
		fake.page_arrays++;
	return ptr;
}

void crono_rec_kvfree(const void *ptr) noexcept
{
	if (!ptr)
		return;
	record(K_KVFREE, 0, 0, ptr);
	fake.page_arrays--;
	crono_kvfree(ptr);
}

void crono_rec_klog(const struct crono_pci *, enum crono_log_level,
		    const char *, ...) noexcept
{
}

struct crono_mutex *crono_rec_kmutex_create(enum crono_lock_class cls) noexcept
{
	struct crono_mutex *m = crono_kmutex_create(cls);
	if (m)
		fake.mutexes++;
	return m;
}

void crono_rec_kmutex_destroy(struct crono_mutex *m) noexcept
{
	fake.mutexes--;
	crono_kmutex_destroy(m);
}

void crono_rec_kmutex_lock(struct crono_mutex *m) noexcept
{
	crono_kmutex_lock(m);
}

void crono_rec_kmutex_unlock(struct crono_mutex *m) noexcept
{
	crono_kmutex_unlock(m);
}

int crono_rec_kcopy_from_user(void *dst, crono_u64 src,
			      crono_usize len) noexcept
{
	if (record(K_COPY_FROM_USER, src, len) || !src)
		return -EFAULT;
	__builtin_memcpy(dst, reinterpret_cast<const void *>(src), len);
	return 0;
}

int crono_rec_kcopy_to_user(crono_u64 dst, const void *src,
			    crono_usize len) noexcept
{
	if (record(K_COPY_TO_USER, dst, len) || !dst)
		return -EFAULT;
	__builtin_memcpy(reinterpret_cast<void *>(dst), src, len);
	return 0;
}

struct crono_user_window {
	u64 start;
	u64 len;
};

int crono_rec_kuser_window_pin(crono_u64 start, crono_usize len,
			       struct crono_user_window **out) noexcept
{
	if (record(K_WINDOW_PIN, start, len) || !start)
		return -EFAULT;
	auto *window = static_cast<crono_user_window *>(
		crono_kmalloc(sizeof(crono_user_window), CRONO_GFP_KERNEL));
	if (!window)
		return -ENOMEM;
	*window = crono_user_window{ start, len };
	fake.windows++;
	*out = window;
	return 0;
}

void crono_rec_kuser_window_write(struct crono_user_window *window,
				  crono_usize offset, const void *src,
				  crono_usize len) noexcept
{
	record(K_WINDOW_WRITE, window->start + offset, len, window);
	if (offset + len <= window->len)
		__builtin_memcpy(
			reinterpret_cast<void *>(window->start + offset), src,
			len);
}

void crono_rec_kuser_window_release(struct crono_user_window *window) noexcept
{
	fake.windows--;
	crono_kfree(window);
}

void crono_rec_kcond_resched(void) noexcept {}

int crono_rec_kfatal_signal_pending(void) noexcept
{
	return 0;
}

int crono_rec_kmemlock_charge(crono_usize npages,
			      struct crono_memlock **charge) noexcept
{
	if (record(K_CHARGE, npages))
		return fake.fail_errno;
	fake.charged += s64(npages);
	*charge = reinterpret_cast<struct crono_memlock *>(&fake);
	return 0;
}

void crono_rec_kmemlock_uncharge(struct crono_memlock *,
				 crono_usize npages) noexcept
{
	record(K_UNCHARGE, npages);
	fake.charged -= s64(npages);
}

long crono_rec_kpin_user_pages(crono_u64 start, crono_usize npages,
			       struct crono_page **pages) noexcept
{
	if (record(K_PIN, start, npages))
		return fake.fail_errno;
	if (fake.pin_max && npages > fake.pin_max)
		npages = fake.pin_max;
	for (crono_usize i = 0; i < npages; i++)
		pages[i] =
			reinterpret_cast<struct crono_page *>(start + i * page);
	fake.pinned += s64(npages);
	return long(npages);
}

void crono_rec_kunpin_user_pages(struct crono_page **pages,
				 crono_usize npages) noexcept
{
	record(K_UNPIN, npages, 0, pages);
	fake.pinned -= s64(npages);
}

void crono_rec_kpci_location(const struct crono_pci *,
			     struct crono_pci_location *loc) noexcept
{
	*loc = crono_pci_location{ 0, 0x3b, 0, 1, 0x1a13, 0x0c };
}

crono_u64 crono_rec_kpci_bar0_len(const struct crono_pci *) noexcept
{
	return fake.bar0_len;
}

void crono_rec_kpci_bar0_write32(struct crono_pci *, crono_u32 offset,
				 crono_u32 value) noexcept
{
	record(K_BAR_WRITE, offset, value);
}

void crono_rec_kpci_flush_writes(struct crono_pci *) noexcept
{
	record(K_FLUSH);
}

void crono_rec_kpci_set_bus_master(struct crono_pci *, int enable) noexcept
{
	record(K_BUS_MASTER, u64(enable));
}

void crono_rec_kpci_put(struct crono_pci *) noexcept
{
	record(K_PCI_PUT);
	fake.pci_puts++;
}

crono_u32 crono_rec_kdma_max_segment(const struct crono_pci *) noexcept
{
	return 0xfffff000u;
}

int crono_rec_kdma_always_bounces(const struct crono_pci *) noexcept
{
	return fake.always_bounces;
}

int crono_rec_ksgt_create(struct crono_page **pages, crono_usize npages,
			  crono_u32, struct crono_sgt **sgt) noexcept
{
	if (record(K_SGT_CREATE, npages))
		return fake.fail_errno;
	auto *table = static_cast<FakeSgt *>(
		crono_kmalloc(sizeof(FakeSgt), CRONO_GFP_KERNEL));
	if (!table)
		return -ENOMEM;
	*table = FakeSgt{ pages, npages, false };
	fake.sgts++;
	*sgt = reinterpret_cast<struct crono_sgt *>(table);
	return 0;
}

void crono_rec_ksgt_destroy(struct crono_sgt *sgt) noexcept
{
	record(K_SGT_DESTROY, 0, 0, sgt);
	fake.sgts--;
	crono_kfree(sgt);
}

int crono_rec_kdma_map_sgt(struct crono_pci *, struct crono_sgt *sgt) noexcept
{
	if (record(K_MAP, 0, 0, sgt))
		return fake.fail_errno;
	reinterpret_cast<FakeSgt *>(sgt)->mapped = true;
	fake.mapped++;
	return 0;
}

void crono_rec_kdma_unmap_sgt(struct crono_pci *,
			      struct crono_sgt *sgt) noexcept
{
	record(K_UNMAP, 0, 0, sgt);
	reinterpret_cast<FakeSgt *>(sgt)->mapped = false;
	fake.mapped--;
}

int crono_rec_kdma_sgt_bounced(const struct crono_pci *,
			       const struct crono_sgt *) noexcept
{
	return fake.bounced;
}

/* DMA segments of segment_pages pages each, at an IOVA-like base. */
int crono_rec_ksgt_walk_dma(const struct crono_sgt *sgt,
			    crono_dma_segment_fn fn, void *ctx) noexcept
{
	const auto *table = reinterpret_cast<const FakeSgt *>(sgt);
	const u64 per = fake.segment_pages ? fake.segment_pages : 5;
	const u64 pages = table->npages - (fake.short_mapping ? 1 : 0);
	record(K_WALK, pages, 0, sgt);
	if (!table->mapped)
		return -EINVAL; /* walking an unmapped table: a driver bug */
	for (u64 first = 0; first < pages; first += per) {
		const u64 n = min(per, pages - first);
		int ret = fn(ctx, 0xf00000000ull + first * page, n * page);
		if (ret)
			return ret;
	}
	return 0;
}

void *crono_rec_kcoherent_alloc(struct crono_pci *, crono_usize size,
				crono_u64 *dma_addr) noexcept
{
	if (record(K_COHERENT_ALLOC, size))
		return nullptr;
	void *cookie = crono_kmalloc(16, CRONO_GFP_KERNEL);
	if (!cookie)
		return nullptr;
	*dma_addr = fake.next_coherent_dma;
	fake.next_coherent_dma += size;
	fake.coherent++;
	return cookie;
}

void crono_rec_kcoherent_free(struct crono_pci *, crono_usize size, void *cpu,
			      crono_u64 dma_addr) noexcept
{
	record(K_COHERENT_FREE, size, dma_addr, cpu);
	fake.coherent--;
	crono_kfree(cpu);
}

crono_u64 crono_rec_kvma_pgoff(const struct crono_vma *) noexcept
{
	return 0;
}
crono_u64 crono_rec_kvma_len(const struct crono_vma *) noexcept
{
	return 0;
}
int crono_rec_kvma_may_share(const struct crono_vma *) noexcept
{
	return 0;
}

void crono_rec_kvma_setup_contig(struct crono_pci *, struct crono_vma *,
				 void *) noexcept
{
}

int crono_rec_kcoherent_insert(struct crono_pci *, struct crono_fault *, void *,
			       crono_usize) noexcept
{
	return -EFAULT;
}

void crono_rec_kvma_zap(struct crono_vma *) noexcept {}

void crono_rec_kfile_zap_mappings(struct crono_kfile *) noexcept
{
	record(K_ZAP);
}

} // extern "C"

/* ---- the tests -------------------------------------------------------- */

namespace {

/* A board and an open file of the renamed core. */
struct Session {
	struct crono_board *board = nullptr;
	struct crono_file *file = nullptr;
	bool removed = false;

	bool open(struct kunit *test) noexcept
	{
		char name[CRONO_DEV_NAME_MAX_SIZE];
		if (!CRONO_KEXPECT_EQ(test, crono_rec_core_init(), 0))
			return false;
		if (!CRONO_KEXPECT_EQ(test,
				      crono_rec_board_create(fake_pci(), &board,
							     name,
							     sizeof(name)),
				      0)) {
			crono_rec_core_exit();
			return false;
		}
		if (!CRONO_KEXPECT_EQ(
			    test, crono_rec_file_open(board, nullptr, &file),
			    0)) {
			close();
			return false;
		}
		return true;
	}

	void release_file() noexcept
	{
		if (file)
			crono_rec_file_release(
				exchange(file, (struct crono_file *)nullptr));
	}

	void remove() noexcept
	{
		crono_rec_board_remove(board);
		removed = true;
	}

	void close() noexcept
	{
		release_file();
		if (board) {
			if (!removed)
				crono_rec_board_remove(board);
			crono_rec_board_put(board);
			board = nullptr;
			crono_rec_core_exit();
		}
	}

	~Session() { close(); }

	long ioctl(u32 request, void *arg) noexcept
	{
		return crono_rec_file_ioctl(file, request,
					    reinterpret_cast<crono_u64>(arg));
	}
};

/* A "user" buffer. The fake never touches the buffer's pages, so any
 * aligned address does; the page table is real memory the fake copies to. */
struct UserBuffer {
	u64 pages;
	Array<u64> table;

	explicit UserBuffer(u64 npages) noexcept
	    : pages(npages), table(npages + 1)
	{
	}

	CRONO_SG_BUFFER_INFO info() const noexcept
	{
		CRONO_SG_BUFFER_INFO info = {};
		info.addr = 0x7f1234560000ull;
		info.size = pages * page;
		info.upages = u64(table.data());
		info.pages_count = crono_u32_t(pages);
		info.id = -1;
		return info;
	}
};

long lock(Session &session, const UserBuffer &buffer, s32 *id) noexcept
{
	CRONO_SG_BUFFER_INFO info = buffer.info();
	const long ret = session.ioctl(IOCTL_CRONO_LOCK_BUFFER, &info);
	if (id)
		*id = info.id;
	return ret;
}

long lock_contig(Session &session, u64 size, s32 *id, u64 *dma) noexcept
{
	CRONO_CONTIG_BUFFER_INFO info = {};
	info.size = size;
	info.id = -1;
	const long ret = session.ioctl(IOCTL_CRONO_LOCK_CONTIG_BUFFER, &info);
	if (id)
		*id = info.id;
	if (dma)
		*dma = info.dma_handle;
	return ret;
}

long unlock(Session &session, u32 request, s32 id) noexcept
{
	return session.ioctl(request, &id);
}

long set_cleanup(Session &session, const CRONO_KERNEL_CMD *commands,
		 u32 count) noexcept
{
	CRONO_KERNEL_CMDS_INFO info = {};
	info.ucmds = u64(commands);
	info.count = count;
	return session.ioctl(IOCTL_CRONO_CLEANUP_SETUP, &info);
}

/* Index of the first event of kind from index `from`, or -1. */
int first_of(Kind kind, u32 from = 0, const void *object = nullptr) noexcept
{
	for (u32 i = from; i < fake.events; i++)
		if (fake.log[i].kind == kind &&
		    (!object || fake.log[i].object == object))
			return int(i);
	return -1;
}

int last_of(Kind kind, u32 from = 0) noexcept
{
	int found = -1;
	for (u32 i = from; i < fake.events; i++)
		if (fake.log[i].kind == kind)
			found = int(i);
	return found;
}

u32 count_of(Kind kind, u32 from = 0) noexcept
{
	u32 n = 0;
	for (u32 i = from; i < fake.events; i++)
		n += fake.log[i].kind == kind;
	return n;
}

/* Nothing acquired through the glue is still held. */
void expect_nothing_held(struct kunit *test, const char *after) noexcept
{
	const bool clean = !fake.charged && !fake.pinned && !fake.page_arrays &&
			   !fake.sgts && !fake.mapped && !fake.coherent &&
			   !fake.windows;
	if (!clean)
		crono_kunit_log(test,
				"after %s: charged %lld, pinned %lld, "
				"page arrays %lld, sg tables %lld, "
				"mapped %lld, coherent %lld",
				after, fake.charged, fake.pinned,
				fake.page_arrays, fake.sgts, fake.mapped,
				fake.coherent);
	CRONO_KEXPECT(test, clean);
	CRONO_KEXPECT(test, !fake.overflow);
}

/*
 * The board was stopped after event `from`: the cleanup writes, a flushing
 * read, bus mastering off, and only then any unmap, unpin or free.
 */
void expect_board_stopped_first(struct kunit *test, u32 from) noexcept
{
	const int last_write = last_of(K_BAR_WRITE, from);
	const int flush = first_of(K_FLUSH, from);
	const int master = first_of(K_BUS_MASTER, from);
	CRONO_KEXPECT_LT(test, last_write, flush);
	CRONO_KEXPECT_LT(test, flush, master);
	if (master >= 0)
		CRONO_KEXPECT_EQ(test, fake.log[master].a, 0u);
	const Kind releases[] = { K_UNMAP, K_UNPIN, K_COHERENT_FREE, K_ZAP };
	for (Kind kind : releases) {
		const int first = first_of(kind, from);
		if (first >= 0)
			CRONO_KEXPECT_LT(test, master, first);
	}
}

/*
 * For every S/G buffer released after event `from`: unmap, then free the sg
 * table, then unpin, then free the page array, then return the charge; and
 * every cleanup write before the first of them.
 */
void expect_release_order(struct kunit *test, u32 from, u32 buffers,
			  u32 cleanup_writes) noexcept
{
	CRONO_KEXPECT_EQ(test, count_of(K_UNMAP, from), buffers);
	CRONO_KEXPECT_EQ(test, count_of(K_BAR_WRITE, from), cleanup_writes);
	const int last_write = last_of(K_BAR_WRITE, from);
	for (u32 i = from; i < fake.events; i++) {
		const Event &event = fake.log[i];
		if (event.kind == K_UNMAP || event.kind == K_SGT_DESTROY ||
		    event.kind == K_UNPIN || event.kind == K_KVFREE ||
		    event.kind == K_UNCHARGE || event.kind == K_COHERENT_FREE)
			if (!CRONO_KEXPECT_LE(test, last_write, int(i)))
				break;
		if (event.kind != K_UNMAP)
			continue;
		/* This buffer's own sequence after its unmap. */
		const int destroy = first_of(K_SGT_DESTROY, i, event.object);
		const int unpin = first_of(K_UNPIN, i);
		const int free_pages = first_of(K_KVFREE, i);
		const int uncharge = first_of(K_UNCHARGE, i);
		CRONO_KEXPECT_LE(test, 0, destroy);
		CRONO_KEXPECT_LE(test, destroy, unpin);
		CRONO_KEXPECT_LE(test, unpin, free_pages);
		CRONO_KEXPECT_LE(test, free_pages, uncharge);
	}
}

} // namespace

extern "C" {

void crono_kt_rel_release_order(struct kunit *test)
{
	fake_reset();
	Session session;
	if (!session.open(test))
		return;
	UserBuffer a(7), b(1100);
	const CRONO_KERNEL_CMD stop[] = { { 0x80, 0 }, { 0x04, 1 } };
	s32 id;
	CRONO_KEXPECT_EQ(test, set_cleanup(session, stop, 2), 0);
	CRONO_KEXPECT_EQ(test, lock(session, a, &id), 0);
	CRONO_KEXPECT_EQ(test, lock(session, b, &id), 0);
	CRONO_KEXPECT_EQ(test, lock_contig(session, 3 * page, &id, nullptr), 0);
	CRONO_KEXPECT_EQ(test, fake.pinned, 1107);
	CRONO_KEXPECT_EQ(test, count_of(K_BAR_WRITE), 0u);

	const u32 from = fake.events;
	session.release_file();
	expect_release_order(test, from, 2, 2);
	expect_board_stopped_first(test, from);
	/* The program ran once, in order. */
	const int w = first_of(K_BAR_WRITE, from);
	if (CRONO_KEXPECT_LE(test, 0, w)) {
		CRONO_KEXPECT_EQ(test, fake.log[w].a, 0x80u);
		CRONO_KEXPECT_EQ(test, fake.log[w + 1].a, 0x04u);
	}
	CRONO_KEXPECT_EQ(test, count_of(K_COHERENT_FREE, from), 1u);
	expect_nothing_held(test, "release");
	session.close();
	CRONO_KEXPECT_EQ(test, fake.pci_puts, 1u);
	CRONO_KEXPECT_EQ(test, fake.mutexes, 0);
}

void crono_kt_rel_remove_order(struct kunit *test)
{
	fake_reset();
	Session session;
	if (!session.open(test))
		return;
	UserBuffer a(3);
	const CRONO_KERNEL_CMD stop[] = { { 0x04, 0xdead } };
	s32 id;
	CRONO_KEXPECT_EQ(test, set_cleanup(session, stop, 1), 0);
	CRONO_KEXPECT_EQ(test, lock(session, a, &id), 0);
	CRONO_KEXPECT_EQ(test, lock_contig(session, page, &id, nullptr), 0);

	u32 from = fake.events;
	session.remove();
	expect_release_order(test, from, 1, 1);
	expect_board_stopped_first(test, from);
	expect_nothing_held(test, "remove");
	CRONO_KEXPECT_EQ(test, fake.pci_puts, 0u); /* the file still holds it */

	/* The file goes later: nothing is released twice, nothing written. */
	from = fake.events;
	CRONO_KEXPECT_EQ(test, lock(session, a, &id), -ENODEV);
	session.release_file();
	CRONO_KEXPECT_EQ(test, count_of(K_BAR_WRITE, from), 0u);
	CRONO_KEXPECT_EQ(test, count_of(K_UNMAP, from), 0u);
	CRONO_KEXPECT_EQ(test, count_of(K_UNPIN, from), 0u);
	CRONO_KEXPECT_EQ(test, count_of(K_COHERENT_FREE, from), 0u);
	session.close();
	CRONO_KEXPECT_EQ(test, fake.pci_puts, 1u);
}

void crono_kt_rel_unlock_order(struct kunit *test)
{
	fake_reset();
	Session session;
	if (!session.open(test))
		return;
	UserBuffer a(12);
	const CRONO_KERNEL_CMD stop[] = { { 0x04, 1 } };
	s32 id, contig;
	CRONO_KEXPECT_EQ(test, set_cleanup(session, stop, 1), 0);
	CRONO_KEXPECT_EQ(test, lock(session, a, &id), 0);
	CRONO_KEXPECT_EQ(test, lock_contig(session, page, &contig, nullptr), 0);
	const u32 from = fake.events;
	CRONO_KEXPECT_EQ(test, unlock(session, IOCTL_CRONO_UNLOCK_BUFFER, id),
			 0);
	CRONO_KEXPECT_EQ(
		test, unlock(session, IOCTL_CRONO_UNLOCK_CONTIG_BUFFER, contig),
		0);
	/* Unlock releases in the same order and runs no cleanup. */
	expect_release_order(test, from, 1, 0);
	CRONO_KEXPECT_EQ(test, count_of(K_COHERENT_FREE, from), 1u);
	expect_nothing_held(test, "unlock");
}

/*
 * Every glue call a lock makes, failed in turn: each failure is reported
 * with its own errno and leaves nothing held, no id used up, no statistic
 * changed.
 */
void crono_kt_rel_lock_failures(struct kunit *test)
{
	struct Case {
		Kind kind;
		int error;    /* injected; the ioctl returns it */
		int expected; /* what the ioctl returns */
	};
	const Case cases[] = {
		{ K_COPY_FROM_USER, 0, -EFAULT },
		{ K_KMALLOC, 0, -ENOMEM },
		{ K_CHARGE, -ENOMEM, -ENOMEM },
		{ K_KVMALLOC, 0, -ENOMEM },
		{ K_PIN, -EFAULT, -EFAULT },
		{ K_SGT_CREATE, -ENOMEM, -ENOMEM },
		{ K_MAP, -EIO, -EIO },
		{ K_WINDOW_PIN, 0, -EFAULT },
	};
	UserBuffer buffer(1100);
	u32 attempts = 0;

	/* A successful lock first, to count the calls of each kind; pins
	 * come in batches of 400 pages so a pin fails part way. */
	fake_reset();
	u32 calls[K_COUNT];
	{
		Session session;
		if (!session.open(test))
			return;
		fake.pin_max = 400;
		const u32 before[] = { fake.calls[K_KMALLOC] };
		s32 id;
		CRONO_KEXPECT_EQ(test, lock(session, buffer, &id), 0);
		__builtin_memcpy(calls, fake.calls, sizeof(calls));
		calls[K_KMALLOC] -= before[0];
	}
	CRONO_KEXPECT_EQ(test, calls[K_PIN], 3u);
	CRONO_KEXPECT_EQ(test, calls[K_WINDOW_PIN], 2u); /* table, struct */

	for (const Case &c : cases) {
		for (u32 nth = 1; nth <= calls[c.kind]; nth++) {
			fake_reset();
			Session session;
			if (!session.open(test))
				return;
			fake.pin_max = 400;
			fake.fail_kind = c.kind;
			fake.fail_nth = fake.calls[c.kind] + nth;
			fake.fail_errno = c.error;
			s32 id = -1;
			const long ret = lock(session, buffer, &id);
			attempts++;
			if (!CRONO_KEXPECT_EQ(test, ret, c.expected))
				crono_kunit_log(test, "failing %s call %u",
						kind_names[c.kind], nth);
			expect_nothing_held(test, kind_names[c.kind]);
			struct crono_board_stats stats;
			crono_rec_board_stats(session.board, &stats);
			CRONO_KEXPECT_EQ(test, stats.locked_buffers, 0u);
			CRONO_KEXPECT_EQ(test, stats.pinned_bytes, 0u);
			/* The id was given back: the next lock gets 0. */
			fake.fail_nth = 0;
			CRONO_KEXPECT_EQ(test, lock(session, buffer, &id), 0);
			CRONO_KEXPECT_EQ(test, id, 0);
		}
	}
	crono_kunit_log(test, "%u failure points, each clean", attempts);
	CRONO_KEXPECT_EQ(test, attempts, 12u);
}

void crono_kt_rel_unusable_mappings(struct kunit *test)
{
	UserBuffer buffer(20);
	s32 id;
	{
		/* swiotlb=force: refused before anything is charged. */
		fake_reset();
		Session session;
		if (!session.open(test))
			return;
		fake.always_bounces = true;
		CRONO_KEXPECT_EQ(test, lock(session, buffer, &id), -EOPNOTSUPP);
		CRONO_KEXPECT_EQ(test, fake.calls[K_CHARGE], 0u);
		CRONO_KEXPECT_EQ(test, fake.calls[K_PIN], 0u);
		expect_nothing_held(test, "always bounces");
	}
	{
		/* The mapping bounced: refused, unmapped, unpinned. */
		fake_reset();
		Session session;
		if (!session.open(test))
			return;
		fake.bounced = true;
		CRONO_KEXPECT_EQ(test, lock(session, buffer, &id), -EOPNOTSUPP);
		CRONO_KEXPECT_EQ(test, fake.calls[K_MAP], 1u);
		CRONO_KEXPECT_EQ(test, fake.calls[K_WINDOW_WRITE], 0u);
		expect_release_order(test, 0, 1, 0);
		expect_nothing_held(test, "bounced");
	}
	{
		/* The mapping covers one page less than the buffer: refused
		 * before a single entry reaches the user's table. */
		fake_reset();
		Session session;
		if (!session.open(test))
			return;
		fake.short_mapping = true;
		fake.segment_pages = 3;
		CRONO_KEXPECT_EQ(test, lock(session, buffer, &id), -EIO);
		CRONO_KEXPECT_EQ(test, fake.calls[K_WINDOW_WRITE], 0u);
		expect_nothing_held(test, "short mapping");
	}
}

void crono_kt_rel_contig_failures(struct kunit *test)
{
	const Kind kinds[] = { K_COPY_FROM_USER, K_KMALLOC, K_COHERENT_ALLOC,
			       K_WINDOW_PIN };
	const int expected[] = { -EFAULT, -ENOMEM, -ENOMEM, -EFAULT };
	for (u32 k = 0; k < 4; k++) {
		fake_reset();
		Session session;
		if (!session.open(test))
			return;
		fake.fail_kind = kinds[k];
		fake.fail_nth = fake.calls[kinds[k]] + 1;
		s32 id = -1;
		u64 dma = 0;
		CRONO_KEXPECT_EQ(test,
				 lock_contig(session, 5 * page, &id, &dma),
				 expected[k]);
		expect_nothing_held(test, kind_names[kinds[k]]);
		fake.fail_nth = 0;
		CRONO_KEXPECT_EQ(test, lock_contig(session, page, &id, &dma),
				 0);
		CRONO_KEXPECT_EQ(test, id, 0);
	}
}

} // extern "C"
