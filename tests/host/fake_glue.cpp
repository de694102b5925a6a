// SPDX-License-Identifier: GPL-2.0
/*
 * The fake glue: see fake_glue.h. Every crono_k* function of crono_glue.h is
 * defined here, plus the global operator new/delete of the test binary, so
 * that objects the core allocates with new (Gfp) (crono_kmalloc) and frees
 * with delete are counted as live core allocations until they are freed.
 */
#include "fake_glue.h"

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <ostream>
#include <set>
#include <tuple>
#include <unordered_map>

using fake::Call;
using fake::Event;
using fake::Seg;
using fake::u32;
using fake::u64;

struct crono_mutex {
	enum crono_lock_class cls;
};

struct crono_sgt {
	u64 id = 0;
	std::vector<u64> pages; /* user page addresses, as appended */
	u64 segments = 0;	/* runs of physically adjacent pages */
	u64 pages_left = 0;	/* announced by the last append */
	u64 last_run = 0;	/* bytes of the last one */
	u32 max_segment = 0;
	bool mapped = false;
	bool unpinned = false;
	std::vector<Seg> dma;
};

struct crono_memlock {
	int unused = 0;
};

struct crono_user_window {
	u64 start;
	u64 len;
};

struct crono_fault {
	crono_vma *vma;
	u64 index;
};

/* ---- the allocation registry --------------------------------------------- */

namespace {

void *or_throw(void *p)
{
	if (!p)
		throw std::bad_alloc();
	return p;
}

/* The registry's own allocator: it must not recurse into operator new and
 * delete, which consult the registry. */
template <typename T> struct MallocAllocator {
	using value_type = T;
	MallocAllocator() = default;
	template <typename U> MallocAllocator(const MallocAllocator<U> &) {}
	T *allocate(size_t n)
	{
		return static_cast<T *>(or_throw(std::malloc(n * sizeof(T))));
	}
	void deallocate(T *p, size_t) { std::free(p); }
	bool operator==(const MallocAllocator &) const { return true; }
	bool operator!=(const MallocAllocator &) const { return false; }
};

struct Registry {
	std::mutex lock;
	/* Each live core block and its size. */
	std::unordered_map<void *, size_t, std::hash<void *>,
			   std::equal_to<void *>,
			   MallocAllocator<std::pair<void *const, size_t>>>
		blocks;
};

/* Never destroyed: operator delete may run after static destructors. */
Registry &registry()
{
	static Registry *r = new (std::malloc(sizeof(Registry))) Registry;
	return *r;
}

/* Forgets ptr; whether it was a core block. */
bool unregister(const void *ptr)
{
	Registry &r = registry();
	std::lock_guard<std::mutex> guard(r.lock);
	return r.blocks.erase(const_cast<void *>(ptr)) != 0;
}

void register_block(void *ptr, size_t size)
{
	Registry &r = registry();
	std::lock_guard<std::mutex> guard(r.lock);
	r.blocks[ptr] = size;
}

/* The size of a live core block; 0 if ptr is none. */
size_t block_size(const void *ptr)
{
	Registry &r = registry();
	std::lock_guard<std::mutex> guard(r.lock);
	auto it = r.blocks.find(const_cast<void *>(ptr));
	return it == r.blocks.end() ? 0 : it->second;
}

void violation(std::string what);

/* The test binary's operator new, throwing unless nothrow. */
void *global_alloc(size_t size, size_t align, bool nothrow)
{
	size = size ? size : 1;
	void *p;
	if (align > alignof(std::max_align_t)) /* size: a multiple of align */
		p = std::aligned_alloc(align,
				       (size + align - 1) & ~(align - 1));
	else
		p = std::malloc(size);
	return nothrow ? p : or_throw(p);
}

/* Core objects come here through delete, everything else of the test
 * binary too. */
void global_free(void *ptr) noexcept
{
	if (ptr)
		unregister(ptr);
	std::free(ptr);
}

} // namespace

/*
 * Every replaceable form, scalar and array: the sanitizer runtime defines
 * them all, and memory of its new freed by this delete (or the other way
 * round) is a mismatch it reports.
 */
#define NEW(nothrow, align, ...)                                               \
	void *operator new(size_t n, ##__VA_ARGS__) noexcept(nothrow)          \
	{                                                                      \
		return global_alloc(n, align, nothrow);                        \
	}                                                                      \
	void *operator new[](size_t n, ##__VA_ARGS__) noexcept(nothrow)        \
	{                                                                      \
		return global_alloc(n, align, nothrow);                        \
	}
NEW(false, 0)
NEW(false, size_t(a), std::align_val_t a)
NEW(true, 0, const std::nothrow_t &)
NEW(true, size_t(a), std::align_val_t a, const std::nothrow_t &)
#define DELETE(...)                                                            \
	void operator delete(void *p, ##__VA_ARGS__) noexcept                  \
	{                                                                      \
		global_free(p);                                                \
	}                                                                      \
	void operator delete[](void *p, ##__VA_ARGS__) noexcept                \
	{                                                                      \
		global_free(p);                                                \
	}
DELETE()
DELETE(size_t)
DELETE(std::align_val_t)
DELETE(size_t, std::align_val_t)
DELETE(const std::nothrow_t &)
#undef NEW
#undef DELETE

/* ---- the fake's state ---------------------------------------------------- */

namespace {

struct Rule {
	Call call;
	unsigned nth;
	int err;
	long short_pages; /* pin only; -1: fail with err */
};

struct Range {
	u64 start;
	u64 len;
	unsigned prot;
	bool backed;
	std::vector<unsigned char> bytes;
};

struct Coherent {
	u64 size;
	u64 dma;
};

constexpr u64 user_base = 0x7f0000000000ull;
constexpr u64 iova_base = 0x100000000ull;
constexpr u64 coherent_base = 0x80000000ull;

struct State {
	unsigned counts[size_t(Call::count_)] = {};
	std::vector<Rule> rules;
	u64 pin_max = 0;

	std::vector<fake::Record> records;

	std::map<u64, Range> ranges;
	u64 next_user = user_base;
	u64 kpage = fake::page_size; /* the kernel's page */

	std::multiset<u64> pinned;
	u64 dirtied = 0;
	bool scattered = false; /* no two pinned pages physically adjacent */
	u64 memlock_limit = ~0ull;
	u64 charged = 0;
	long charges = 0;
	crono_memlock memlock;

	fake::Layout layout;
	u64 next_iova = iova_base;
	u64 next_sgt = 0;
	std::set<crono_sgt *> sgts;
	std::vector<Seg> last_segments;

	std::map<void *, Coherent> coherent;
	u64 next_coherent = coherent_base;

	std::set<crono_mutex *> mutexes;
	std::vector<crono_mutex *> held;
	int mmap_lock_depth = 0;

	std::vector<std::unique_ptr<crono_vma>> vmas;

	std::set<crono_user_window *> windows;
	std::string stall_at;
	std::function<void()> stall;
	unsigned signal_checks = 0;
	unsigned kill_at = 0;

	std::vector<std::string> logs;
	std::vector<std::string> violations;
};

State &st()
{
	static State *s = new State;
	return *s;
}

void violation(std::string what)
{
	st().violations.push_back(std::move(what));
}

/* ok; when not, `what` the core did is a violation. */
bool ensure(bool ok, const char *what)
{
	if (!ok)
		violation(what);
	return ok;
}

void record(Event event, u64 a = 0, u64 b = 0, const void *obj = nullptr)
{
	st().records.push_back(fake::Record{ event, a, b, obj });
}

/* Counts the call; the rule that makes it fail, if any. */
const Rule *injected(Call call)
{
	State &s = st();
	const unsigned n = ++s.counts[size_t(call)];
	for (const Rule &rule : s.rules) {
		if (rule.call == call && rule.nth == n)
			return &rule;
	}
	return nullptr;
}

const char *lock_class_name(enum crono_lock_class cls)
{
	static const char *const names[] = { "registry", "board", "open",
					     "mappings" };
	static_assert(std::size(names) == CRONO_LOCK_CLASS_COUNT);
	return unsigned(cls) < std::size(names) ? names[cls] : "?";
}

/* Takes m off the held list; whether it was on it. */
bool drop_hold(const crono_mutex *m)
{
	auto &held = st().held;
	const auto it = std::find(held.begin(), held.end(), m);
	if (it == held.end())
		return false;
	held.erase(it);
	return true;
}

bool holds(enum crono_lock_class cls)
{
	for (crono_mutex *m : st().held) {
		if (m->cls == cls)
			return true;
	}
	return false;
}

/* User memory is touched (may fault, taking the mmap lock, and stall for as
 * long as user space wants: userfaultfd, FUSE). */
void user_access_point(const char *what)
{
	if (holds(CRONO_LOCK_BOARD) || holds(CRONO_LOCK_OPEN))
		violation(std::string(what) +
			  " under the board or open lock (a stalled fault "
			  "would block open and removal)");
	if (holds(CRONO_LOCK_MAPPINGS))
		violation(std::string(what) +
			  " under the mappings lock (may fault: mmap lock "
			  "after mappings lock)");
	if (st().mmap_lock_depth)
		violation(std::string(what) + " under the mmap lock");
	State &s = st();
	if (s.stall && s.stall_at == what) {
		auto fn = std::move(s.stall);
		s.stall = nullptr;
		fn();
	}
}

/* The range holding addr, or nullptr. */
Range *range_of(u64 addr)
{
	auto &ranges = st().ranges;
	auto it = ranges.upper_bound(addr);
	if (it == ranges.begin())
		return nullptr;
	--it;
	if (addr - it->second.start >= it->second.len)
		return nullptr;
	return &it->second;
}

/*
 * Walks [addr, addr + len) through the ranges; fn(range, offset, chunk,
 * done) per piece. Returns the bytes walked before a hole or a missing
 * permission.
 */
template <typename Fn> u64 walk_user(u64 addr, u64 len, unsigned need, Fn &&fn)
{
	u64 done = 0;
	while (done < len) {
		const u64 at = addr + done;
		if (at < addr)
			break; /* wrapped */
		Range *range = range_of(at);
		if (!range || (range->prot & need) != need)
			break;
		const u64 offset = at - range->start;
		const u64 chunk = std::min(len - done, range->len - offset);
		fn(*range, offset, chunk, done);
		done += chunk;
	}
	return done;
}

/* Copies user memory at addr, through the ranges that allow `need`, to dst;
 * unbacked ranges read as zeros. The bytes copied before a hole. */
u64 copy_from_ranges(u64 addr, void *dst, u64 len, unsigned need)
{
	auto *out = static_cast<unsigned char *>(dst);
	return walk_user(
		addr, len, need,
		[out](Range &range, u64 offset, u64 chunk, u64 at) {
			if (range.backed)
				std::memcpy(out + at,
					    range.bytes.data() + offset, chunk);
			else
				std::memset(out + at, 0, chunk);
		});
}

/* The other way; unbacked ranges drop the bytes. */
u64 copy_to_ranges(u64 addr, const void *src, u64 len, unsigned need)
{
	const auto *in = static_cast<const unsigned char *>(src);
	return walk_user(addr, len, need,
			 [in](Range &range, u64 offset, u64 chunk, u64 at) {
				 if (range.backed)
					 std::memcpy(range.bytes.data() +
							     offset,
						     in + at, chunk);
			 });
}

u64 round_up_page(u64 n)
{
	const u64 kpage = st().kpage;
	return (n + kpage - 1) / kpage * kpage;
}

} // namespace

/* ---- the glue: memory ---------------------------------------------------- */

extern "C" {

crono_usize crono_kpage_size(void) noexcept
{
	return st().kpage;
}

static void *fake_alloc(Call call, crono_usize size)
{
	if (injected(call))
		return nullptr;
	void *p = std::malloc(size ? size : 1);
	if (!p)
		return nullptr;
	/* kmalloc does not zero: make reliance on zeroed memory visible. */
	std::memset(p, 0xA5, size);
	register_block(p, size);
	return p;
}

void *crono_kmalloc(crono_usize size, enum crono_gfp) noexcept
{
	return fake_alloc(Call::kmalloc, size);
}

void crono_kfree(const void *ptr) noexcept
{
	if (!ptr)
		return;
	if (!unregister(ptr))
		return violation("kfree of a pointer the allocator did not "
				 "return (or a double free)");
	std::free(const_cast<void *>(ptr));
}

crono_usize crono_kmalloc_bytes(const void *ptr) noexcept
{
	const size_t size = block_size(ptr);
	ensure(size != 0, "size of a block the allocator did not return");
	/* The fake's allocator sets aside exactly what was asked. */
	return size;
}

/* ---- logging ------------------------------------------------------------- */

void crono_klog(const struct crono_pci *, enum crono_log_level level,
		const char *fmt, ...) noexcept
{
	char line[512];
	va_list args;
	va_start(args, fmt);
	std::vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	std::string text(line);
	if (!text.empty() && text.back() == '\n')
		text.pop_back();
	else
		violation("log line without a trailing newline: " + text);
	if (std::getenv("CRONO_FAKE_LOG"))
		std::fprintf(stderr, "[klog %d] %s\n", int(level),
			     text.c_str());
	st().logs.push_back(text);
}

/* ---- atomics ------------------------------------------------------------- */

void crono_krefcount_init(struct crono_refcount *ref, crono_u32 count) noexcept
{
	__atomic_store_n(&ref->counter, int(count), __ATOMIC_RELAXED);
}

void crono_krefcount_inc(struct crono_refcount *ref) noexcept
{
	/* refcount_t warns here; the fake makes it a failure. */
	if (__atomic_fetch_add(&ref->counter, 1, __ATOMIC_RELAXED) <= 0)
		violation("reference count incremented from zero");
}

int crono_krefcount_dec_and_test(struct crono_refcount *ref) noexcept
{
	const int old = __atomic_fetch_sub(&ref->counter, 1, __ATOMIC_ACQ_REL);
	if (old <= 0)
		violation("reference count underflow");
	return old == 1;
}

void crono_katomic64_set(struct crono_atomic64 *v, long long value) noexcept
{
	__atomic_store_n(&v->counter, value, __ATOMIC_RELAXED);
}

void crono_katomic64_add(struct crono_atomic64 *v, long long n) noexcept
{
	__atomic_fetch_add(&v->counter, n, __ATOMIC_RELAXED);
}

long long crono_katomic64_read(const struct crono_atomic64 *v) noexcept
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

/* ---- locks --------------------------------------------------------------- */

struct crono_mutex *crono_kmutex_create(enum crono_lock_class cls) noexcept
{
	if (injected(Call::mutex_create))
		return nullptr;
	if (unsigned(cls) >= CRONO_LOCK_CLASS_COUNT)
		violation("mutex of an unknown lock class");
	auto *m = new crono_mutex{ cls };
	st().mutexes.insert(m);
	return m;
}

void crono_kmutex_destroy(struct crono_mutex *m) noexcept
{
	State &s = st();
	if (!ensure(s.mutexes.erase(m), "destroy of an unknown mutex"))
		return;
	if (drop_hold(m))
		violation(std::string("destroy of a held ") +
			  lock_class_name(m->cls) + " mutex");
	delete m;
}

void crono_kmutex_lock(struct crono_mutex *m) noexcept
{
	State &s = st();
	if (!ensure(s.mutexes.count(m), "lock of an unknown mutex"))
		return;
	if (std::count(s.held.begin(), s.held.end(), m)) {
		violation(std::string("recursive lock of the ") +
			  lock_class_name(m->cls) + " mutex (deadlock)");
		return;
	}
	if ((m->cls == CRONO_LOCK_BOARD || m->cls == CRONO_LOCK_OPEN) &&
	    s.mmap_lock_depth)
		violation(std::string(lock_class_name(m->cls)) +
			  " lock taken under the mmap lock (faults and mmap "
			  "take only the mappings lock)");
	for (crono_mutex *outer : s.held) {
		/* The nestings the core documents: board -> open, board ->
		 * mappings. */
		if (!(outer->cls == CRONO_LOCK_BOARD &&
		      (m->cls == CRONO_LOCK_MAPPINGS ||
		       m->cls == CRONO_LOCK_OPEN)))
			violation(std::string("lock order: ") +
				  lock_class_name(m->cls) + " taken under " +
				  lock_class_name(outer->cls));
	}
	s.held.push_back(m);
}

void crono_kmutex_unlock(struct crono_mutex *m) noexcept
{
	State &s = st();
	if (!s.mutexes.count(m) || !drop_hold(m))
		violation("unlock of a mutex that is not held");
}

/* ---- user memory --------------------------------------------------------- */

int crono_kcopy_from_user(void *dst, crono_u64 user_src,
			  crono_usize len) noexcept
{
	user_access_point("copy_from_user");
	if (const Rule *rule = injected(Call::copy_from_user))
		return rule->err;
	const u64 done = copy_from_ranges(user_src, dst, len, fake::prot_read);
	if (done < len) {
		/* As the kernel does: the uncopied tail is zeroed. */
		std::memset(static_cast<unsigned char *>(dst) + done, 0,
			    len - done);
		return -EFAULT;
	}
	return 0;
}

int crono_kmemlock_charge(crono_usize npages,
			  struct crono_memlock **charge) noexcept
{
	State &s = st();
	if (const Rule *rule = injected(Call::memlock_charge))
		return rule->err;
	if (npages > s.memlock_limit || s.charged > s.memlock_limit - npages)
		return -ENOMEM;
	s.charged += npages;
	s.charges++;
	*charge = &s.memlock;
	record(Event::memlock_charge, npages);
	return 0;
}

void crono_kmemlock_uncharge(struct crono_memlock *charge,
			     crono_usize npages) noexcept
{
	State &s = st();
	if (!ensure(charge == &s.memlock && s.charges > 0,
		    "uncharge of a charge not taken"))
		return;
	if (npages > s.charged) {
		violation("uncharge of more pages than charged");
		npages = s.charged;
	}
	s.charged -= npages;
	s.charges--;
	record(Event::memlock_uncharge, npages);
}

crono_usize crono_kmemlock_bytes(const struct crono_memlock *charge) noexcept
{
	ensure(charge == &st().memlock && st().charges > 0,
	       "size of a charge not taken");
	return fake::memlock_bytes;
}

long crono_kpin_user_pages(crono_u64 start, crono_usize npages,
			   struct crono_page **pages) noexcept
{
	State &s = st();
	user_access_point("pin_user_pages");
	u64 limit = npages;
	if (const Rule *rule = injected(Call::pin)) {
		if (rule->short_pages < 0)
			return rule->err;
		limit = std::min<u64>(limit, u64(rule->short_pages));
	}
	if (s.pin_max)
		limit = std::min(limit, s.pin_max);
	ensure(start % s.kpage == 0, "pin of an unaligned address");
	ensure(npages != 0, "pin of zero pages");

	u64 n = 0;
	while (n < limit) {
		const u64 page = start + n * s.kpage;
		/* FOLL_WRITE: the page must be mapped writable. */
		const u64 ok = walk_user(page, s.kpage, fake::prot_write,
					 [](Range &, u64, u64, u64) {});
		if (ok < s.kpage)
			break;
		pages[n] = reinterpret_cast<struct crono_page *>(page);
		s.pinned.insert(page);
		n++;
	}
	if (n == 0 && limit != 0)
		return -EFAULT;
	if (n)
		record(Event::pin, start, n);
	return long(n);
}

void crono_kunpin_user_pages(struct crono_page **pages,
			     crono_usize npages) noexcept
{
	State &s = st();
	if (!ensure(npages && pages, "unpin of no pages"))
		return;
	for (crono_usize i = 0; i < npages; i++) {
		const u64 page = reinterpret_cast<u64>(pages[i]);
		auto it = s.pinned.find(page);
		if (!ensure(it != s.pinned.end(),
			    "unpin of a page that is not pinned"))
			continue;
		s.pinned.erase(it);
		s.dirtied++; /* the glue always unpins dirty */
	}
	record(Event::unpin, reinterpret_cast<u64>(pages[0]), npages);
}

int crono_kuser_window_pin(crono_u64 start, crono_usize len,
			   struct crono_user_window **out) noexcept
{
	State &s = st();
	user_access_point("pin of a user window");
	if (const Rule *rule = injected(Call::window_pin))
		return rule->err;
	ensure(len != 0, "window of zero bytes");
	const u64 ok = walk_user(start, len, fake::prot_write,
				 [](Range &, u64, u64, u64) {});
	if (ok < len)
		return -EFAULT;
	auto *window = new crono_user_window{ start, len };
	s.windows.insert(window);
	record(Event::window_pin, start, len, window);
	*out = window;
	return 0;
}

void crono_kuser_window_write(struct crono_user_window *window,
			      crono_usize offset, const void *src,
			      crono_usize len) noexcept
{
	State &s = st();
	if (!ensure(s.windows.count(window),
		    "write through a window that is not pinned") ||
	    !ensure(offset <= window->len && len <= window->len - offset,
		    "write outside its window"))
		return;
	const u64 at = window->start + offset;
	record(Event::user_write, at, len, window);
	/* Pinned pages stay writable whatever the mapping became since. */
	copy_to_ranges(at, src, len, fake::prot_none);
}

void crono_kuser_window_release(struct crono_user_window *window) noexcept
{
	State &s = st();
	if (!ensure(s.windows.erase(window),
		    "release of a window that is not pinned"))
		return;
	record(Event::window_release, window->start, window->len, window);
	delete window;
}

/* ---- the calling task ---------------------------------------------------- */

void crono_kcond_resched(void) noexcept {}

int crono_kfatal_signal_pending(void) noexcept
{
	State &s = st();
	s.signal_checks++;
	return s.kill_at && s.signal_checks >= s.kill_at;
}

/* ---- the PCI function ---------------------------------------------------- */

void crono_kpci_location(const struct crono_pci *pci,
			 struct crono_pci_location *loc) noexcept
{
	*loc = pci->loc;
}

crono_u64 crono_kpci_bar0_len(const struct crono_pci *pci) noexcept
{
	return pci->bar0_len;
}

void crono_kpci_bar0_write32(struct crono_pci *pci, crono_u32 offset,
			     crono_u32 value) noexcept
{
	if (offset % 4 || u64(offset) + 4 > pci->bar0_len)
		violation("BAR0 write outside BAR0 or unaligned");
	ensure(pci->refs, "BAR0 write after the PCI function was freed");
	record(Event::bar0_write, offset, value, pci);
	pci->bar0[offset] = value;
}

void crono_kpci_flush_writes(struct crono_pci *pci) noexcept
{
	ensure(pci->refs, "flush after the PCI function was freed");
	record(Event::flush, 0, 0, pci);
}

void crono_kpci_set_bus_master(struct crono_pci *pci, int enable) noexcept
{
	if (!pci->refs)
		violation("bus master change after the PCI function was "
			  "freed");
	pci->bus_master = enable;
	record(Event::bus_master, enable ? 1 : 0, 0, pci);
}

void crono_kpci_get(struct crono_pci *pci) noexcept
{
	ensure(pci->refs, "reference taken to a freed PCI function");
	pci->refs++;
}

void crono_kpci_put(struct crono_pci *pci) noexcept
{
	if (!ensure(pci->refs, "PCI function put more often than referenced"))
		return;
	pci->refs--;
	record(Event::pci_put, 0, 0, pci);
}

/* ---- scatter/gather DMA -------------------------------------------------- */

crono_u32 crono_kdma_max_segment(const struct crono_pci *pci) noexcept
{
	return pci->max_segment;
}

int crono_kdma_always_bounces(const struct crono_pci *pci) noexcept
{
	if (injected(Call::always_bounces))
		return 1;
	return pci->always_bounces;
}

int crono_ksgt_alloc(struct crono_sgt **out) noexcept
{
	State &s = st();
	if (const Rule *rule = injected(Call::sgt_alloc))
		return rule->err;
	auto *sgt = new crono_sgt;
	sgt->id = ++s.next_sgt;
	s.sgts.insert(sgt);
	*out = sgt;
	record(Event::sgt_create, sgt->id, 0, sgt);
	return 0;
}

/* Whether the kernel would merge page b into a segment ending with a. */
static bool physically_adjacent(u64 a, u64 b)
{
	return !st().scattered && b == a + st().kpage;
}

int crono_ksgt_append(struct crono_sgt *sgt, struct crono_page **pages,
		      crono_usize npages, crono_u32 max_segment,
		      crono_usize pages_left) noexcept
{
	State &s = st();
	if (!ensure(s.sgts.count(sgt), "append to an unknown sg table"))
		return -EINVAL;
	if (const Rule *rule = injected(Call::sgt_append))
		return rule->err;
	ensure(npages != 0, "append of zero pages");
	ensure(!sgt->mapped && !sgt->unpinned,
	       "append to a table that is mapped or unpinned");
	if (max_segment == 0 || max_segment % s.kpage)
		violation("sg table segment limit not a page multiple");
	if (sgt->max_segment && sgt->max_segment != max_segment)
		violation("appends with different segment limits");
	sgt->max_segment = max_segment;
	if (!sgt->pages.empty() && sgt->pages_left != npages + pages_left)
		violation("append of other pages than the last one announced");
	for (crono_usize i = 0; i < npages; i++) {
		const u64 page = reinterpret_cast<u64>(pages[i]);
		/* find, not count: a page may be pinned by thousands of
		 * buffers. */
		if (s.pinned.find(page) == s.pinned.end())
			violation("sg table over a page that is not pinned");
		if (!sgt->pages.empty() &&
		    physically_adjacent(sgt->pages.back(), page) &&
		    sgt->last_run + s.kpage <= max_segment) {
			sgt->last_run += s.kpage;
		} else {
			sgt->segments++;
			sgt->last_run = s.kpage;
		}
		sgt->pages.push_back(page);
	}
	sgt->pages_left = pages_left;
	record(Event::sgt_append, sgt->id, reinterpret_cast<u64>(pages[0]),
	       sgt);
	return 0;
}

void crono_ksgt_unpin_dirty(struct crono_sgt *sgt) noexcept
{
	State &s = st();
	if (!ensure(s.sgts.count(sgt), "unpin through an unknown sg table") ||
	    !ensure(!sgt->mapped, "pages unpinned while the device can "
				  "reach them (the table is DMA-mapped)") ||
	    !ensure(!sgt->unpinned, "pages of a table unpinned twice"))
		return;
	sgt->unpinned = true;
	for (const u64 page : sgt->pages) {
		auto it = s.pinned.find(page);
		if (!ensure(it != s.pinned.end(),
			    "unpin of a page that is not pinned"))
			continue;
		s.pinned.erase(it);
		s.dirtied++; /* the glue always unpins dirty */
	}
	record(Event::sgt_unpin, sgt->id, sgt->pages.size(), sgt);
}

void crono_ksgt_destroy(struct crono_sgt *sgt) noexcept
{
	State &s = st();
	if (!ensure(s.sgts.erase(sgt),
		    "destroy of an unknown sg table (double free?)"))
		return;
	ensure(!sgt->mapped, "sg table destroyed while DMA-mapped");
	ensure(sgt->unpinned || sgt->pages.empty(),
	       "sg table freed with its pages still pinned (they leak)");
	record(Event::sgt_destroy, sgt->id, 0, sgt);
	delete sgt;
}

crono_usize crono_ksgt_bytes(const struct crono_sgt *sgt) noexcept
{
	ensure(st().sgts.count(const_cast<crono_sgt *>(sgt)),
	       "size of an unknown sg table");
	return fake::sgt_bytes(sgt->segments);
}

int crono_kdma_map_sgt(struct crono_pci *, struct crono_sgt *sgt) noexcept
{
	State &s = st();
	if (!ensure(s.sgts.count(sgt), "DMA map of an unknown sg table"))
		return -EINVAL;
	if (const Rule *rule = injected(Call::dma_map))
		return rule->err;
	ensure(!sgt->mapped, "sg table mapped twice");
	const fake::Layout &layout =
		s.layout ? s.layout : fake::contiguous_layout();
	ensure(!sgt->pages.empty() && !sgt->pages_left && !sgt->unpinned,
	       "DMA map of a table not complete or already unpinned");
	sgt->dma = layout(sgt->pages.size(), sgt->max_segment);
	sgt->mapped = true;
	s.last_segments = sgt->dma;
	record(Event::dma_map, sgt->id, 0, sgt);
	return 0;
}

void crono_kdma_unmap_sgt(struct crono_pci *, struct crono_sgt *sgt) noexcept
{
	State &s = st();
	if (!ensure(s.sgts.count(sgt) && sgt->mapped,
		    "DMA unmap of a table that is not mapped"))
		return;
	sgt->mapped = false;
	record(Event::dma_unmap, sgt->id, 0, sgt);
}

int crono_kdma_sgt_bounced(const struct crono_pci *pci,
			   const struct crono_sgt *sgt) noexcept
{
	ensure(sgt->mapped, "bounce check of a table that is not mapped");
	if (injected(Call::sgt_bounced))
		return 1;
	return pci->bounces;
}

int crono_ksgt_walk_dma(const struct crono_sgt *sgt, crono_dma_segment_fn fn,
			void *ctx) noexcept
{
	if (!ensure(st().sgts.count(const_cast<crono_sgt *>(sgt)) &&
			    sgt->mapped,
		    "DMA walk of a table that is not mapped"))
		return 0;
	for (const Seg &seg : sgt->dma) {
		const int ret = fn(ctx, seg.addr, seg.len);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- coherent DMA -------------------------------------------------------- */

void *crono_kcoherent_alloc(struct crono_pci *, crono_usize size,
			    crono_u64 *dma_addr) noexcept
{
	State &s = st();
	if (injected(Call::coherent_alloc))
		return nullptr;
	if (size == 0 || size % s.kpage)
		violation("coherent allocation not of whole pages");
	/* The CPU side is a cookie (faults hand it to the fake's vmas); no
	 * test reads the memory, so gigabytes need not be allocated. */
	void *cpu =
		std::calloc(1, std::min<crono_usize>(size ? size : 1, 4096));
	*dma_addr = s.next_coherent;
	s.next_coherent += round_up_page(size) + s.kpage;
	s.coherent[cpu] = Coherent{ size, *dma_addr };
	record(Event::coherent_alloc, *dma_addr, size, cpu);
	return cpu;
}

void crono_kcoherent_free(struct crono_pci *, crono_usize size, void *cpu,
			  crono_u64 dma_addr) noexcept
{
	State &s = st();
	auto it = s.coherent.find(cpu);
	if (!ensure(it != s.coherent.end(),
		    "free of unknown coherent memory (double free?)"))
		return;
	if (it->second.size != size || it->second.dma != dma_addr)
		violation("coherent free with another size or address");
	for (const auto &vma : s.vmas) {
		if (vma->closed || vma->forking)
			continue;
		for (const auto &page : vma->present)
			if (page.second == cpu)
				violation("coherent memory freed while a "
					  "page of it is still mapped");
	}
	record(Event::coherent_free, dma_addr, size, cpu);
	s.coherent.erase(it);
	std::free(cpu);
}

crono_u64 crono_kvma_pgoff(const struct crono_vma *vma) noexcept
{
	return vma->pgoff;
}

crono_u64 crono_kvma_len(const struct crono_vma *vma) noexcept
{
	return vma->len;
}

int crono_kvma_may_share(const struct crono_vma *vma) noexcept
{
	return vma->shared;
}

void crono_kvma_setup_contig(struct crono_pci *, struct crono_vma *vma,
			     void *token) noexcept
{
	ensure(st().mmap_lock_depth, "vma set up outside of mmap");
	ensure(vma->present.empty(), "a page is mapped before any fault");
	vma->pgoff = 0;
	vma->mapped = true;
	vma->token = token;
	record(Event::vma_setup, 0, 0, vma);
}

int crono_kcoherent_insert(struct crono_pci *, struct crono_fault *fault,
			   void *cpu, crono_usize size) noexcept
{
	State &s = st();
	if (!holds(CRONO_LOCK_MAPPINGS))
		violation("page inserted without the mappings lock");
	if (const Rule *rule = injected(Call::fault_insert))
		return rule->err;
	auto it = s.coherent.find(cpu);
	if (!ensure(it != s.coherent.end() && it->second.size == size,
		    "page inserted from unknown coherent memory"))
		return -EFAULT;
	if (fault->index >= round_up_page(size) / s.kpage)
		return -EFAULT;
	fault->vma->present[fault->index] = cpu;
	record(Event::fault_insert, it->second.dma, fault->index, fault->vma);
	return 0;
}

void crono_kvma_zap(struct crono_vma *vma) noexcept
{
	vma->present.clear();
	record(Event::vma_zap, 0, 0, vma);
}

void crono_kfile_zap_mappings(struct crono_kfile *kfile) noexcept
{
	State &s = st();
	for (const auto &vma : s.vmas) {
		if (vma->kfile == kfile && vma->mapped && !vma->closed) {
			vma->zapped = true;
			vma->present.clear();
		}
	}
	kfile->zaps++;
	record(Event::zap, 0, 0, kfile);
}

} // extern "C"

/* ---- the test side ------------------------------------------------------- */

namespace fake {

#define FAKE_NAME(name) #name,

static const char *call_name(Call call)
{
	static const char *const names[] = { FAKE_CALLS(FAKE_NAME) };
	return size_t(call) < std::size(names) ? names[size_t(call)] : "?";
}

static const char *event_name(Event event)
{
	static const char *const names[] = { FAKE_EVENTS(FAKE_NAME) };
	return size_t(event) < std::size(names) ? names[size_t(event)] : "?";
}

std::ostream &operator<<(std::ostream &out, Call call)
{
	return out << call_name(call);
}

std::ostream &operator<<(std::ostream &out, Event event)
{
	return out << event_name(event);
}

unsigned calls(Call call)
{
	return st().counts[size_t(call)];
}

void fail_nth(Call call, unsigned nth, int err)
{
	st().rules.push_back(Rule{ call, nth, err, -1 });
}

void fail_next(Call call, int err, unsigned nth_from_now)
{
	fail_nth(call, calls(call) + nth_from_now, err);
}

void pin_short_next(long pages, unsigned nth_from_now)
{
	st().rules.push_back(
		Rule{ Call::pin, calls(Call::pin) + nth_from_now, 0, pages });
}

void set_pin_max_per_call(u64 pages)
{
	st().pin_max = pages;
}

void set_kernel_page_size(u64 bytes)
{
	st().kpage = bytes;
}

const std::vector<Record> &records()
{
	return st().records;
}

Match with_a(u64 a)
{
	return [a](const Record &r) { return r.a == a; };
}

std::vector<long> indexes_of(Event event, long from, const Match &match)
{
	std::vector<long> out;
	const auto &r = st().records;
	for (size_t i = size_t(from); i < r.size(); i++) {
		if (r[i].event == event && (!match || match(r[i])))
			out.push_back(long(i));
	}
	return out;
}

long first(Event event, long from, const Match &match)
{
	const auto found = indexes_of(event, from, match);
	return found.empty() ? -1 : found.front();
}

long last(Event event, long from)
{
	const auto found = indexes_of(event, from);
	return found.empty() ? -1 : found.back();
}

long count(Event event, long from)
{
	return long(indexes_of(event, from).size());
}

std::string dump_records()
{
	std::string out;
	char line[160];
	const auto &r = st().records;
	for (size_t i = 0; i < r.size(); i++) {
		std::snprintf(line, sizeof(line),
			      "  %3zu %-15s a=%#llx b=%#llx\n", i,
			      event_name(r[i].event), r[i].a, r[i].b);
		out += line;
	}
	return out;
}

u64 user_map(u64 len, unsigned prot, bool backed)
{
	State &s = st();
	const u64 addr =
		user_map_at(round_up_page(s.next_user), len, prot, backed);
	/* The next range after an unmapped guard page. */
	s.next_user = addr + round_up_page(len) + s.kpage;
	return addr;
}

u64 user_map_at(u64 addr, u64 len, unsigned prot, bool backed)
{
	State &s = st();
	ensure(len != 0, "test: user_map of zero bytes");
	ensure(addr % s.kpage == 0, "test: user_map at an unaligned address");
	const u64 span = round_up_page(len);
	const auto next = s.ranges.lower_bound(addr);
	if (range_of(addr) ||
	    (next != s.ranges.end() && next->first - addr < span))
		violation("test: user_map over another range");
	Range range{ addr, span, prot, backed, {} };
	if (backed)
		range.bytes.assign(span, 0);
	s.ranges.emplace(addr, std::move(range));
	return addr;
}

void user_unmap(u64 addr)
{
	st().ranges.erase(addr);
}

void user_protect(u64 addr, unsigned prot)
{
	auto it = st().ranges.find(addr);
	if (ensure(it != st().ranges.end(), "test: user_protect of no range"))
		it->second.prot = prot;
}

void user_write(u64 addr, const void *src, size_t len)
{
	if (copy_to_ranges(addr, src, len, prot_none) < len)
		violation("test: user_write outside the fake user ranges");
}

void user_read(u64 addr, void *dst, size_t len)
{
	std::memset(dst, 0, len);
	if (copy_from_ranges(addr, dst, len, prot_none) < len)
		violation("test: user_read outside the fake user ranges");
}

u64 dirtied_pages()
{
	return st().dirtied;
}
bool page_pinned(u64 user_page)
{
	return st().pinned.count(user_page) != 0;
}
void set_memlock_limit(u64 pages)
{
	st().memlock_limit = pages;
}
void set_layout(Layout layout)
{
	st().layout = std::move(layout);
}

Layout contiguous_layout()
{
	return [](u64 npages, u32 max_segment) {
		State &s = st();
		std::vector<Seg> segs;
		u64 addr = s.next_iova;
		u64 left = npages * s.kpage;
		while (left) {
			const u64 len = std::min<u64>(left, max_segment);
			segs.push_back(Seg{ addr, len });
			addr += len;
			left -= len;
		}
		/* The next table at a fresh IOVA, with a gap. */
		s.next_iova = round_up_page(addr) + (1ull << 32);
		return segs;
	};
}

Layout fixed_layout(std::vector<Seg> segments)
{
	return [segments](u64, u32) { return segments; };
}

std::vector<Seg> last_mapped_segments()
{
	return st().last_segments;
}

u64 coherent_dma_of(const void *cpu)
{
	auto it = st().coherent.find(const_cast<void *>(cpu));
	return it == st().coherent.end() ? 0 : it->second.dma;
}

bool logged(const std::string &needle)
{
	for (const std::string &line : st().logs) {
		if (line.find(needle) != std::string::npos)
			return true;
	}
	return false;
}

/* As the kernel runs mmap and vm callbacks: under the address space's mmap
 * lock (the core must not take its board lock there). */
static void in_mmap_lock(const std::function<void()> &fn)
{
	st().mmap_lock_depth++;
	fn();
	st().mmap_lock_depth--;
}

crono_vma *vma_new(crono_kfile *kfile, u64 pgoff, u64 len, bool shared)
{
	auto vma = std::make_unique<crono_vma>();
	vma->kfile = kfile;
	vma->pgoff = pgoff;
	vma->len = len;
	vma->shared = shared;
	crono_vma *raw = vma.get();
	st().vmas.push_back(std::move(vma));
	return raw;
}

int vma_mmap(struct crono_open_file *file, crono_vma *vma)
{
	int ret = 0;
	in_mmap_lock([&] { ret = crono_file_mmap(file, vma); });
	if (ret) {
		if (vma->mapped)
			violation("mmap failed after the vma was set up");
		vma->closed = true; /* freed without ->close */
	} else if (!vma->mapped) {
		violation("mmap succeeded without setting the vma up");
	}
	return ret;
}

void vma_close(crono_vma *vma)
{
	if (!ensure(vma->mapped && !vma->closed,
		    "test: close of a vma that is not mapped"))
		return;
	vma->closed = true;
	in_mmap_lock([&] { crono_contig_mapping_closed(vma->token); });
}

crono_vma *vma_copy(crono_vma *vma, const std::function<void()> &before_open)
{
	crono_vma *copy =
		vma_new(vma->kfile, vma->pgoff, vma->len, vma->shared);
	copy->mapped = vma->mapped;
	copy->token = vma->token;
	copy->present = vma->present;
	copy->zapped = vma->zapped;
	if (before_open) {
		/* The child cannot run until fork returns. */
		copy->forking = true;
		before_open();
		copy->forking = false;
	}
	in_mmap_lock([&] { crono_contig_mapping_opened(copy->token, copy); });
	return copy;
}

int vma_touch(crono_vma *vma, u64 index)
{
	if (!ensure(vma->mapped && !vma->closed,
		    "test: touch of a vma that is not mapped"))
		return -EFAULT;
	if (vma->present.count(index))
		return 0;
	crono_fault fault{ vma, index };
	int ret = 0;
	in_mmap_lock([&] { ret = crono_contig_fault(vma->token, &fault); });
	if (ret == 0 && !vma->present.count(index))
		violation("fault succeeded without inserting the page");
	return ret;
}

const void *vma_page(const crono_vma *vma, u64 index)
{
	auto it = vma->present.find(index);
	return it == vma->present.end() ? nullptr : it->second;
}

void on_user_access(const std::string &what, std::function<void()> fn)
{
	st().stall_at = what;
	st().stall = std::move(fn);
}

void kill_at_signal_check(unsigned nth)
{
	st().kill_at = nth;
}

unsigned signal_checks()
{
	return st().signal_checks;
}

void vma_close_all()
{
	for (size_t i = 0; i < st().vmas.size(); i++) {
		crono_vma *vma = st().vmas[i].get();
		if (vma->mapped && !vma->closed)
			vma_close(vma);
	}
}

void reset()
{
	State &s = st();
	/* Core blocks still live belong to a test that leaked them (and
	 * failed for it): forget them, so the next test starts from zero and
	 * LeakSanitizer reports them at exit. */
	{
		Registry &r = registry();
		std::lock_guard<std::mutex> guard(r.lock);
		r.blocks.clear();
	}
	for (crono_sgt *sgt : s.sgts)
		delete sgt;
	for (crono_mutex *m : s.mutexes)
		delete m;
	for (auto &c : s.coherent)
		std::free(c.first);
	for (crono_user_window *w : s.windows)
		delete w;
	/* Everything else back to its initial value, in place: &s.memlock
	 * stays the charge handle. */
	s = State();
}

Held held()
{
	State &s = st();
	Held h;
	{
		Registry &r = registry();
		std::lock_guard<std::mutex> guard(r.lock);
		h.allocations = r.blocks.size();
	}
	h.pins = s.pinned.size();
	h.charged = s.charged;
	h.charges = s.charges;
	h.sgts = long(s.sgts.size());
	for (crono_sgt *sgt : s.sgts)
		h.mapped += sgt->mapped;
	h.coherent = long(s.coherent.size());
	h.mutexes = long(s.mutexes.size());
	h.locked = long(s.held.size());
	for (const auto &vma : s.vmas)
		h.vmas += vma->mapped && !vma->closed;
	h.windows = long(s.windows.size());
	h.violations = s.violations;
	return h;
}

bool operator==(const Held &a, const Held &b)
{
	return std::tie(a.allocations, a.pins, a.charged, a.charges, a.sgts,
			a.mapped, a.coherent, a.mutexes, a.locked, a.vmas,
			a.windows, a.violations) ==
	       std::tie(b.allocations, b.pins, b.charged, b.charges, b.sgts,
			b.mapped, b.coherent, b.mutexes, b.locked, b.vmas,
			b.windows, b.violations);
}

std::ostream &operator<<(std::ostream &out, const Held &h)
{
	out << "allocations=" << h.allocations << " pins=" << h.pins
	    << " charged=" << h.charged << " charges=" << h.charges
	    << " sgts=" << h.sgts << " mapped=" << h.mapped
	    << " coherent=" << h.coherent << " mutexes=" << h.mutexes
	    << " locked=" << h.locked << " vmas=" << h.vmas
	    << " windows=" << h.windows;
	for (const std::string &v : h.violations)
		out << "\n  violation: " << v;
	return out;
}

bool clean()
{
	return held() == Held{};
}

u64 held_bytes()
{
	State &s = st();
	u64 bytes = 0;
	{
		Registry &r = registry();
		std::lock_guard<std::mutex> guard(r.lock);
		for (const auto &block : r.blocks)
			bytes += block.second;
	}
	for (const crono_sgt *sgt : s.sgts)
		bytes += sgt_bytes(sgt->segments);
	return bytes + u64(s.charges) * memlock_bytes;
}

u64 sgt_bytes(u64 segments)
{
	/* A header, and chunks of 127 segments and a link (not the kernel's
	 * exact rule: the core must only pass on what the glue says). */
	return 64 + (segments + 126) / 127 * 4096;
}

u64 sgt_segments(u64 sgt_id)
{
	for (const crono_sgt *sgt : st().sgts)
		if (sgt->id == sgt_id)
			return sgt->segments;
	return 0;
}

void set_scattered_pages(bool scattered)
{
	st().scattered = scattered;
}

} // namespace fake
