// SPDX-License-Identifier: GPL-2.0
#include "program.h"

#include <cerrno>
#include <cstdio>

namespace crono_fuzz {

namespace {

/* Little-endian fields; zeros once the input is used up, so that any byte
 * string decodes. */
class Reader {
public:
	Reader(const uint8_t *data, size_t size) : data_(data), size_(size) {}
	bool done() const { return at_ >= size_; }
	uint8_t u8() { return at_ < size_ ? data_[at_++] : 0; }
	uint16_t u16()
	{
		const uint16_t lo = u8();
		return uint16_t(lo | u8() << 8);
	}
	uint32_t u32()
	{
		const uint32_t lo = u16();
		return lo | uint32_t(u16()) << 16;
	}

private:
	const uint8_t *data_;
	size_t size_;
	size_t at_ = 0;
};

constexpr uint64_t absolute_addresses[12] = {
	0,
	1,
	4096,
	0xfff,
	0x7ffffffff000ull,     /* the last user page */
	0x800000000000ull,     /* not canonical */
	0xffff888000000000ull, /* the kernel's direct map */
	~0ull,
	~0ull - 4095,
	0x10000000ull, /* user space, never mapped */
	arena_base - 4096,
	arena_base + region_count *region_stride,
};

/* Around the limits of docs/abi.md: 256 GiB per S/G buffer, 1 GiB per
 * contiguous buffer, 4 GiB per file. */
constexpr uint64_t interesting_sizes[16] = {
	1ull << 38,
	(1ull << 38) + 1,
	(1ull << 38) - 1,
	(1ull << 38) - 4096,
	(1ull << 38) + 4096,
	1ull << 30,
	(1ull << 30) + 1,
	(1ull << 30) - 1,
	1ull << 32,
	(1ull << 32) + 4096,
	~0ull,
	~0ull - 4095,
	1ull << 63,
	1,
	4095,
	4097,
};

constexpr int32_t odd_ids[6] = { 4095, 4096, -1, INT32_MAX, INT32_MIN, 65536 };

constexpr uint32_t repeat_times[8] = { 2, 3, 8, 64, 4095, 4096, 4097, 2 };

constexpr int injected_errnos[8] = { -ENOMEM, -EFAULT,	  -EINTR,  -EIO,
				     -E2BIG,  -EREMOTEIO, -EINVAL, -EAGAIN };

/* Region sizes in 4 KiB pages: mostly small (backed by real bytes on the
 * host), sometimes around the pin batch of 512 pages. */
uint32_t region_pages(uint16_t sel)
{
	static constexpr uint32_t large[8] = { 17,  64,	  511,	512,
					       513, 1024, 4097, 8193 };
	if (sel < 0xff00)
		return 1 + sel % 16;
	return large[(sel & 0xff) % 8];
}

unsigned prot_of(uint8_t sel)
{
	static constexpr unsigned prots[4] = { prot_rw, prot_read, prot_none,
					       prot_rw };
	return prots[sel % 4];
}

Addr read_addr(Reader &in)
{
	const uint8_t sel = in.u8();
	const uint16_t p = in.u16();
	Addr addr;
	addr.region = sel & 7;
	switch ((sel >> 3) % 8) {
	case 0:
		addr.offset = uint64_t(p) * 4096;
		break;
	case 1:
		addr.offset = p;
		break;
	case 2:
		addr.base = Addr::Base::end;
		addr.offset = 0 - uint64_t(p);
		break;
	case 3:
		addr.base = Addr::Base::end;
		addr.offset = 0 - uint64_t(p) * 4096;
		break;
	case 4:
		addr.base = Addr::Base::end;
		addr.offset = p;
		break;
	case 5:
		addr.offset = 0 - uint64_t(p);
		break;
	case 6:
		addr.base = Addr::Base::absolute;
		addr.offset = absolute_addresses[p % 12];
		break;
	default:
		addr.offset = uint64_t(p) * 8;
		break;
	}
	return addr;
}

Size read_size(Reader &in)
{
	const uint8_t sel = in.u8();
	const uint32_t p = in.u32();
	Size size;
	switch (sel % 8) {
	case 0:
	case 1:
	case 2:
		size.region_len = true;
		size.region = p % 8;
		size.value = sel % 8 == 0   ? 0
			     : sel % 8 == 1 ? 0 - uint64_t(p >> 3)
					    : uint64_t(p >> 3);
		break;
	case 3:
		size.value = p;
		break;
	case 4:
		size.value = uint64_t(p) * 4096;
		break;
	case 5:
		size.value = uint64_t(p) * 4096 + 1;
		break;
	case 6:
		size.value = uint64_t(p) * 4096 - 1;
		break;
	default:
		size.value = interesting_sizes[p % 16];
		break;
	}
	return size;
}

Count read_count(Reader &in)
{
	const uint8_t sel = in.u8();
	const uint32_t p = in.u32();
	Count count;
	switch (sel % 4) {
	case 0:
		break;
	case 1:
		count.delta = 1;
		break;
	case 2:
		count.delta = -1;
		break;
	default:
		count.exact = false;
		count.value = p;
		break;
	}
	return count;
}

IdRef read_id(Reader &in)
{
	const uint8_t sel = in.u8();
	const uint8_t n = in.u8();
	IdRef id;
	id.nth = n;
	switch (sel % 6) {
	case 0:
		id.kind = IdRef::Kind::sg;
		break;
	case 1:
		id.kind = IdRef::Kind::contig;
		break;
	case 2:
		id.kind = IdRef::Kind::other_file;
		break;
	case 3:
		id.kind = IdRef::Kind::unlocked;
		break;
	case 4:
		id.value = int32_t(n) - 16;
		break;
	default:
		id.value = odd_ids[n % 6];
		break;
	}
	return id;
}

MapLen read_len(Reader &in)
{
	const uint8_t sel = in.u8();
	const uint16_t p = in.u16();
	MapLen len;
	switch (sel % 4) {
	case 0:
		break;
	case 1:
		len.delta = 1;
		break;
	case 2:
		len.delta = -1;
		break;
	default:
		len.buffer = false;
		len.pages = p ? p : 1;
		break;
	}
	return len;
}

Cmd read_cmd(Reader &in)
{
	const uint8_t sel = in.u8();
	const uint32_t k = sel >> 3;
	Cmd cmd;
	cmd.data = in.u32();
	switch (sel % 8) {
	case 0:
		cmd.offset = 4 * k;
		break;
	case 1:
		cmd.base = Cmd::Base::bar0_end;
		cmd.offset = 0u - 4;
		break;
	case 2:
		cmd.base = Cmd::Base::bar0_end;
		break;
	case 3:
		cmd.base = Cmd::Base::bar0_end;
		cmd.offset = 4;
		break;
	case 4:
		cmd.offset = 4 * k + 1 + k % 3;
		break;
	case 5:
		cmd.offset = 0xfffffffcu;
		break;
	case 6:
		cmd.base = Cmd::Base::bar0_end;
		cmd.offset = 0u - 4 - 4 * k;
		break;
	default:
		cmd.offset = 0xffffffffu;
		break;
	}
	return cmd;
}

Env read_env(Reader &in)
{
	static constexpr uint64_t pages[3] = { 4096, 16384, 65536 };
	static constexpr uint64_t memlock[8] = { 8ull << 30, 0,
						 4096,	     4 * 4096,
						 64 * 4096,  16ull << 20,
						 1ull << 30, 4ull << 30 };
	static constexpr uint64_t bar0[6] = {
		4096, 0, 4, 8, 65536, 1ull << 32
	};
	static constexpr uint64_t pin_max[4] = { 0, 1, 3, 4096 };
	Env env;
	env.kernel_page = pages[in.u8() % 3];
	env.memlock_bytes = memlock[in.u8() % 8];
	env.bar0_len = bar0[in.u8() % 6];
	const uint8_t dma = in.u8();
	env.max_segment_sel = dma & 3;
	env.always_bounces = dma & 4;
	env.bounces = dma & 8;
	env.pin_max_pages = pin_max[(dma >> 4) & 3];
	return env;
}

/* The five requests of the ABI in its order, the reserved one, and a 32-bit
 * _IOWR encoding (size 4) of LOCK_BUFFER. */
constexpr uint32_t requests[7] = {
	0xC0086300u, 0xC0086301u, 0xC0086302u, 0xC0086303u,
	0xC0086304u, 0xC0086305u, 0xC0046300u,
};

} // namespace

uint32_t request_of(uint8_t sel, uint32_t raw)
{
	return sel % 8 == 7 ? raw : requests[sel % 8];
}

std::vector<int> documented_errnos(uint32_t request)
{
	switch (request) {
	case requests[0]: /* LOCK_BUFFER */
		return { ENODEV,     EFAULT, EINVAL, ENOMEM,
			 EOPNOTSUPP, EINTR,  EIO,    EREMOTEIO };
	case requests[3]: /* LOCK_CONTIG_BUFFER */
		return { ENODEV, EFAULT, EINVAL, ENOMEM };
	case requests[1]: /* UNLOCK_BUFFER */
	case requests[2]: /* CLEANUP_SETUP */
	case requests[4]: /* UNLOCK_CONTIG_BUFFER */
		return { ENODEV, EFAULT, EINVAL };
	default:
		return { ENODEV, ENOTTY };
	}
}

Program decode(const uint8_t *data, size_t size)
{
	Reader in(data, size);
	Program program;
	program.env = read_env(in);
	uint32_t times = 1;
	while (!in.done() && program.ops.size() < max_ops) {
		Op op;
		op.kind = OpKind(in.u8() % uint8_t(OpKind::count));
		switch (op.kind) {
		case OpKind::open:
		case OpKind::remove_board:
		case OpKind::return_board:
		case OpKind::shutdown:
			op.board = in.u8() % board_count;
			break;
		case OpKind::close:
			op.file = in.u8();
			break;
		case OpKind::map_region:
			op.region = in.u8() % region_count;
			op.pages = region_pages(in.u16());
			op.prot = prot_of(in.u8());
			break;
		case OpKind::unmap_region:
			op.region = in.u8() % region_count;
			break;
		case OpKind::protect:
			op.region = in.u8() % region_count;
			op.prot = prot_of(in.u8());
			break;
		case OpKind::write_mem: {
			op.arg = read_addr(in);
			const unsigned len = 1 + in.u8() % 64;
			for (unsigned i = 0; i < len; i++)
				op.bytes.push_back(in.u8());
			break;
		}
		case OpKind::ioctl: {
			op.file = in.u8();
			const uint8_t sel = in.u8();
			op.request = request_of(sel, in.u32());
			op.arg = read_addr(in);
			break;
		}
		case OpKind::lock_sg:
			op.file = in.u8();
			op.arg = read_addr(in);
			op.buf = read_addr(in);
			op.size = read_size(in);
			op.table = read_addr(in);
			op.count = read_count(in);
			break;
		case OpKind::unlock_sg:
		case OpKind::unlock_contig:
			op.file = in.u8();
			op.arg = read_addr(in);
			op.id = read_id(in);
			break;
		case OpKind::cleanup: {
			op.file = in.u8();
			op.arg = read_addr(in);
			op.table = read_addr(in);
			static constexpr uint32_t odd_counts[4] = {
				17, 0xffffffffu, 0x20000001u, 16
			};
			const uint8_t sel = in.u8();
			op.cmd_count = sel % 21 < 17
					       ? sel % 21
					       : odd_counts[sel % 21 - 17];
			/* A count over 16 is refused before the commands
			 * are read: none follow it. */
			for (uint32_t i = 0;
			     op.cmd_count <= 16 && i < op.cmd_count; i++)
				op.cmds.push_back(read_cmd(in));
			break;
		}
		case OpKind::lock_contig:
			op.file = in.u8();
			op.arg = read_addr(in);
			op.size = read_size(in);
			break;
		case OpKind::mmap:
			op.file = in.u8();
			op.id = read_id(in);
			op.len = read_len(in);
			op.shared = !(in.u8() & 1);
			break;
		case OpKind::munmap:
		case OpKind::fork:
			op.vma = in.u8();
			break;
		case OpKind::fault:
			op.vma = in.u8();
			op.pages = in.u16();
			break;
		case OpKind::inject: {
			op.call = GlueCall(in.u8() % uint8_t(GlueCall::count));
			op.nth = 1 + in.u8() % 8;
			const uint8_t err = in.u8();
			op.err = injected_errnos[err % 8];
			op.short_pages = err % 4;
			break;
		}
		case OpKind::kill:
			op.nth = in.u8();
			break;
		case OpKind::stall_remove:
			op.board = in.u8() % board_count;
			op.access = Access(in.u8() % uint8_t(Access::count));
			break;
		case OpKind::repeat:
			times = repeat_times[in.u8() % 8];
			continue;
		case OpKind::count:
			break;
		}
		op.times = times;
		times = 1;
		program.ops.push_back(std::move(op));
	}
	return program;
}

/* ---- resolving ---------------------------------------------------------- */

uint64_t Arena::len(unsigned region) const
{
	const Region &r = regions[region % region_count];
	return r.mapped ? r.len : 0;
}

uint64_t Arena::resolve(const Addr &addr) const
{
	switch (addr.base) {
	case Addr::Base::start:
		return base(addr.region) + addr.offset;
	case Addr::Base::end:
		return base(addr.region) + len(addr.region) + addr.offset;
	default:
		return addr.offset;
	}
}

uint64_t Arena::resolve(const Size &size) const
{
	return size.region_len ? len(size.region) + size.value : size.value;
}

bool Arena::accessible(uint64_t addr, uint64_t n, unsigned need) const
{
	if (n == 0)
		return true;
	if (addr < arena_base)
		return false;
	const uint64_t r = (addr - arena_base) / region_stride;
	if (r >= region_count)
		return false;
	const Region &region = regions[r];
	const uint64_t offset = addr - base(unsigned(r));
	return region.mapped && (region.prot & need) == need &&
	       offset < region.len && n <= region.len - offset;
}

std::vector<Arena::Piece> Arena::mapped_pieces(uint64_t addr, uint64_t n) const
{
	std::vector<Piece> pieces;
	using u128 = unsigned __int128;
	const u128 start = addr, end = u128(addr) + n;
	for (unsigned r = 0; r < region_count; r++) {
		if (!regions[r].mapped)
			continue;
		const u128 lo = base(r), hi = u128(base(r)) + regions[r].len;
		const u128 from = start > lo ? start : lo;
		const u128 to = end < hi ? end : hi;
		if (from < to)
			pieces.push_back(Piece{ uint64_t(from - start),
						uint64_t(to - from),
						uint64_t(from) });
	}
	return pieces;
}

uint32_t resolve(const Count &count, uint64_t size)
{
	if (!count.exact)
		return count.value;
	const uint64_t exact = size / device_page + (size % device_page != 0);
	return uint32_t(exact + uint64_t(count.delta));
}

uint32_t resolve(const Cmd &cmd, uint64_t bar0_len)
{
	const uint32_t base =
		cmd.base == Cmd::Base::bar0_end ? uint32_t(bar0_len) : 0;
	return base + cmd.offset;
}

/* ---- names -------------------------------------------------------------- */

const char *name(GlueCall call)
{
	static const char *const names[] = {
		"kmalloc",	  "sgt_alloc",	    "mutex_create",
		"copy_from_user", "memlock_charge", "pin",
		"sgt_append",	  "dma_map",	    "sgt_bounced",
		"always_bounces", "coherent_alloc", "fault_insert",
		"window_pin",	  "pin_short",
	};
	static_assert(sizeof(names) / sizeof(names[0]) ==
		      size_t(GlueCall::count));
	return names[size_t(call) % size_t(GlueCall::count)];
}

const char *name(Access access)
{
	static const char *const names[] = { "copy_from_user", "pin_user_pages",
					     "pin of a user window" };
	static_assert(sizeof(names) / sizeof(names[0]) ==
		      size_t(Access::count));
	return names[size_t(access) % size_t(Access::count)];
}

const char *name(OpKind kind)
{
	static const char *const names[] = {
		"open",		"close",	"map_region",  "unmap_region",
		"protect",	"write_mem",	"ioctl",       "lock_sg",
		"unlock_sg",	"cleanup",	"lock_contig", "unlock_contig",
		"mmap",		"munmap",	"fault",       "fork",
		"remove_board", "return_board", "shutdown",    "inject",
		"kill",		"stall_remove", "repeat",
	};
	static_assert(sizeof(names) / sizeof(names[0]) ==
		      size_t(OpKind::count));
	return names[size_t(kind) % size_t(OpKind::count)];
}

bool host_only(OpKind kind)
{
	return kind == OpKind::shutdown || kind == OpKind::inject ||
	       kind == OpKind::kill;
}

namespace {

std::string hex(uint64_t v)
{
	char buf[32];
	std::snprintf(buf, sizeof(buf), "%#llx", (unsigned long long)v);
	return buf;
}

std::string signed_offset(uint64_t v)
{
	return int64_t(v) < 0 ? "-" + hex(0 - v) : "+" + hex(v);
}

std::string str(const Addr &a)
{
	switch (a.base) {
	case Addr::Base::start:
		return "r" + std::to_string(a.region) + signed_offset(a.offset);
	case Addr::Base::end:
		return "end(r" + std::to_string(a.region) + ")" +
		       signed_offset(a.offset);
	default:
		return hex(a.offset);
	}
}

std::string str(const Size &s)
{
	if (s.region_len)
		return "len(r" + std::to_string(s.region) + ")" +
		       signed_offset(s.value);
	return hex(s.value);
}

std::string str(const Count &c)
{
	if (c.exact)
		return c.delta ? "exact" + signed_offset(uint64_t(c.delta))
			       : "exact";
	return std::to_string(c.value);
}

std::string str(const IdRef &id)
{
	const std::string n = std::to_string(id.nth);
	switch (id.kind) {
	case IdRef::Kind::sg:
		return "sg#" + n;
	case IdRef::Kind::contig:
		return "contig#" + n;
	case IdRef::Kind::other_file:
		return "other-file#" + n;
	case IdRef::Kind::unlocked:
		return "unlocked#" + n;
	default:
		return std::to_string(id.value);
	}
}

std::string str(const MapLen &len)
{
	if (len.buffer)
		return len.delta ? "buffer" + std::to_string(len.delta) + "p"
				 : "buffer";
	return std::to_string(len.pages) + "p";
}

std::string str(const Cmd &cmd)
{
	return (cmd.base == Cmd::Base::bar0_end ? "end" : "") +
	       signed_offset(int32_t(cmd.offset)) + "=" + hex(cmd.data);
}

} // namespace

std::string describe(const Env &env)
{
	return "env: kernel page " + std::to_string(env.kernel_page) +
	       ", memlock " + hex(env.memlock_bytes) + ", bar0 " +
	       hex(env.bar0_len) + ", segment sel " +
	       std::to_string(env.max_segment_sel) +
	       (env.always_bounces ? ", board 1 swiotlb=force" : "") +
	       (env.bounces ? ", board 1 bounces" : "") + ", pin max " +
	       std::to_string(env.pin_max_pages);
}

std::string describe(const Op &op)
{
	std::string s = name(op.kind);
	const std::string file = " file " + std::to_string(op.file);
	switch (op.kind) {
	case OpKind::open:
	case OpKind::remove_board:
	case OpKind::return_board:
	case OpKind::shutdown:
		s += " board " + std::to_string(op.board);
		break;
	case OpKind::close:
		s += file;
		break;
	case OpKind::map_region:
		s += " r" + std::to_string(op.region) + " " +
		     std::to_string(op.pages) + "p prot " +
		     std::to_string(op.prot);
		break;
	case OpKind::unmap_region:
		s += " r" + std::to_string(op.region);
		break;
	case OpKind::protect:
		s += " r" + std::to_string(op.region) + " prot " +
		     std::to_string(op.prot);
		break;
	case OpKind::write_mem:
		s += " " + str(op.arg) + " " + std::to_string(op.bytes.size()) +
		     " bytes";
		break;
	case OpKind::ioctl:
		s += file + " " + hex(op.request) + " arg " + str(op.arg);
		break;
	case OpKind::lock_sg:
		s += file + " info " + str(op.arg) + " addr " + str(op.buf) +
		     " size " + str(op.size) + " upages " + str(op.table) +
		     " count " + str(op.count);
		break;
	case OpKind::unlock_sg:
	case OpKind::unlock_contig:
		s += file + " arg " + str(op.arg) + " id " + str(op.id);
		break;
	case OpKind::cleanup:
		s += file + " info " + str(op.arg) + " ucmds " + str(op.table) +
		     " count " + std::to_string(op.cmd_count);
		for (const Cmd &cmd : op.cmds)
			s += " " + str(cmd);
		break;
	case OpKind::lock_contig:
		s += file + " info " + str(op.arg) + " size " + str(op.size);
		break;
	case OpKind::mmap:
		s += file + " id " + str(op.id) + " len " + str(op.len) +
		     (op.shared ? " shared" : " private");
		break;
	case OpKind::munmap:
	case OpKind::fork:
		s += " vma " + std::to_string(op.vma);
		break;
	case OpKind::fault:
		s += " vma " + std::to_string(op.vma) + " page " +
		     std::to_string(op.pages);
		break;
	case OpKind::inject:
		s += std::string(" ") + name(op.call) + " #" +
		     std::to_string(op.nth) + " from now, " +
		     (op.call == GlueCall::pin_short
			      ? std::to_string(op.short_pages) + " pages"
			      : "errno " + std::to_string(op.err));
		break;
	case OpKind::kill:
		s += " at signal check " + std::to_string(op.nth) + " from now";
		break;
	case OpKind::stall_remove:
		s += " board " + std::to_string(op.board) + " at " +
		     name(op.access);
		break;
	case OpKind::repeat:
	case OpKind::count:
		break;
	}
	if (op.times > 1)
		s += " (x" + std::to_string(op.times) + ")";
	return s;
}

} // namespace crono_fuzz
