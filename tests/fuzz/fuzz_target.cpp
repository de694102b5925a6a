// SPDX-License-Identifier: GPL-2.0
/*
 * The host executor of fuzz programs (program.h) and the libFuzzer target.
 *
 * Each input is one module lifetime: the fake glue reset, core init, two
 * bound boards, then the program's operations through the core's C entry
 * points (tests/host/fake_glue.h plays the kernel), then what process exit
 * and module unload do: every mapping closed, every file released, every
 * board removed, core exit, and the fake must hold nothing.
 *
 * The executor keeps a model of what should be live: per open file its S/G
 * buffers, contiguous buffers (locked, or unlocked and still mapped), ids
 * and cleanup program; per board whether it is bound, open, removed and
 * bus-mastering; the mappings. After every step it compares the fake's
 * bookkeeping with the model (pins, charges, sg tables, DMA mappings,
 * coherent allocations, allocations, mutexes, vmas, references to the PCI
 * functions, the boards' counters), the records of the step with what the
 * step should have released and in which order, and the return value with
 * the one the model predicts from the arguments and the arena. Predictions
 * are exact unless a failure was injected, a removal raced the request or
 * the task was killed in the step; then only the set of errnos the ABI
 * documents holds. Anything else is a bug (in the core or in the model) and
 * aborts with a message, which makes libFuzzer save the input.
 *
 * CRONO_FUZZ_TRACE=1 prints every step and its result to stderr.
 */
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "crono_pci_drvmod.h"
#include "fake_glue.h"
#include "program.h"
#include "request_structs.h"
#include "sg_buffer.h"

using namespace crono_fuzz;
using fake::Call;
using fake::Event;
using u32 = fake::u32;
using u64 = fake::u64;

namespace {

/* Limits of docs/abi.md, restated so that the model does not read them
 * from the code it checks. */
constexpr u64 max_sg_bytes = 1ull << 38;
constexpr u64 max_contig_bytes = 1ull << 30;
constexpr u64 max_contig_bytes_per_file = 4ull << 30;
constexpr u32 max_buffers = 4096;
/* Host arena regions up to this size hold bytes; larger ones read as
 * zeros and drop writes (the fake's unbacked ranges). */
constexpr u64 backed_limit = 64 * 1024;
/* Pages asked for by LOCK_BUFFER (each may get as many pins and sg table
 * entries), and steps run, in one input after which repeat stops
 * repeating: 4095 locks of 4 GiB, or of 8193 pinned pages, would take the
 * fake half a minute; thousands of forks make every later step slow. */
constexpr u64 page_budget = 1ull << 22;
constexpr u64 step_budget = 20000;

bool tracing()
{
	static const bool on = std::getenv("CRONO_FUZZ_TRACE") != nullptr;
	return on;
}

struct SgBuf {
	int32_t id;
	u64 sgt;
	u64 first_page;
	u64 kpages;
};

/* What the driver must count as kept for a locked S/G buffer: its object,
 * its charge and its table, in the fake's sizes. */
u64 kept_bytes(const SgBuf &sg)
{
	return sizeof(crono::SgBuffer) + fake::memlock_bytes +
	       fake::sgt_bytes(fake::sgt_segments(sg.sgt));
}

struct ContigBuf {
	u64 serial;
	int32_t id; /* -1: unlocked */
	u64 size;   /* rounded to kernel pages */
	u64 dma;
	bool memory = true;
	u32 mappings = 0;
};

struct Pci {
	crono_pci pci;
	unsigned slot = 0;
	crono_board *handle = nullptr; /* the glue's reference while bound */
	bool bus_master = false;
};

struct File {
	Pci *pci = nullptr;
	crono_kfile kfile;
	crono_open_file *handle = nullptr;
	bool fd_open = true;
	bool released = false;
	bool detached = false;
	std::vector<SgBuf> sg;
	std::vector<ContigBuf> contig;
	std::vector<CRONO_KERNEL_CMD> program;
	std::vector<int32_t> unlocked; /* most recent last */
	u64 vmas = 0;		       /* live mappings */
};

struct Vma {
	crono_vma *vma;
	File *file;
	u64 serial; /* of the contiguous buffer */
	u64 pages;
	bool closed = false;
};

/* What one step must have done, checked against its records. */
struct Expect {
	std::vector<std::pair<u32, u32>> writes; /* BAR0: offset, value */
	long flushes = 0;
	std::vector<long> teardowns;	/* record index where each began */
	std::vector<SgBuf> sg_released; /* in any order */
	std::vector<ContigBuf> contig_freed;
	bool failed_lock = false; /* a LOCK request failed in this step */
};

struct Armed {
	Call call;
	unsigned nth; /* since reset */
	int err;
};

class Run;
Run *current;

class Run {
public:
	explicit Run(const Program &program) : program_(program) {}
	void execute();

	/* The removal a stalled user access runs. */
	void stalled_removal();

private:
	/* ---- failing ---- */
	[[noreturn]] void fail(const std::string &why);
	template <typename... Args> std::string fmt(Args &&...args)
	{
		std::ostringstream out;
		(out << ... << args);
		return out.str();
	}

	/* ---- the arena ---- */
	void write_user(u64 addr, const void *src, u64 len);
	void read_user(u64 addr, void *dst, u64 len);
	bool backed(u64 addr, u64 len) const;

	/* ---- the model ---- */
	u64 kpage() const { return program_.env.kernel_page; }
	u64 limit_pages() const { return program_.env.memlock_bytes / kpage(); }
	u64 charged_pages() const;
	bool board_alive(const Pci &pci) const;
	File *open_file_of(const Pci &pci);
	std::vector<File *> fd_open_files();
	File *pick_file(uint8_t n);
	std::vector<Vma *> live_vmas();
	bool has_live_vmas(const File &file);
	int32_t lowest_free_id(const File &file) const;
	int32_t resolve_id(const File &file, const IdRef &ref) const;
	ContigBuf *contig_by_serial(File &file, u64 serial);
	ContigBuf *locked_contig(File &file, int32_t id);

	/* ---- steps ---- */
	void step(const Op &op);
	void begin_step();
	void end_step(long ret);
	void create_board(unsigned slot);
	void open(unsigned slot);
	void close(File &file);
	void release(File &file);
	void teardown(File &file);
	void remove(Pci &pci);
	void shutdown(Pci &pci);
	long ioctl(File &file, u32 request, u64 arg);
	long predict(File &file, u32 request, u64 arg);
	void map(File &file, const Op &op);
	void munmap(Vma &vma);
	void fault(Vma &vma, u64 page);
	void fork(Vma &vma);
	void inject(const Op &op);
	void unwind();

	/* ---- checks ---- */
	bool chaos() const;
	void check_allowed(u32 request, long ret);
	void check_invariants();
	void check_records();
	void check_held();
	void check_boards();

	const Program &program_;
	Arena arena_;
	std::deque<Pci> pcis_;
	Pci *slots_[board_count] = {};
	std::deque<File> files_;
	std::deque<Vma> vmas_;
	u64 next_serial_ = 1;
	std::vector<Armed> armed_;
	unsigned kill_at_ = 0;
	unsigned signal_checks_before_ = 0;
	int stall_board_ = -1;
	bool stall_fired_ = false;

	/* The step being run: an operation of the program, or else a step
	 * of the setup or the unwind. */
	size_t op_index_ = 0;
	const Op *op_ = nullptr;
	const char *step_name_ = "";
	long step_from_ = 0;
	unsigned calls_before_[size_t(Call::count_)] = {};
	std::vector<int> fired_errs_;
	bool fired_ = false;
	Expect expect_;
	bool full_check_ = true;
	u64 pages_asked_ = 0; /* by LOCK_BUFFER, since the start */
	u64 steps_ = 0;
};

/* ---- failing ------------------------------------------------------------- */

void Run::fail(const std::string &why)
{
	std::fprintf(stderr, "\ncrono_fuzz: INVARIANT BROKEN: %s\n",
		     why.c_str());
	if (op_)
		std::fprintf(
			stderr, "crono_fuzz: in operation %zu of %zu: %s\n",
			op_index_, program_.ops.size(), describe(*op_).c_str());
	else
		std::fprintf(stderr, "crono_fuzz: in step \"%s\"\n",
			     step_name_);
	std::fprintf(stderr, "crono_fuzz: %s\n",
		     describe(program_.env).c_str());
	std::ostringstream held;
	held << fake::held();
	std::fprintf(stderr, "crono_fuzz: the fake holds %s\n",
		     held.str().c_str());
	std::fprintf(stderr, "crono_fuzz: records of the step:\n");
	std::string dump = fake::dump_records();
	/* Only the step's lines, at most 80 of them. */
	std::istringstream lines(dump);
	std::string line;
	long index = 0, shown = 0;
	while (std::getline(lines, line)) {
		if (index++ >= step_from_ && shown++ < 80)
			std::fprintf(stderr, "%s\n", line.c_str());
	}
	std::fflush(stderr);
	std::abort();
}

/* ---- the arena ----------------------------------------------------------- */

void Run::write_user(u64 addr, const void *src, u64 len)
{
	for (const Arena::Piece &piece : arena_.mapped_pieces(addr, len))
		fake::user_write(piece.at,
				 static_cast<const uint8_t *>(src) + piece.skip,
				 piece.len);
}

void Run::read_user(u64 addr, void *dst, u64 len)
{
	std::memset(dst, 0, len);
	for (const Arena::Piece &piece : arena_.mapped_pieces(addr, len))
		fake::user_read(piece.at,
				static_cast<uint8_t *>(dst) + piece.skip,
				piece.len);
}

bool Run::backed(u64 addr, u64 len) const
{
	if (!arena_.accessible(addr, len, prot_none))
		return false;
	return arena_.len(unsigned((addr - arena_base) / region_stride)) <=
	       backed_limit;
}

/* ---- the model ----------------------------------------------------------- */

u64 Run::charged_pages() const
{
	u64 pages = 0;
	for (const File &file : files_) {
		for (const SgBuf &sg : file.sg)
			pages += sg.kpages;
		for (const ContigBuf &c : file.contig)
			pages += c.memory ? c.size / kpage() : 0;
	}
	return pages;
}

bool Run::board_alive(const Pci &pci) const
{
	if (pci.handle)
		return true;
	for (const File &file : files_)
		if (!file.released && file.pci == &pci)
			return true;
	return false;
}

File *Run::open_file_of(const Pci &pci)
{
	for (File &file : files_)
		if (!file.released && file.pci == &pci)
			return &file;
	return nullptr;
}

std::vector<File *> Run::fd_open_files()
{
	std::vector<File *> out;
	for (File &file : files_)
		if (file.fd_open)
			out.push_back(&file);
	return out;
}

File *Run::pick_file(uint8_t n)
{
	auto open = fd_open_files();
	return open.empty() ? nullptr : open[n % open.size()];
}

std::vector<Vma *> Run::live_vmas()
{
	std::vector<Vma *> out;
	for (Vma &vma : vmas_)
		if (!vma.closed)
			out.push_back(&vma);
	return out;
}

bool Run::has_live_vmas(const File &file)
{
	return file.vmas != 0;
}

int32_t Run::lowest_free_id(const File &file) const
{
	uint64_t used[max_buffers / 64] = {};
	auto use = [&](int32_t id) { used[id / 64] |= 1ull << (id % 64); };
	for (const SgBuf &sg : file.sg)
		use(sg.id);
	for (const ContigBuf &c : file.contig)
		if (c.id >= 0)
			use(c.id);
	for (u32 word = 0; word < max_buffers / 64; word++)
		if (~used[word])
			return int32_t(word * 64 +
				       __builtin_ctzll(~used[word]));
	return -1;
}

int32_t Run::resolve_id(const File &file, const IdRef &ref) const
{
	std::vector<int32_t> ids;
	switch (ref.kind) {
	case IdRef::Kind::sg:
		for (const SgBuf &sg : file.sg)
			ids.push_back(sg.id);
		break;
	case IdRef::Kind::contig:
		for (const ContigBuf &c : file.contig)
			if (c.id >= 0)
				ids.push_back(c.id);
		break;
	case IdRef::Kind::other_file:
		for (const File &other : files_) {
			if (&other == &file || other.released)
				continue;
			for (const SgBuf &sg : other.sg)
				ids.push_back(sg.id);
			for (const ContigBuf &c : other.contig)
				if (c.id >= 0)
					ids.push_back(c.id);
		}
		break;
	case IdRef::Kind::unlocked:
		ids.assign(file.unlocked.rbegin(), file.unlocked.rend());
		break;
	case IdRef::Kind::value:
		return ref.value;
	}
	return ids.empty() ? -1 : ids[ref.nth % ids.size()];
}

ContigBuf *Run::contig_by_serial(File &file, u64 serial)
{
	for (ContigBuf &c : file.contig)
		if (c.serial == serial)
			return &c;
	return nullptr;
}

ContigBuf *Run::locked_contig(File &file, int32_t id)
{
	for (ContigBuf &c : file.contig)
		if (c.id >= 0 && c.id == id)
			return &c;
	return nullptr;
}

/* ---- steps --------------------------------------------------------------- */

void Run::begin_step()
{
	step_from_ = long(fake::records().size());
	for (size_t i = 0; i < size_t(Call::count_); i++)
		calls_before_[i] = fake::calls(Call(i));
	signal_checks_before_ = fake::signal_checks();
	fired_errs_.clear();
	fired_ = false;
	stall_fired_ = false;
	expect_ = Expect();
}

void Run::end_step(long ret)
{
	steps_++;
	if (tracing())
		std::fprintf(stderr, "crono_fuzz: %s -> %ld\n",
			     op_ ? describe(*op_).c_str() : step_name_, ret);
	check_invariants();
}

bool Run::chaos() const
{
	/* Killed in this step: the task stays killed, but later steps that
	 * check no signal are not affected. */
	const unsigned checks = fake::signal_checks();
	return fired_ || stall_fired_ ||
	       (kill_at_ && checks > signal_checks_before_ &&
		checks >= kill_at_);
}

/* Which injected failures fired in this step; call once after the core
 * returned. */
static void note_fired(std::vector<Armed> &armed, const unsigned *before,
		       std::vector<int> &errs, bool &fired)
{
	for (auto it = armed.begin(); it != armed.end();) {
		const unsigned now = fake::calls(it->call);
		if (before[size_t(it->call)] < it->nth && it->nth <= now) {
			fired = true;
			errs.push_back(it->err);
			it = armed.erase(it);
		} else if (it->nth <= now) {
			it = armed.erase(it);
		} else {
			++it;
		}
	}
}

void Run::create_board(unsigned slot)
{
	static const crono_pci_location locations[board_count] = {
		{ 0, 3, 0, 0, 0x1A13, 0x06 },
		{ 0, 4, 0, 0, 0x1A13, 0x08 },
	};
	static const char *const names[board_count] = { "crono_06_0003000",
							"crono_08_0004000" };
	const Env &env = program_.env;
	Pci &pci = pcis_.emplace_back();
	pci.slot = slot;
	pci.pci.loc = locations[slot];
	pci.pci.bar0_len = env.bar0_len;
	const u64 kp = kpage();
	const u64 segments[4] = { 0xFFFFF000ull / kp * kp, kp, 2 * kp,
				  (65536 + kp - 1) / kp * kp };
	pci.pci.max_segment = u32(segments[env.max_segment_sel % 4]);
	if (slot == 1) {
		pci.pci.always_bounces = env.always_bounces;
		pci.pci.bounces = env.bounces;
	}
	char name[CRONO_DEV_NAME_MAX_SIZE] = {};
	crono_board *handle = nullptr;
	const long ret =
		crono_board_create(&pci.pci, &handle, name, sizeof(name));
	note_fired(armed_, calls_before_, fired_errs_, fired_);
	if (ret == 0) {
		pci.handle = handle;
		slots_[slot] = &pci;
		if (std::strcmp(name, names[slot]) != 0)
			fail(fmt("board ", slot, " named ", name, ", not ",
				 names[slot]));
	} else {
		if (!chaos() || ret != -ENOMEM)
			fail(fmt("probe of board ", slot, " failed: ", ret));
		/* The glue frees its crono_pci after a failed probe: the core
		 * must hold no reference to it. */
		if (pci.pci.refs != 1)
			fail(fmt("a failed probe left ", pci.pci.refs - 1,
				 " core references to the PCI function"));
		crono_kpci_put(&pci.pci);
	}
	end_step(ret);
}

void Run::open(unsigned slot)
{
	Pci *pci = slots_[slot];
	if (!pci)
		return;
	const long expected = open_file_of(*pci) ? -EBUSY : 0;
	File &file = files_.emplace_back();
	file.pci = pci;
	const long ret =
		crono_file_open(pci->handle, &file.kfile, &file.handle);
	note_fired(armed_, calls_before_, fired_errs_, fired_);
	if (!chaos() && ret != expected)
		fail(fmt("open of board ", slot, " returned ", ret, ", not ",
			 expected));
	if (ret == 0) {
		if (expected)
			fail("a second open succeeded");
		pci->bus_master = true;
	} else {
		if (ret != -EBUSY && ret != -ENOMEM)
			fail(fmt("open returned ", ret));
		if (file.handle)
			fail("a refused open set the file");
		files_.pop_back();
	}
}

void Run::teardown(File &file)
{
	expect_.teardowns.push_back(long(fake::records().size()));
	for (const CRONO_KERNEL_CMD &cmd : file.program)
		expect_.writes.emplace_back(cmd.addr, cmd.data);
	file.program.clear();
	expect_.flushes++;
	file.pci->bus_master = false;
	for (const SgBuf &sg : file.sg)
		expect_.sg_released.push_back(sg);
	file.sg.clear();
	std::vector<ContigBuf> kept;
	for (ContigBuf &c : file.contig) {
		if (c.id >= 0)
			file.unlocked.push_back(c.id);
		c.id = -1;
		if (c.memory)
			expect_.contig_freed.push_back(c);
		c.memory = false;
		if (c.mappings)
			kept.push_back(c);
	}
	file.contig = kept;
	file.detached = true;
}

void Run::release(File &file)
{
	if (!file.detached)
		teardown(file);
	crono_file_release(file.handle);
	file.released = true;
	file.handle = nullptr;
	if (!file.contig.empty())
		fail("a released file kept contiguous buffers in the model");
}

void Run::close(File &file)
{
	file.fd_open = false;
	/* A mapping holds the file: released with its last mapping. */
	if (!has_live_vmas(file))
		release(file);
}

void Run::remove(Pci &pci)
{
	File *file = open_file_of(pci);
	if (file && !file->detached)
		teardown(*file);
	crono_board_remove(pci.handle);
	struct crono_board_stats stats {};
	crono_board_stats(pci.handle, &stats);
	if (stats.locked_buffers || stats.pinned_bytes ||
	    stats.coherent_bytes || stats.coherent_buffers ||
	    stats.bookkeeping_bytes)
		fail(fmt("counters of removed board ", pci.slot,
			 " not zero: locked ", stats.locked_buffers, " pinned ",
			 stats.pinned_bytes, " coherent ", stats.coherent_bytes,
			 "/", stats.coherent_buffers, " bookkeeping ",
			 stats.bookkeeping_bytes));
	crono_board_put(pci.handle);
	pci.handle = nullptr;
	crono_kpci_put(&pci.pci);
	slots_[pci.slot] = nullptr;
}

void Run::stalled_removal()
{
	if (stall_board_ < 0 || !slots_[stall_board_])
		return;
	stall_fired_ = true;
	remove(*slots_[stall_board_]);
	stall_board_ = -1;
}

void Run::shutdown(Pci &pci)
{
	File *file = open_file_of(pci);
	if (file && !file->detached) {
		for (const CRONO_KERNEL_CMD &cmd : file->program)
			expect_.writes.emplace_back(cmd.addr, cmd.data);
		expect_.flushes++;
	}
	pci.bus_master = false;
	crono_board_shutdown(pci.handle);
}

/* What the core must return for this request on this file now, if no
 * failure is injected and nothing races it. */
long Run::predict(File &file, u32 request, u64 arg)
{
	if (file.detached)
		return -ENODEV;
	const u64 kp = kpage();
	auto readable = [&](u64 addr, u64 len) {
		return arena_.accessible(addr, len, prot_read);
	};
	auto writable = [&](u64 addr, u64 len) {
		return arena_.accessible(addr, len, prot_write);
	};
	auto over_limit = [&](u64 pages) {
		const u64 limit = limit_pages(), charged = charged_pages();
		return pages > limit || charged > limit - pages;
	};
	switch (request) {
	case IOCTL_CRONO_LOCK_BUFFER: {
		CRONO_SG_BUFFER_INFO info;
		if (!readable(arg, sizeof(info)))
			return -EFAULT;
		read_user(arg, &info, sizeof(info));
		u64 end;
		const u64 entries = info.size / device_page +
				    (info.size % device_page != 0);
		if (info.addr == 0 || info.addr % kp || info.size == 0 ||
		    __builtin_add_overflow(info.addr, info.size, &end) ||
		    info.pages_count != entries)
			return -EINVAL;
		if (info.size > max_sg_bytes)
			return -ENOMEM;
		/* A full file refuses before it touches memory. */
		if (lowest_free_id(file) < 0)
			return -ENOMEM;
		if (file.pci->pci.always_bounces)
			return -EOPNOTSUPP;
		const u64 kpages = (info.size + kp - 1) / kp;
		if (over_limit(kpages))
			return -ENOMEM;
		if (!writable(info.addr, kpages * kp) ||
		    !writable(info.upages, u64(info.pages_count) * 8) ||
		    !writable(arg, sizeof(info)))
			return -EFAULT;
		return file.pci->pci.bounces ? -EOPNOTSUPP : 0;
	}
	case IOCTL_CRONO_UNLOCK_BUFFER: {
		int32_t id;
		if (!readable(arg, sizeof(id)))
			return -EFAULT;
		read_user(arg, &id, sizeof(id));
		for (const SgBuf &sg : file.sg)
			if (sg.id == id)
				return 0;
		return -EINVAL;
	}
	case IOCTL_CRONO_CLEANUP_SETUP: {
		CRONO_KERNEL_CMDS_INFO info;
		if (!readable(arg, sizeof(info)))
			return -EFAULT;
		read_user(arg, &info, sizeof(info));
		if (info.count > CRONO_KERNEL_CMDS_MAX)
			return -EINVAL;
		const u64 len = u64(info.count) * sizeof(CRONO_KERNEL_CMD);
		if (!readable(info.ucmds, len))
			return -EFAULT;
		CRONO_KERNEL_CMD cmds[CRONO_KERNEL_CMDS_MAX];
		read_user(info.ucmds, cmds, len);
		for (u32 i = 0; i < info.count; i++)
			if (cmds[i].addr % 4 ||
			    u64(cmds[i].addr) + 4 > file.pci->pci.bar0_len)
				return -EINVAL;
		return 0;
	}
	case IOCTL_CRONO_LOCK_CONTIG_BUFFER: {
		CRONO_CONTIG_BUFFER_INFO info;
		if (!readable(arg, sizeof(info)))
			return -EFAULT;
		read_user(arg, &info, sizeof(info));
		if (info.size == 0)
			return -EINVAL;
		if (info.size > max_contig_bytes)
			return -ENOMEM;
		const u64 size = (info.size + kp - 1) / kp * kp;
		if (!writable(arg, sizeof(info)))
			return -EFAULT;
		if (lowest_free_id(file) < 0 || over_limit(size / kp))
			return -ENOMEM;
		u64 held = 0, bytes = 0;
		for (const ContigBuf &c : file.contig) {
			held += c.memory;
			bytes += c.memory ? c.size : 0;
		}
		if (held >= max_buffers ||
		    size > max_contig_bytes_per_file - bytes)
			return -ENOMEM;
		return 0;
	}
	case IOCTL_CRONO_UNLOCK_CONTIG_BUFFER: {
		int32_t id;
		if (!readable(arg, sizeof(id)))
			return -EFAULT;
		read_user(arg, &id, sizeof(id));
		return locked_contig(file, id) ? 0 : -EINVAL;
	}
	default:
		return -ENOTTY;
	}
}

void Run::check_allowed(u32 request, long ret)
{
	if (ret == 0)
		return;
	std::vector<long> allowed;
	for (int err : documented_errnos(request))
		allowed.push_back(-err);
	for (int err : fired_errs_)
		allowed.push_back(err);
	for (long a : allowed)
		if (ret == a)
			return;
	fail(fmt("request ", std::hex, request, std::dec, " returned ", ret,
		 ", which the ABI does not document"));
}

long Run::ioctl(File &file, u32 request, u64 arg)
{
	const long expected = predict(file, request, arg);
	const int32_t new_id = lowest_free_id(file);
	/* The struct as the core will read it, for the read-back. */
	uint8_t before[40];
	read_user(arg, before, sizeof(before));
	int32_t id;
	std::memcpy(&id, before, sizeof(id));
	CRONO_KERNEL_CMDS_INFO cmds_info;
	std::memcpy(&cmds_info, before, sizeof(cmds_info));
	CRONO_KERNEL_CMD cmds[CRONO_KERNEL_CMDS_MAX];
	if (cmds_info.count <= CRONO_KERNEL_CMDS_MAX)
		read_user(cmds_info.ucmds, cmds,
			  cmds_info.count * sizeof(CRONO_KERNEL_CMD));

	if (request == IOCTL_CRONO_LOCK_BUFFER) {
		CRONO_SG_BUFFER_INFO info;
		std::memcpy(&info, before, sizeof(info));
		pages_asked_ +=
			std::min<u64>(info.size, max_sg_bytes) / kpage();
	}
	const long ret = crono_file_ioctl(file.handle, request, arg);
	note_fired(armed_, calls_before_, fired_errs_, fired_);
	check_allowed(request, ret);
	if (!chaos() && ret != expected)
		fail(fmt("request ", std::hex, request, std::dec, " returned ",
			 ret, ", the model expected ", expected));
	const bool lock = request == IOCTL_CRONO_LOCK_BUFFER ||
			  request == IOCTL_CRONO_LOCK_CONTIG_BUFFER;
	/* A lock on a full file touches no memory: a retry with pages the
	 * caller still has locked must not pin or map them again. */
	if (lock && new_id < 0 && !file.detached)
		for (Event e :
		     { Event::memlock_charge, Event::pin, Event::sgt_create,
		       Event::dma_map, Event::coherent_alloc })
			if (fake::count(e, step_from_))
				fail(fmt("a lock on a file without a free id "
					 "reached ",
					 e));
	if (ret != 0) {
		expect_.failed_lock |= lock;
		return ret;
	}
	if (file.detached)
		fail("a request succeeded on a file whose board was removed");

	const auto &records = fake::records();
	switch (request) {
	case IOCTL_CRONO_LOCK_BUFFER: {
		CRONO_SG_BUFFER_INFO info;
		std::memcpy(&info, before, sizeof(info));
		const long created = fake::last(Event::sgt_create, step_from_);
		if (created < 0)
			fail("LOCK_BUFFER succeeded without an sg table");
		SgBuf sg{ new_id, records[size_t(created)].a, info.addr,
			  (info.size + kpage() - 1) / kpage() };
		file.sg.push_back(sg);
		/* The struct comes back as it was read, with the id. */
		CRONO_SG_BUFFER_INFO expected_info = info;
		expected_info.id = new_id;
		if (backed(arg, sizeof(info))) {
			CRONO_SG_BUFFER_INFO out;
			read_user(arg, &out, sizeof(out));
			if (std::memcmp(&out, &expected_info, sizeof(out)))
				fail(fmt("LOCK_BUFFER wrote back id ", out.id,
					 " (expected ", new_id,
					 ") or changed another field"));
		}
		/* The page table: entry i is the device address of bytes
		 * [4096 i, 4096 i + 4096) of the buffer. */
		const u64 table_len = u64(info.pages_count) * 8;
		const bool overlaps = info.upages < arg + sizeof(info) &&
				      arg < info.upages + table_len;
		if (backed(info.upages, table_len) && !overlaps) {
			std::vector<u64> table(info.pages_count);
			read_user(info.upages, table.data(), table_len);
			size_t i = 0;
			for (const fake::Seg &seg :
			     fake::last_mapped_segments())
				for (u64 off = 0;
				     off < seg.len && i < table.size();
				     off += device_page, i++)
					if (table[i] != seg.addr + off)
						fail(fmt("page table entry ", i,
							 " is ", std::hex,
							 table[i], ", not ",
							 seg.addr + off));
			if (i != table.size())
				fail("the mapping does not cover the table");
		}
		break;
	}
	case IOCTL_CRONO_UNLOCK_BUFFER: {
		for (auto it = file.sg.begin(); it != file.sg.end(); ++it) {
			if (it->id == id) {
				expect_.sg_released.push_back(*it);
				file.unlocked.push_back(id);
				file.sg.erase(it);
				return ret;
			}
		}
		fail(fmt("UNLOCK_BUFFER of id ", id,
			 " succeeded, but this file has no such S/G buffer"));
	}
	case IOCTL_CRONO_CLEANUP_SETUP:
		file.program.assign(cmds, cmds + cmds_info.count);
		break;
	case IOCTL_CRONO_LOCK_CONTIG_BUFFER: {
		CRONO_CONTIG_BUFFER_INFO info;
		std::memcpy(&info, before, sizeof(info));
		const long alloc =
			fake::last(Event::coherent_alloc, step_from_);
		if (alloc < 0)
			fail("LOCK_CONTIG_BUFFER succeeded without memory");
		const u64 size = (info.size + kpage() - 1) / kpage() * kpage();
		if (records[size_t(alloc)].b != size)
			fail(fmt("coherent allocation of ",
				 records[size_t(alloc)].b, " bytes for ",
				 info.size));
		ContigBuf c{ next_serial_++, new_id, size,
			     records[size_t(alloc)].a };
		file.contig.push_back(c);
		CRONO_CONTIG_BUFFER_INFO expected_info = info;
		expected_info.addr = 0;
		expected_info.dma_handle = c.dma;
		expected_info.id = new_id;
		if (backed(arg, sizeof(info))) {
			CRONO_CONTIG_BUFFER_INFO out;
			read_user(arg, &out, sizeof(out));
			if (std::memcmp(&out, &expected_info, sizeof(out)))
				fail(fmt("LOCK_CONTIG_BUFFER wrote back id ",
					 out.id, " dma ", std::hex,
					 out.dma_handle, std::dec,
					 " (expected ", new_id,
					 ") or changed another field"));
		}
		break;
	}
	case IOCTL_CRONO_UNLOCK_CONTIG_BUFFER: {
		ContigBuf *c = locked_contig(file, id);
		if (!c)
			fail(fmt("UNLOCK_CONTIG_BUFFER of id ", id,
				 " succeeded, but this file has no such "
				 "locked buffer"));
		c->id = -1;
		file.unlocked.push_back(id);
		if (c->mappings == 0) {
			expect_.contig_freed.push_back(*c);
			file.contig.erase(file.contig.begin() +
					  (c - file.contig.data()));
		}
		break;
	}
	default:
		fail(fmt("unknown request ", std::hex, request, " succeeded"));
	}
	return ret;
}

void Run::map(File &file, const Op &op)
{
	const int32_t id = resolve_id(file, op.id);
	const u64 pgoff = u64(int64_t(id));
	ContigBuf *c = locked_contig(file, id);
	const u64 kp = kpage();
	int64_t pages;
	if (op.len.buffer)
		pages = int64_t((c ? c->size : kp) / kp) + op.len.delta;
	else
		pages = op.len.pages;
	if (pages < 1)
		pages = 1;
	const u64 len = u64(pages) * kp;
	long expected = 0;
	if (file.detached)
		expected = -ENODEV;
	else if (!c || len > c->size || !op.shared)
		expected = -EINVAL;

	crono_vma *vma = fake::vma_new(&file.kfile, pgoff, len, op.shared);
	const long ret = fake::vma_mmap(file.handle, vma);
	if (ret != expected)
		fail(fmt("mmap of id ", id, " length ", len, " returned ", ret,
			 ", the model expected ", expected));
	if (ret == 0) {
		vmas_.push_back(Vma{ vma, &file, c->serial, u64(pages) });
		c->mappings++;
		file.vmas++;
	}
	end_step(ret);
}

void Run::munmap(Vma &vma)
{
	File &file = *vma.file;
	ContigBuf *c = contig_by_serial(file, vma.serial);
	if (!c)
		fail("a live mapping of a buffer the model forgot");
	vma.closed = true;
	c->mappings--;
	file.vmas--;
	const bool freed = c->id < 0 && c->mappings == 0;
	if (freed) {
		if (c->memory)
			expect_.contig_freed.push_back(*c);
		file.contig.erase(file.contig.begin() +
				  (c - file.contig.data()));
	}
	fake::vma_close(vma.vma);
	if (!file.fd_open && !file.released && !has_live_vmas(file))
		release(file);
}

void Run::fault(Vma &vma, u64 page)
{
	ContigBuf *c = contig_by_serial(*vma.file, vma.serial);
	if (!c)
		fail("a live mapping of a buffer the model forgot");
	const u64 index = page % vma.pages;
	const long ret = fake::vma_touch(vma.vma, index);
	note_fired(armed_, calls_before_, fired_errs_, fired_);
	if (c->memory && ret != 0 && !chaos())
		fail(fmt("fault at page ", index, " of a mapping of ",
			 vma.pages, " pages failed: ", ret));
	if (!c->memory && ret == 0)
		fail("a fault succeeded on a buffer without memory");
	if (ret == 0 && !fake::vma_page(vma.vma, index))
		fail("a fault succeeded without mapping the page");
}

void Run::fork(Vma &vma)
{
	ContigBuf *c = contig_by_serial(*vma.file, vma.serial);
	if (!c)
		fail("a live mapping of a buffer the model forgot");
	crono_vma *copy = fake::vma_copy(vma.vma);
	c->mappings++;
	vma.file->vmas++;
	vmas_.push_back(Vma{ copy, vma.file, vma.serial, vma.pages });
}

void Run::inject(const Op &op)
{
	static const Call calls[] = {
		Call::kmalloc,	      Call::sgt_alloc,	    Call::mutex_create,
		Call::copy_from_user, Call::memlock_charge, Call::pin,
		Call::sgt_append,     Call::dma_map,	    Call::sgt_bounced,
		Call::always_bounces, Call::coherent_alloc, Call::fault_insert,
		Call::window_pin,
	};
	static_assert(std::size(calls) == size_t(Call::count_));
	static_assert(size_t(GlueCall::pin_short) == size_t(Call::count_));
	if (op.call == GlueCall::pin_short) {
		fake::pin_short_next(long(op.short_pages), op.nth);
		armed_.push_back(
			Armed{ Call::pin, fake::calls(Call::pin) + op.nth, 0 });
		return;
	}
	const Call call = calls[size_t(op.call)];
	fake::fail_next(call, op.err, op.nth);
	armed_.push_back(Armed{ call, fake::calls(call) + op.nth, op.err });
}

void Run::step(const Op &op)
{
	switch (op.kind) {
	case OpKind::open:
		open(op.board);
		break;
	case OpKind::close:
		if (File *file = pick_file(op.file))
			close(*file);
		break;
	case OpKind::map_region: {
		Arena::Region &r = arena_.regions[op.region];
		const u64 base = Arena::base(op.region);
		if (r.mapped)
			fake::user_unmap(base);
		const u64 kp = kpage();
		r.len = (u64(op.pages) * device_page + kp - 1) / kp * kp;
		r.prot = op.prot;
		r.mapped = true;
		fake::user_map_at(base, r.len, op.prot, r.len <= backed_limit);
		break;
	}
	case OpKind::unmap_region:
		if (arena_.regions[op.region].mapped)
			fake::user_unmap(Arena::base(op.region));
		arena_.regions[op.region].mapped = false;
		break;
	case OpKind::protect:
		if (arena_.regions[op.region].mapped) {
			fake::user_protect(Arena::base(op.region), op.prot);
			arena_.regions[op.region].prot = op.prot;
		}
		break;
	case OpKind::write_mem:
		write_user(arena_.resolve(op.arg), op.bytes.data(),
			   op.bytes.size());
		break;
	case OpKind::ioctl:
		if (File *file = pick_file(op.file)) {
			end_step(ioctl(*file, op.request,
				       arena_.resolve(op.arg)));
			return;
		}
		break;
	case OpKind::lock_sg:
		if (File *file = pick_file(op.file)) {
			const CRONO_SG_BUFFER_INFO info =
				sg_info_of(op, arena_);
			const u64 arg = arena_.resolve(op.arg);
			write_user(arg, &info, sizeof(info));
			end_step(ioctl(*file, IOCTL_CRONO_LOCK_BUFFER, arg));
			return;
		}
		break;
	case OpKind::unlock_sg:
	case OpKind::unlock_contig:
		if (File *file = pick_file(op.file)) {
			const int32_t id = resolve_id(*file, op.id);
			const u64 arg = arena_.resolve(op.arg);
			write_user(arg, &id, sizeof(id));
			end_step(ioctl(
				*file,
				op.kind == OpKind::unlock_sg
					? IOCTL_CRONO_UNLOCK_BUFFER
					: IOCTL_CRONO_UNLOCK_CONTIG_BUFFER,
				arg));
			return;
		}
		break;
	case OpKind::cleanup:
		if (File *file = pick_file(op.file)) {
			const std::vector<CRONO_KERNEL_CMD> cmds =
				cmds_of(op, file->pci->pci.bar0_len);
			const CRONO_KERNEL_CMDS_INFO info =
				cmds_info_of(op, arena_);
			write_user(info.ucmds, cmds.data(),
				   cmds.size() * sizeof(CRONO_KERNEL_CMD));
			const u64 arg = arena_.resolve(op.arg);
			write_user(arg, &info, sizeof(info));
			end_step(ioctl(*file, IOCTL_CRONO_CLEANUP_SETUP, arg));
			return;
		}
		break;
	case OpKind::lock_contig:
		if (File *file = pick_file(op.file)) {
			const CRONO_CONTIG_BUFFER_INFO info =
				contig_info_of(op, arena_);
			const u64 arg = arena_.resolve(op.arg);
			write_user(arg, &info, sizeof(info));
			end_step(ioctl(*file, IOCTL_CRONO_LOCK_CONTIG_BUFFER,
				       arg));
			return;
		}
		break;
	case OpKind::mmap:
		if (File *file = pick_file(op.file))
			return map(*file, op);
		break;
	case OpKind::munmap:
	case OpKind::fault:
	case OpKind::fork: {
		auto live = live_vmas();
		if (live.empty())
			break;
		Vma &vma = *live[op.vma % live.size()];
		if (op.kind == OpKind::munmap)
			munmap(vma);
		else if (op.kind == OpKind::fault)
			fault(vma, op.pages);
		else
			fork(vma);
		break;
	}
	case OpKind::remove_board:
		if (slots_[op.board])
			remove(*slots_[op.board]);
		break;
	case OpKind::return_board:
		if (!slots_[op.board])
			return create_board(op.board);
		break;
	case OpKind::shutdown:
		if (slots_[op.board])
			shutdown(*slots_[op.board]);
		break;
	case OpKind::inject:
		inject(op);
		break;
	case OpKind::kill:
		kill_at_ = op.nth ? fake::signal_checks() + op.nth : 0;
		fake::kill_at_signal_check(kill_at_);
		break;
	case OpKind::stall_remove:
		stall_board_ = op.board;
		fake::on_user_access(name(op.access),
				     [] { current->stalled_removal(); });
		break;
	case OpKind::repeat:
	case OpKind::count:
		break;
	}
	end_step(0);
}

/* ---- checks -------------------------------------------------------------- */

void Run::check_invariants()
{
	check_records();
	if (!full_check_)
		return;
	check_held();
	check_boards();
	std::map<u64, const ContigBuf *> by_serial;
	for (const File &file : files_)
		for (const ContigBuf &c : file.contig)
			by_serial[c.serial] = &c;
	for (const Vma &vma : vmas_) {
		if (vma.closed)
			continue;
		auto it = by_serial.find(vma.serial);
		if (it == by_serial.end())
			fail("a live mapping of a buffer the model forgot");
		if (!it->second->memory && !vma.vma->present.empty())
			fail("a mapping still maps pages of freed memory");
	}
}

void Run::check_held()
{
	const fake::Held held = fake::held();
	if (!held.violations.empty())
		fail("the fake saw a violation: " + held.violations.front());
	fake::Held want;
	long boards = 0;
	for (const Pci &pci : pcis_)
		boards += board_alive(pci);
	long files = 0, contig_objects = 0;
	for (const File &file : files_) {
		if (file.released)
			continue;
		files++;
		for (const SgBuf &sg : file.sg) {
			want.pins += sg.kpages;
			want.charged += sg.kpages;
			want.charges++;
			want.sgts++;
			want.mapped++;
		}
		for (const ContigBuf &c : file.contig) {
			contig_objects++;
			if (c.memory) {
				want.charged += c.size / kpage();
				want.charges++;
				want.coherent++;
			}
		}
	}
	/* The registry, boards, files, and one object per buffer: an S/G
	 * buffer keeps no page array, its sg table is the glue's. */
	want.allocations =
		size_t(1 + boards + files + want.sgts + contig_objects);
	want.mutexes = 1 + 3 * boards;
	for (const Vma &vma : vmas_)
		want.vmas += !vma.closed;
	if (!(held == want)) {
		std::ostringstream out;
		out << "the core holds what no live object owns (or lost "
		       "something):\n  held:     "
		    << held << "\n  expected: " << want;
		fail(out.str());
	}
}

void Run::check_boards()
{
	for (const Pci &pci : pcis_) {
		const int refs =
			(pci.handle ? 1 : 0) + (board_alive(pci) ? 1 : 0);
		if (pci.pci.refs != refs)
			fail(fmt("board ", pci.slot, ": ", pci.pci.refs,
				 " references to its PCI function, expected ",
				 refs));
		if (pci.pci.bus_master != pci.bus_master)
			fail(fmt("board ", pci.slot, ": bus mastering ",
				 pci.pci.bus_master ? "on" : "off",
				 ", expected ", pci.bus_master ? "on" : "off"));
		if (!pci.handle)
			continue;
		struct crono_board_stats want {};
		for (const File &file : files_) {
			if (file.released || file.pci != &pci)
				continue;
			for (const SgBuf &sg : file.sg) {
				want.locked_buffers++;
				want.pinned_bytes += sg.kpages * kpage();
				want.bookkeeping_bytes += kept_bytes(sg);
			}
			for (const ContigBuf &c : file.contig) {
				want.locked_buffers += c.id >= 0;
				want.coherent_bytes += c.memory ? c.size : 0;
				want.coherent_buffers += c.memory;
			}
		}
		struct crono_board_stats got {};
		crono_board_stats(pci.handle, &got);
		if (std::memcmp(&got, &want, sizeof(got)))
			fail(fmt("board ", pci.slot, " counters: locked ",
				 got.locked_buffers, " pinned ",
				 got.pinned_bytes, " coherent ",
				 got.coherent_bytes, "/", got.coherent_buffers,
				 " bookkeeping ", got.bookkeeping_bytes,
				 "; expected ", want.locked_buffers, " ",
				 want.pinned_bytes, " ", want.coherent_bytes,
				 "/", want.coherent_buffers, " ",
				 want.bookkeeping_bytes));
	}
}

void Run::check_records()
{
	const auto &records = fake::records();
	const long from = step_from_;

	/* Cleanup writes: exactly the programs of the files torn down or
	 * quiesced in this step, in program order. */
	std::vector<std::pair<u32, u32>> writes;
	for (long i : fake::indexes_of(Event::bar0_write, from))
		writes.emplace_back(u32(records[size_t(i)].a),
				    u32(records[size_t(i)].b));
	if (writes != expect_.writes)
		fail(fmt(writes.size(), " cleanup writes, expected ",
			 expect_.writes.size(), " (or other values)"));
	if (fake::count(Event::flush, from) != expect_.flushes)
		fail(fmt(fake::count(Event::flush, from),
			 " flushing reads, expected ", expect_.flushes));

	/* A teardown stops the board before it releases anything: every
	 * write, then the flush, then bus mastering off, then the rest. */
	for (long at : expect_.teardowns) {
		const long flush = fake::first(Event::flush, at);
		const long off =
			fake::first(Event::bus_master, at, fake::with_a(0));
		if (flush < 0 || off < flush)
			fail("teardown without a flush before bus mastering "
			     "went off");
		const long last_write = fake::last(Event::bar0_write, at);
		if (last_write > flush)
			fail("a cleanup write after the flush");
		for (Event e :
		     { Event::dma_unmap, Event::sgt_unpin, Event::sgt_destroy,
		       Event::unpin, Event::memlock_uncharge,
		       Event::coherent_free, Event::zap }) {
			const long first = fake::first(e, at);
			if (first >= 0 && first < off)
				fail(fmt("the board could still write to "
					 "memory at ",
					 e, " (record ", first, ")"));
		}
	}

	/* The step's records by event and a, for the per-buffer orders
	 * below (a teardown may release thousands of buffers). */
	std::map<std::pair<Event, u64>, std::vector<long>> by_a;
	if (!expect_.sg_released.empty() || !expect_.contig_freed.empty())
		for (long i = from; i < long(records.size()); i++)
			by_a[{ records[size_t(i)].event, records[size_t(i)].a }]
				.push_back(i);
	/* The first record of event with a, at or after index `after`, for
	 * which match holds; -1 if none. */
	auto first_of = [&](Event event, u64 a, long after,
			    u64 b = ~0ull) -> long {
		if (after < 0)
			return -1;
		auto it = by_a.find({ event, a });
		if (it == by_a.end())
			return -1;
		auto at = std::lower_bound(it->second.begin(), it->second.end(),
					   after);
		for (; at != it->second.end(); ++at)
			if (b == ~0ull || records[size_t(*at)].b == b)
				return *at;
		return -1;
	};

	/* Each S/G buffer: unmap, unpin all its pages through the table,
	 * free the table, uncharge. */
	for (const SgBuf &sg : expect_.sg_released) {
		const long unmap = first_of(Event::dma_unmap, sg.sgt, from);
		const long unpin =
			first_of(Event::sgt_unpin, sg.sgt, unmap, sg.kpages);
		const long destroy =
			first_of(Event::sgt_destroy, sg.sgt, unpin);
		const long uncharge =
			first_of(Event::memlock_uncharge, sg.kpages, destroy);
		if (unmap < 0 || unpin < unmap || destroy < unpin ||
		    uncharge < destroy)
			fail(fmt("S/G buffer ", sg.id, " (sg table ", sg.sgt,
				 ") not released in order unmap < unpin < "
				 "destroy < uncharge: records ",
				 unmap, ", ", unpin, ", ", destroy, ", ",
				 uncharge));
	}
	/* Each contiguous buffer: free the memory, then its charge. (A
	 * failed LOCK_CONTIG_BUFFER may free the memory it allocated.) */
	const long frees = fake::count(Event::coherent_free, from);
	const long freed = long(expect_.contig_freed.size());
	if (frees != freed && !(expect_.failed_lock && frees == freed + 1))
		fail(fmt(frees, " coherent frees, expected ", freed));
	for (const ContigBuf &c : expect_.contig_freed) {
		const long free = first_of(Event::coherent_free, c.dma, from);
		const long uncharge = first_of(Event::memlock_uncharge,
					       c.size / kpage(), free);
		if (free < 0 || uncharge < free)
			fail(fmt("contiguous buffer at dma ", std::hex, c.dma,
				 std::dec,
				 " not freed before its charge "
				 "was returned: records ",
				 free, ", ", uncharge));
	}
	/* A lock that failed part way released what it had, in the same
	 * order. */
	if (expect_.failed_lock && expect_.teardowns.empty()) {
		auto last_of = [&](Event e) { return fake::last(e, from); };
		auto first_of = [&](Event e) { return fake::first(e, from); };
		const long pairs[][2] = {
			{ last_of(Event::dma_unmap),
			  first_of(Event::sgt_unpin) },
			{ last_of(Event::sgt_unpin),
			  first_of(Event::sgt_destroy) },
			{ last_of(Event::unpin), first_of(Event::sgt_unpin) },
			{ last_of(Event::sgt_destroy),
			  first_of(Event::memlock_uncharge) },
			{ last_of(Event::unpin),
			  first_of(Event::memlock_uncharge) },
			{ last_of(Event::coherent_free),
			  first_of(Event::memlock_uncharge) },
		};
		for (const auto &pair : pairs)
			if (pair[0] >= 0 && pair[1] >= 0 && pair[1] < pair[0])
				fail(fmt("a failed lock released out of "
					 "order: records ",
					 pair[0], " and ", pair[1]));
	}
}

/* ---- the whole run ------------------------------------------------------- */

void Run::unwind()
{
	/* As at process exit: the mappings, then the files... */
	size_t n = 0;
	for (Vma &vma : vmas_) {
		if (vma.closed)
			continue;
		step_name_ = "exit: munmap";
		/* Thousands of mappings: checked whole every 256th. */
		full_check_ = n++ % 256 == 0;
		begin_step();
		munmap(vma);
		end_step(0);
	}
	full_check_ = true;
	for (File &file : files_) {
		if (!file.fd_open)
			continue;
		step_name_ = "exit: close";
		begin_step();
		close(file);
		end_step(0);
	}
	/* ...then module unload: every board removed. */
	for (unsigned slot = 0; slot < board_count; slot++) {
		if (!slots_[slot])
			continue;
		step_name_ = "unload: remove";
		begin_step();
		remove(*slots_[slot]);
		end_step(0);
	}
	step_name_ = "unload: core exit";
	crono_core_exit();
	const fake::Held held = fake::held();
	if (!(held == fake::Held{})) {
		std::ostringstream out;
		out << "after unload the fake still holds " << held;
		fail(out.str());
	}
	for (const Pci &pci : pcis_)
		if (pci.pci.refs)
			fail(fmt("board ", pci.slot, ": ", pci.pci.refs,
				 " references to its PCI function after "
				 "unload"));
}

void Run::execute()
{
	const Env &env = program_.env;
	fake::reset();
	fake::set_kernel_page_size(env.kernel_page);
	fake::set_memlock_limit(limit_pages());
	fake::set_pin_max_per_call(env.pin_max_pages);
	arena_.kernel_page = env.kernel_page;
	if (tracing())
		std::fprintf(stderr, "crono_fuzz: %s\n", describe(env).c_str());

	step_name_ = "core init and probe";
	if (crono_core_init() != 0)
		fail("core init failed");
	for (unsigned slot = 0; slot < board_count; slot++) {
		begin_step();
		create_board(slot);
	}
	for (size_t i = 0; i < program_.ops.size(); i++) {
		const Op &op = program_.ops[i];
		op_index_ = i + 1;
		op_ = &op;
		for (uint32_t t = 0; t < op.times; t++) {
			if (t && (pages_asked_ > page_budget ||
				  steps_ > step_budget))
				break;
			/* A repeated operation (up to 4097 buffers) is
			 * checked whole every 256th time and the last: each
			 * check walks every live buffer. */
			full_check_ = t % 256 == 0 || t + 1 == op.times;
			begin_step();
			step(op);
		}
		full_check_ = true;
	}
	op_ = nullptr;
	unwind();
}

} // namespace

/* The host tests' sanitizer settings (tests/gtest/sanitizer_options.cpp)
 * but for detect_stack_use_after_return, which costs the fuzzer a third
 * of its speed (the host tests keep that check), and with a smaller
 * quarantine: the default one takes the process over 1 GiB in a minute,
 * half of libFuzzer's RSS limit. */
extern "C" const char *__asan_default_options()
{
	return "detect_leaks=1:halt_on_error=1:strict_string_checks=1:"
	       "check_initialization_order=1:quarantine_size_mb=64";
}

extern "C" const char *__ubsan_default_options()
{
	return "print_stacktrace=1:halt_on_error=1";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const Program program = decode(data, size);
	{
		Run run(program);
		current = &run;
		run.execute();
		current = nullptr;
	}
	/* Free what the fake recorded, so an input leaves the heap as it
	 * found it and LeakSanitizer sees only the core's leaks. */
	fake::reset();
	return 0;
}
