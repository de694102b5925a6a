// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// The fuzz corpus (tests/fuzz/corpus, in the initramfs as /corpus) replayed
// as real syscalls against the module on the debug kernel, whose checkers
// (KASAN, lockdep, kmemleak, DMA-API debug) watch every step. Each program
// runs in a child process of its own, with the arena of tests/fuzz/program.h
// at its fixed address. The host executor predicts every result from a
// model; the player checks what holds whatever the model would say:
//  - every request returns success or an errno docs/abi.md documents for it,
//    ENODEV on a file whose board was removed, EINVAL for an unlock of an id
//    the file does not hold; a successful lock returns a fresh id and a page
//    table of aligned, nonzero entries;
//  - open succeeds on a board that is there and not open, EBUSY when open,
//    ENOENT when removed; mmap follows the ABI's rules exactly;
//  - a touch of a mapping succeeds until its board is removed, then SIGBUS;
//  - once the child exited: nothing pinned, every statistic zero, both boards
//    bound again (the parent binds a board the program left removed), and
//    every 64 programs a lock and device DMA round trip on both boards.
// What a player cannot make happen on demand (host_only: injected kernel
// failures, kills at a signal check, the pci_driver's shutdown) and removals
// stalled on a user access are skipped and counted.
//
// Two things differ from the host on purpose. RLIMIT_MEMLOCK is at most
// 64 MiB: the guest has 1 GiB, and contiguous buffers are real memory.
// Cleanup commands keep their offsets but write 0 from EDU_REG_STATUS on:
// release runs them on a real edu device, whose DMA engine would copy
// wherever the fuzzer pointed it (QEMU stops the machine on a transfer outside
// the device's buffer) and whose interrupts nobody handles.
#include "../fuzz/program.h"
#include "../fuzz/request_structs.h"
#include "fixture.h"

#include <csetjmp>
#include <new>

using namespace vt;
using namespace crono_fuzz;

namespace {

class CorpusReplay_IommuOnDebugKernel : public TwoBoardTest {};

constexpr uint64_t kMemlockCap = 64 << 20;
// Repeats stop repeating once a program asked LOCK_BUFFER for this many pages
// or ran this many steps, as on the host (with smaller budgets: each step is
// a real syscall on a slow kernel).
constexpr uint64_t kPageBudget = 1 << 16;
constexpr uint64_t kStepBudget = 4096;
constexpr size_t kWorksEvery = 64; // programs between DMA round trips
constexpr int kFailingProgramsShown = 5;

// Counted by the children, in memory shared with the parent.
struct Tally {
	uint64_t steps = 0;
	uint64_t skipped = 0;
	bool removed[board_count] = {};
};

uint64_t bar0_len(const Board &b)
{
	struct stat st {};
	return stat((b.sysfs() + "/resource0").c_str(), &st) == 0
		       ? uint64_t(st.st_size)
		       : 0;
}

// The signal a read of *p raised, or 0.
sigjmp_buf touch_env;
volatile sig_atomic_t touch_signal;

void on_touch_signal(int sig)
{
	touch_signal = sig;
	siglongjmp(touch_env, 1);
}

int touch(const volatile uint8_t *p)
{
	struct sigaction sa {
	}, old_bus, old_segv;
	sa.sa_handler = on_touch_signal;
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	touch_signal = 0;
	if (sigsetjmp(touch_env, 1) == 0)
		(void)*p;
	sigaction(SIGBUS, &old_bus, nullptr);
	sigaction(SIGSEGV, &old_segv, nullptr);
	return touch_signal;
}

class Player {
public:
	Player(const Program &program, Tally &tally)
	    : program_(program), tally_(tally)
	{
	}
	void run();

private:
	struct File {
		unsigned board = 0;
		int fd = -1;
		bool fd_open = true;
		bool detached = false;
		unsigned mappings = 0;
		std::vector<int32_t> sg, contig, unlocked; // most recent last
		std::vector<std::pair<int32_t, uint64_t>> sizes; // contig
		bool live() const { return fd_open || mappings; }
	};
	struct Vma {
		Mapping map; // unmapped by munmap, or when the player ends
		uint64_t pages;
		size_t file;
	};

	void step(const Op &op);
	bool reserve_arena();
	void map_region(const Op &op);
	void unmap_region(unsigned region);
	// Bytes to or from the arena whatever the protection: the mapped parts
	// only, through a moment of PROT_READ | PROT_WRITE.
	void access_user(uint64_t addr, void *buf, uint64_t len, bool write);
	void write_user(uint64_t addr, const void *src, uint64_t len)
	{
		access_user(addr, const_cast<void *>(src), len, true);
	}
	void read_user(uint64_t addr, void *dst, uint64_t len)
	{
		access_user(addr, dst, len, false);
	}
	void disarm_cleanup(uint64_t arg);

	File *pick_file(uint8_t n);
	Vma *pick_vma(uint8_t n);
	int32_t resolve_id(const File &file, const IdRef &ref) const;
	void open(unsigned board);
	void request(File &file, uint32_t request, uint64_t arg);
	void after_success(File &file, uint32_t request, uint64_t arg,
			   int32_t id_in);
	void map(File &file, const Op &op);
	void fault(Vma &vma, uint64_t page);
	void fork_copy();
	void remove(unsigned board);
	void give_back(unsigned board);

	const Program &program_;
	Tally &tally_;
	Arena arena_;
	std::vector<File> files_;
	std::vector<Vma> vmas_;
	uint64_t pages_asked_ = 0;
	uint64_t steps_ = 0;
	std::string where_; // the operation running, for failure messages
};

void Player::run()
{
	become_memlock_limited(
		std::min(program_.env.memlock_bytes, kMemlockCap));
	if (testing::Test::HasFailure() || !reserve_arena())
		return;
	for (size_t i = 0; i < program_.ops.size(); i++) {
		const Op &op = program_.ops[i];
		where_ = cat("op ", i, ": ", describe(op));
		if (host_only(op.kind) || op.kind == OpKind::stall_remove) {
			tally_.skipped++;
			continue;
		}
		for (uint32_t t = 0; t < op.times; t++) {
			if (t > 0 && (pages_asked_ >= kPageBudget ||
				      steps_ >= kStepBudget))
				break;
			steps_++;
			tally_.steps++;
			step(op);
			if (testing::Test::HasFailure())
				return; // the first failure of a program is enough
		}
	}
}

bool Player::reserve_arena()
{
	void *at = mmap(reinterpret_cast<void *>(arena_base),
			region_count * region_stride, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
				MAP_FIXED_NOREPLACE,
			-1, 0);
	EXPECT_EQ(at, reinterpret_cast<void *>(arena_base))
		<< "reserving the arena: " << errno_name(errno);
	arena_.kernel_page = uint64_t(sysconf(_SC_PAGESIZE));
	return at == reinterpret_cast<void *>(arena_base);
}

int prot_bits(unsigned prot)
{
	return (prot & prot_read ? PROT_READ : 0) |
	       (prot & prot_write ? PROT_WRITE : 0);
}

void Player::map_region(const Op &op)
{
	Arena::Region &r = arena_.regions[op.region];
	unmap_region(op.region);
	const uint64_t kp = arena_.kernel_page;
	r.len = (uint64_t(op.pages) * device_page + kp - 1) / kp * kp;
	r.prot = op.prot;
	void *at = reinterpret_cast<void *>(Arena::base(op.region));
	EXPECT_EQ(mmap(at, r.len, prot_bits(op.prot),
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		  at)
		<< where_ << ": " << errno_name(errno);
	r.mapped = true;
}

// Back to the reservation: nothing mapped there, as far as the driver sees.
void Player::unmap_region(unsigned region)
{
	Arena::Region &r = arena_.regions[region];
	if (!r.mapped)
		return;
	void *at = reinterpret_cast<void *>(Arena::base(region));
	EXPECT_EQ(mmap(at, r.len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
		       -1, 0),
		  at)
		<< where_ << ": " << errno_name(errno);
	r.mapped = false;
}

void Player::access_user(uint64_t addr, void *buf, uint64_t len, bool write)
{
	for (const Arena::Piece &piece : arena_.mapped_pieces(addr, len)) {
		const unsigned region =
			unsigned((piece.at - arena_base) / region_stride);
		const Arena::Region &r = arena_.regions[region];
		void *base = reinterpret_cast<void *>(Arena::base(region));
		const bool open = (r.prot & prot_rw) == prot_rw;
		if (!open)
			mprotect(base, r.len, PROT_READ | PROT_WRITE);
		uint8_t *user = reinterpret_cast<uint8_t *>(piece.at);
		uint8_t *mine = static_cast<uint8_t *>(buf) + piece.skip;
		if (write)
			memcpy(user, mine, piece.len);
		else
			memcpy(mine, user, piece.len);
		if (!open)
			mprotect(base, r.len, prot_bits(r.prot));
	}
}

// The commands a CLEANUP_SETUP at arg would install, made harmless (see the
// top of this file).
void Player::disarm_cleanup(uint64_t arg)
{
	CRONO_KERNEL_CMDS_INFO info{};
	read_user(arg, &info, sizeof(info));
	if (info.count > CRONO_KERNEL_CMDS_MAX)
		return;
	CRONO_KERNEL_CMD cmds[CRONO_KERNEL_CMDS_MAX] = {};
	const uint64_t bytes = info.count * sizeof(CRONO_KERNEL_CMD);
	read_user(info.ucmds, cmds, bytes);
	for (uint32_t i = 0; i < info.count; i++)
		if (cmds[i].addr >= EDU_REG_STATUS)
			cmds[i].data = 0;
	write_user(info.ucmds, cmds, bytes);
}

Player::File *Player::pick_file(uint8_t n)
{
	std::vector<File *> open;
	for (File &f : files_)
		if (f.fd_open)
			open.push_back(&f);
	return open.empty() ? nullptr : open[n % open.size()];
}

Player::Vma *Player::pick_vma(uint8_t n)
{
	std::vector<Vma *> live;
	for (Vma &v : vmas_)
		if (v.map.ok())
			live.push_back(&v);
	return live.empty() ? nullptr : live[n % live.size()];
}

// As the host executor resolves an IdRef (tests/fuzz/fuzz_target.cpp).
int32_t Player::resolve_id(const File &file, const IdRef &ref) const
{
	std::vector<int32_t> ids;
	switch (ref.kind) {
	case IdRef::Kind::sg:
		ids = file.sg;
		break;
	case IdRef::Kind::contig:
		ids = file.contig;
		break;
	case IdRef::Kind::other_file:
		for (const File &other : files_) {
			if (&other == &file || !other.live())
				continue;
			ids.insert(ids.end(), other.sg.begin(), other.sg.end());
			ids.insert(ids.end(), other.contig.begin(),
				   other.contig.end());
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

void Player::step(const Op &op)
{
	switch (op.kind) {
	case OpKind::open:
		return open(op.board);
	case OpKind::close:
		if (File *file = pick_file(op.file)) {
			EXPECT_TRUE(succeeds(errno_of(::close(file->fd))))
				<< where_;
			file->fd_open = false;
		}
		return;
	case OpKind::map_region:
		return map_region(op);
	case OpKind::unmap_region:
		return unmap_region(op.region);
	case OpKind::protect: {
		Arena::Region &r = arena_.regions[op.region];
		if (!r.mapped)
			return;
		EXPECT_TRUE(succeeds(errno_of(mprotect(
			reinterpret_cast<void *>(Arena::base(op.region)), r.len,
			prot_bits(op.prot)))))
			<< where_;
		r.prot = op.prot;
		return;
	}
	case OpKind::write_mem:
		return write_user(arena_.resolve(op.arg), op.bytes.data(),
				  op.bytes.size());
	case OpKind::ioctl:
		if (File *file = pick_file(op.file))
			request(*file, op.request, arena_.resolve(op.arg));
		return;
	case OpKind::lock_sg:
		if (File *file = pick_file(op.file)) {
			const CRONO_SG_BUFFER_INFO info =
				sg_info_of(op, arena_);
			const uint64_t arg = arena_.resolve(op.arg);
			write_user(arg, &info, sizeof(info));
			pages_asked_ += info.pages_count;
			request(*file, IOCTL_CRONO_LOCK_BUFFER, arg);
		}
		return;
	case OpKind::unlock_sg:
	case OpKind::unlock_contig:
		if (File *file = pick_file(op.file)) {
			const int32_t id = resolve_id(*file, op.id);
			const uint64_t arg = arena_.resolve(op.arg);
			write_user(arg, &id, sizeof(id));
			request(*file,
				op.kind == OpKind::unlock_sg
					? IOCTL_CRONO_UNLOCK_BUFFER
					: IOCTL_CRONO_UNLOCK_CONTIG_BUFFER,
				arg);
		}
		return;
	case OpKind::cleanup:
		if (File *file = pick_file(op.file)) {
			const std::vector<CRONO_KERNEL_CMD> cmds =
				cmds_of(op, bar0_len(board(file->board)));
			const CRONO_KERNEL_CMDS_INFO info =
				cmds_info_of(op, arena_);
			write_user(info.ucmds, cmds.data(),
				   cmds.size() * sizeof(CRONO_KERNEL_CMD));
			const uint64_t arg = arena_.resolve(op.arg);
			write_user(arg, &info, sizeof(info));
			request(*file, IOCTL_CRONO_CLEANUP_SETUP, arg);
		}
		return;
	case OpKind::lock_contig:
		if (File *file = pick_file(op.file)) {
			const CRONO_CONTIG_BUFFER_INFO info =
				contig_info_of(op, arena_);
			const uint64_t arg = arena_.resolve(op.arg);
			write_user(arg, &info, sizeof(info));
			request(*file, IOCTL_CRONO_LOCK_CONTIG_BUFFER, arg);
		}
		return;
	case OpKind::mmap:
		if (File *file = pick_file(op.file))
			map(*file, op);
		return;
	case OpKind::munmap:
		if (Vma *vma = pick_vma(op.vma)) {
			EXPECT_TRUE(succeeds(vma->map.reset())) << where_;
			files_[vma->file].mappings--;
		}
		return;
	case OpKind::fault:
		if (Vma *vma = pick_vma(op.vma))
			fault(*vma, op.pages);
		return;
	case OpKind::fork:
		if (pick_vma(op.vma))
			fork_copy();
		return;
	case OpKind::remove_board:
		return remove(op.board);
	case OpKind::return_board:
		return give_back(op.board);
	case OpKind::shutdown:
	case OpKind::inject:
	case OpKind::kill:
	case OpKind::stall_remove:
	case OpKind::repeat:
	case OpKind::count:
		return;
	}
}

void Player::open(unsigned b)
{
	const bool busy =
		std::any_of(files_.begin(), files_.end(), [&](const File &f) {
			return f.board == b && f.live() && !f.detached;
		});
	Fd fd = open_node(board(b));
	if (tally_.removed[b])
		EXPECT_TRUE(fails_with(fd.err(), ENOENT)) << where_;
	else if (busy)
		EXPECT_TRUE(fails_with(fd.err(), EBUSY)) << where_;
	else
		EXPECT_TRUE(succeeds(fd.err())) << where_;
	if (!fd.valid())
		return;
	File &file = files_.emplace_back();
	file.board = b;
	file.fd = fd.release(); // closed by a close step or the exit
}

void Player::request(File &file, uint32_t request, uint64_t arg)
{
	if (request == IOCTL_CRONO_CLEANUP_SETUP)
		disarm_cleanup(arg);
	int32_t id_in = -1;
	read_user(arg, &id_in, sizeof(id_in));
	const int e = errno_of(ioctl(file.fd, request, arg));
	// The VFS answers some numbers of other types itself (FIOCLEX...).
	if (((request >> 8) & 0xff) != 'c')
		return;
	const bool unlock = request == IOCTL_CRONO_UNLOCK_BUFFER ||
			    request == IOCTL_CRONO_UNLOCK_CONTIG_BUFFER;
	const std::vector<int32_t> &held =
		request == IOCTL_CRONO_UNLOCK_BUFFER ? file.sg : file.contig;
	if (file.detached) {
		EXPECT_TRUE(fails_with(e, ENODEV)) << where_;
		return;
	}
	if (unlock && arena_.accessible(arg, 4, prot_read)) {
		if (std::count(held.begin(), held.end(), id_in))
			EXPECT_TRUE(succeeds(e)) << where_;
		else
			EXPECT_TRUE(fails_with(e, EINVAL))
				<< where_ << ": the file holds no id " << id_in;
	} else if (e) {
		EXPECT_TRUE(fails_with(e, documented_errnos(request)))
			<< where_;
	}
	if (e == 0)
		after_success(file, request, arg, id_in);
}

void Player::after_success(File &file, uint32_t request, uint64_t arg,
			   int32_t id_in)
{
	auto fresh = [&](int32_t id) {
		const bool taken =
			std::count(file.sg.begin(), file.sg.end(), id) ||
			std::count(file.contig.begin(), file.contig.end(), id);
		EXPECT_TRUE(id >= 0 && id < 4096 && !taken)
			<< where_ << ": id " << id << " is not a free id";
	};
	auto forget = [&](std::vector<int32_t> &ids) {
		const auto it = std::find(ids.begin(), ids.end(), id_in);
		if (it != ids.end())
			ids.erase(it);
		file.unlocked.push_back(id_in);
	};
	switch (request) {
	case IOCTL_CRONO_LOCK_BUFFER: {
		CRONO_SG_BUFFER_INFO info{};
		read_user(arg, &info, sizeof(info));
		fresh(info.id);
		// Unless the struct, written back last, overlaps the table.
		std::vector<uint64_t> table(info.pages_count);
		const uint64_t table_end = info.upages + table.size() * 8;
		if (table_end <= arg || info.upages >= arg + sizeof(info)) {
			read_user(info.upages, table.data(), table.size() * 8);
			EXPECT_TRUE(aligned_entries(table.data(), table.size()))
				<< where_;
		}
		file.sg.push_back(info.id);
		break;
	}
	case IOCTL_CRONO_LOCK_CONTIG_BUFFER: {
		CRONO_CONTIG_BUFFER_INFO info{};
		read_user(arg, &info, sizeof(info));
		fresh(info.id);
		file.contig.push_back(info.id);
		file.sizes.emplace_back(info.id, info.size);
		break;
	}
	case IOCTL_CRONO_UNLOCK_BUFFER:
		forget(file.sg);
		break;
	case IOCTL_CRONO_UNLOCK_CONTIG_BUFFER:
		forget(file.contig);
		break;
	default:
		break;
	}
}

// mmap as the ABI says: MAP_SHARED, the offset of a locked contiguous buffer
// of this file, no longer than it.
void Player::map(File &file, const Op &op)
{
	const int32_t id = resolve_id(file, op.id);
	const uint64_t kp = arena_.kernel_page;
	const bool locked =
		std::count(file.contig.begin(), file.contig.end(), id) != 0;
	uint64_t size = 0;
	for (const auto &[sid, bytes] : file.sizes)
		if (sid == id)
			size = (bytes + kp - 1) / kp * kp; // the latest lock
	int64_t pages = op.len.buffer ? int64_t((locked ? size : kp) / kp) +
						op.len.delta
				      : int64_t(op.len.pages);
	pages = std::max<int64_t>(pages, 1);
	const uint64_t len = uint64_t(pages) * kp;
	Mapping m = Mapping::map(len, PROT_READ | PROT_WRITE,
				 op.shared ? MAP_SHARED : MAP_PRIVATE, file.fd,
				 off_t(id) * off_t(kp));
	if (id < 0) // a negative offset may fail in mmap(2) itself
		EXPECT_TRUE(fails_with(m.err(), { EINVAL, EOVERFLOW, ENODEV }))
			<< where_;
	else if (file.detached)
		EXPECT_TRUE(fails_with(m.err(), ENODEV)) << where_;
	else if (!locked || len > size || !op.shared)
		EXPECT_TRUE(fails_with(m.err(), EINVAL)) << where_;
	else
		EXPECT_TRUE(succeeds(m.err())) << where_;
	if (!m.ok())
		return;
	vmas_.push_back(Vma{ std::move(m), uint64_t(pages),
			     size_t(&file - files_.data()) });
	file.mappings++;
}

void Player::fault(Vma &vma, uint64_t page)
{
	const uint64_t index = page % vma.pages;
	const int sig = touch(vma.map.data() + index * arena_.kernel_page);
	const bool detached = files_[vma.file].detached;
	EXPECT_EQ(sig, detached ? SIGBUS : 0)
		<< where_ << ": reading page " << index << " of " << vma.pages;
}

// The mappings copied into a child, which exits at once: their copies open
// and close.
void Player::fork_copy()
{
	const pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	ASSERT_GT(pid, 0) << where_ << ": fork: " << errno_name(errno);
	int st = 0;
	waitpid(pid, &st, 0);
	EXPECT_EQ(status_str(st), "exited with status 0") << where_;
}

void Player::remove(unsigned b)
{
	if (tally_.removed[b])
		return;
	EXPECT_TRUE(succeeds(write_file(kDrvDir + "/unbind", board(b).pci)))
		<< where_;
	tally_.removed[b] = true;
	for (File &f : files_)
		if (f.board == b && f.live())
			f.detached = true;
}

void Player::give_back(unsigned b)
{
	if (!tally_.removed[b])
		return;
	EXPECT_TRUE(succeeds(write_file(kDrvDir + "/bind", board(b).pci)))
		<< where_;
	EXPECT_TRUE(wait_until(5.0, [&] { return exists(board(b).node()); }))
		<< where_ << ": the node did not come back";
	tally_.removed[b] = false;
}

// Locks, checks device DMA through first and last page, and unlocks, on
// every board.
void boards_work()
{
	for (size_t b = 0; b < board_count; b++) {
		Fd fd = open_node_checked(b);
		if (fd.valid())
			sg_round_trip(board(b).bar, fd.get(), 64 * kPage,
				      { { 0, 63 }, { 63, 0 } });
	}
}

std::vector<uint8_t> read_bytes(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

TEST_F(CorpusReplay_IommuOnDebugKernel, EveryProgramOfTheCorpus)
{
	const std::string dir = "/corpus";
	const std::vector<std::string> names = list_dir(dir);
	ASSERT_FALSE(names.empty()) << "no programs in " << dir;
	Mapping shared = Mapping::map(sizeof(Tally), PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(shared.ok());
	Tally &tally = *new (shared.data()) Tally;
	const Pins base = read_pins();
	int failing = 0;
	size_t replayed = 0;
	for (const std::string &name : names) {
		const int before = recorded_failures();
		const std::vector<uint8_t> bytes = read_bytes(dir + "/" + name);
		const Program program = decode(bytes.data(), bytes.size());
		join_child(spawn_child("corpus/" + name,
				       [&] { Player(program, tally).run(); }));
		replayed++;
		for (size_t b = 0; b < board_count; b++) {
			if (std::exchange(tally.removed[b], false))
				rebind(board(b));
			EXPECT_TRUE(stats_are(board(b), 0, 0, 0))
				<< "after corpus/" << name;
		}
		EXPECT_TRUE(pins_back_to(base)) << "after corpus/" << name;
		if (replayed % kWorksEvery == 0 || replayed == names.size())
			boards_work();
		if (recorded_failures() != before &&
		    ++failing == kFailingProgramsShown)
			break;
	}
	std::printf("corpus: %zu programs replayed, %llu steps, %llu "
		    "host-only operations skipped\n",
		    replayed, (unsigned long long)tally.steps,
		    (unsigned long long)tally.skipped);
}

} // namespace
