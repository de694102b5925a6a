// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the seed corpus: one small program per scenario, in the encoding
 * of program.h, as tests/fuzz/corpus/seed-NAME. The fuzzer starts from
 * these, so each one reaches a part of the driver that random bytes would
 * take long to find (a whole lock-map-fault-unlock cycle, a removal under
 * mappings, a full cleanup program, an id table filled up).
 *
 *   build/fuzz/crono_fuzz_seeds tests/fuzz/corpus
 *
 * Each seed is decoded again here and must give the operations it was
 * written as, so a change of the encoding cannot silently turn the seeds
 * into other programs.
 */
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "program.h"

using namespace crono_fuzz;

namespace {

using Bytes = std::vector<uint8_t>;

void put16(Bytes &b, uint16_t v)
{
	b.push_back(uint8_t(v));
	b.push_back(uint8_t(v >> 8));
}

void put32(Bytes &b, uint32_t v)
{
	put16(b, uint16_t(v));
	put16(b, uint16_t(v >> 16));
}

/* Field encodings (program.h): the selector first, then the parameter. */
struct Field {
	Bytes bytes;
};

enum AddrMode : uint8_t {
	start_pages = 0,
	start_bytes = 1,
	end_minus = 2,
	end_minus_pages = 3,
	end_plus = 4,
	start_minus = 5,
	absolute = 6,
	start_words = 7,
};

Field addr(unsigned region, AddrMode mode, uint16_t p = 0)
{
	Field f;
	f.bytes.push_back(uint8_t(region | mode << 3));
	put16(f.bytes, p);
	return f;
}

enum SizeMode : uint8_t {
	region_len = 0,
	region_len_minus = 1,
	region_len_plus = 2,
	bytes = 3,
	pages = 4,
	pages_plus_1 = 5,
	pages_minus_1 = 6,
	interesting = 7,
};

/* region_len*: p = region | delta << 3 */
Field size(SizeMode mode, uint32_t p = 0)
{
	Field f;
	f.bytes.push_back(mode);
	put32(f.bytes, p);
	return f;
}

Field count_exact(int delta = 0)
{
	Field f;
	f.bytes.push_back(delta == 0 ? 0 : delta > 0 ? 1 : 2);
	put32(f.bytes, 0);
	return f;
}

enum IdKind : uint8_t {
	sg_id = 0,
	contig_id = 1,
	other_file_id = 2,
	unlocked_id = 3,
	small_id = 4, /* n - 16 */
	odd_id = 5,
};

Field id(IdKind kind, uint8_t n = 0)
{
	return Field{ Bytes{ kind, n } };
}

Field map_len(uint8_t sel, uint16_t p = 0)
{
	Field f;
	f.bytes.push_back(sel);
	put16(f.bytes, p);
	return f;
}

Field cmd(uint8_t sel, uint32_t data)
{
	Field f;
	f.bytes.push_back(sel);
	put32(f.bytes, data);
	return f;
}

class Seed {
public:
	Seed(const char *name, uint8_t h0 = 0, uint8_t h1 = 0, uint8_t h2 = 0,
	     uint8_t h3 = 0)
	    : name_(name), bytes_{ h0, h1, h2, h3 }
	{
	}

	Seed &op(OpKind kind, std::initializer_list<uint8_t> small = {},
		 std::initializer_list<Field> fields = {})
	{
		bytes_.push_back(uint8_t(kind));
		bytes_.insert(bytes_.end(), small);
		for (const Field &f : fields)
			bytes_.insert(bytes_.end(), f.bytes.begin(),
				      f.bytes.end());
		if (kind != OpKind::repeat)
			kinds_.push_back(kind);
		return *this;
	}
	Seed &raw(std::initializer_list<uint8_t> bytes)
	{
		bytes_.insert(bytes_.end(), bytes);
		return *this;
	}

	/* The common operations. */
	Seed &open(uint8_t board) { return op(OpKind::open, { board }); }
	Seed &close(uint8_t file) { return op(OpKind::close, { file }); }
	/* pages 1..16 as themselves; larger ones through the table of
	 * program.cpp (index 0xff00 | i). */
	Seed &map(uint8_t region, uint16_t pages_sel, uint8_t prot = 0)
	{
		bytes_.push_back(uint8_t(OpKind::map_region));
		bytes_.push_back(region);
		put16(bytes_, pages_sel);
		bytes_.push_back(prot);
		kinds_.push_back(OpKind::map_region);
		return *this;
	}
	Seed &map_pages(uint8_t region, uint16_t pages, uint8_t prot = 0)
	{
		return map(region, uint16_t(pages - 1), prot);
	}
	Seed &protect(uint8_t region, uint8_t prot)
	{
		return op(OpKind::protect, { region, prot });
	}
	Seed &lock_sg(uint8_t file, Field info, Field buf, Field sz,
		      Field table, Field count = count_exact())
	{
		return op(OpKind::lock_sg, { file },
			  { info, buf, sz, table, count });
	}
	/* The usual lock: struct at r1+0, the whole of r0, table at r1+64. */
	Seed &lock_r0(uint8_t file = 0)
	{
		return lock_sg(file, addr(1, start_bytes, 0),
			       addr(0, start_pages, 0), size(region_len, 0),
			       addr(1, start_bytes, 64));
	}
	Seed &unlock_sg(uint8_t file, Field which)
	{
		return op(OpKind::unlock_sg, { file },
			  { addr(1, start_bytes, 48), which });
	}
	Seed &lock_contig(uint8_t file, Field sz,
			  Field info = addr(1, start_bytes, 0))
	{
		return op(OpKind::lock_contig, { file }, { info, sz });
	}
	Seed &unlock_contig(uint8_t file, Field which)
	{
		return op(OpKind::unlock_contig, { file },
			  { addr(1, start_bytes, 48), which });
	}
	Seed &mmap(uint8_t file, Field which, Field len = map_len(0),
		   bool shared = true)
	{
		return op(OpKind::mmap, { file }, { which, len })
			.raw({ uint8_t(shared ? 0 : 1) });
	}
	Seed &munmap(uint8_t vma) { return op(OpKind::munmap, { vma }); }
	Seed &fault(uint8_t vma, uint16_t page)
	{
		op(OpKind::fault, { vma });
		put16(bytes_, page);
		return *this;
	}
	Seed &fork(uint8_t vma) { return op(OpKind::fork, { vma }); }
	Seed &cleanup(uint8_t file, uint8_t count_sel, std::vector<Field> cmds,
		      Field ucmds = addr(2, start_bytes, 0))
	{
		op(OpKind::cleanup, { file },
		   { addr(1, start_bytes, 0), ucmds });
		bytes_.push_back(count_sel);
		for (const Field &c : cmds)
			bytes_.insert(bytes_.end(), c.bytes.begin(),
				      c.bytes.end());
		return *this;
	}
	Seed &ioctl(uint8_t file, uint8_t request_sel, uint32_t raw, Field arg)
	{
		op(OpKind::ioctl, { file, request_sel });
		put32(bytes_, raw);
		bytes_.insert(bytes_.end(), arg.bytes.begin(), arg.bytes.end());
		return *this;
	}
	Seed &remove(uint8_t board)
	{
		return op(OpKind::remove_board, { board });
	}
	Seed &reprobe(uint8_t board)
	{
		return op(OpKind::return_board, { board });
	}
	Seed &shutdown(uint8_t board)
	{
		return op(OpKind::shutdown, { board });
	}
	/* errno sel: 0 ENOMEM, 1 EFAULT, 2 EINTR, 3 EIO, 4 E2BIG,
	 * 5 EREMOTEIO, 6 EINVAL, 7 EAGAIN */
	Seed &inject(GlueCall call, uint8_t nth = 1, uint8_t err = 0)
	{
		return op(OpKind::inject,
			  { uint8_t(call), uint8_t(nth - 1), err });
	}
	Seed &kill(uint8_t n) { return op(OpKind::kill, { n }); }
	Seed &stall_remove(uint8_t board, Access access)
	{
		return op(OpKind::stall_remove, { board, uint8_t(access) });
	}
	/* times: 0 2, 1 3, 2 8, 3 64, 4 4095, 5 4096, 6 4097 */
	Seed &repeat(uint8_t sel) { return op(OpKind::repeat, { sel }); }

	void write(const std::string &dir) const
	{
		const Program decoded = decode(bytes_.data(), bytes_.size());
		bool same = decoded.ops.size() == kinds_.size();
		for (size_t i = 0; same && i < kinds_.size(); i++)
			same = decoded.ops[i].kind == kinds_[i];
		if (!same) {
			std::fprintf(stderr,
				     "seed %s does not decode as written\n",
				     name_);
			std::exit(1);
		}
		const std::string path = dir + "/seed-" + name_;
		FILE *f = std::fopen(path.c_str(), "wb");
		if (!f ||
		    std::fwrite(bytes_.data(), 1, bytes_.size(), f) !=
			    bytes_.size() ||
		    std::fclose(f) != 0) {
			std::perror(path.c_str());
			std::exit(1);
		}
	}

private:
	const char *name_;
	Bytes bytes_;
	std::vector<OpKind> kinds_;
};

/* Region 0 the buffer (4 pages), region 1 structs and tables (1 page),
 * region 2 cleanup commands (1 page); board 0 open. */
Seed basic(const char *name, uint8_t h0 = 0, uint8_t h1 = 0, uint8_t h2 = 0,
	   uint8_t h3 = 0)
{
	Seed s(name, h0, h1, h2, h3);
	s.map_pages(0, 4).map_pages(1, 1).map_pages(2, 1).open(0);
	return s;
}

std::vector<Seed> seeds()
{
	std::vector<Seed> all;
	all.push_back(Seed("load-unload"));
	all.push_back(Seed("open-twice")
			      .open(0)
			      .open(0)
			      .open(1)
			      .close(0)
			      .open(0)
			      .close(1)
			      .close(0));

	/* S/G buffers */
	all.push_back(basic("sg-lock-unlock")
			      .lock_r0()
			      .unlock_sg(0, id(sg_id))
			      .unlock_sg(0, id(unlocked_id))
			      .close(0));
	all.push_back(basic("sg-close-with-buffers")
			      .lock_r0()
			      .lock_r0()
			      .lock_sg(0, addr(1, start_bytes, 0),
				       addr(0, start_pages, 1), size(pages, 2),
				       addr(1, start_bytes, 256))
			      .close(0));
	all.push_back(
		basic("sg-table-overlaps")
			/* the table over the struct, then in the
			       * buffer itself */
			.lock_sg(0, addr(1, start_bytes, 0),
				 addr(0, start_pages, 0), size(region_len, 0),
				 addr(1, start_bytes, 16))
			.lock_sg(0, addr(1, start_bytes, 0),
				 addr(1, start_pages, 0), size(region_len, 1),
				 addr(1, start_bytes, 64)));
	all.push_back(
		basic("sg-sizes")
			.lock_sg(0, addr(1, start_bytes, 0),
				 addr(0, start_pages, 0),
				 size(region_len_minus, 0 | 1 << 3),
				 addr(1, start_bytes, 64))
			.lock_sg(0, addr(1, start_bytes, 0),
				 addr(0, start_pages, 0), size(bytes, 1),
				 addr(1, start_bytes, 64))
			.lock_sg(0, addr(1, start_bytes, 0),
				 addr(0, start_pages, 0), size(region_len, 0),
				 addr(1, start_bytes, 64), count_exact(1))
			.lock_sg(0, addr(1, start_bytes, 0),
				 addr(0, start_pages, 0), size(region_len, 0),
				 addr(1, start_bytes, 64), count_exact(-1)));
	all.push_back(
		basic("sg-limits")
			/* 256 GiB, one more byte, 1 GiB-1 */
			.lock_sg(0, addr(1, start_bytes, 0),
				 addr(0, start_pages, 0), size(interesting, 0),
				 addr(1, start_bytes, 64))
			.lock_sg(0, addr(1, start_bytes, 0),
				 addr(0, start_pages, 0), size(interesting, 1),
				 addr(1, start_bytes, 64))
			.lock_sg(0, addr(1, start_bytes, 0),
				 addr(0, start_pages, 0), size(interesting, 10),
				 addr(1, start_bytes, 64)));
	all.push_back(basic("sg-bad-addresses")
			      /* unaligned, 0, wrapping, past the region */
			      .lock_sg(0, addr(1, start_bytes, 0),
				       addr(0, start_bytes, 1), size(pages, 1),
				       addr(1, start_bytes, 64))
			      .lock_sg(0, addr(1, start_bytes, 0),
				       addr(0, absolute, 0), size(pages, 1),
				       addr(1, start_bytes, 64))
			      .lock_sg(0, addr(1, start_bytes, 0),
				       addr(0, absolute, 8), size(pages, 2),
				       addr(1, start_bytes, 64))
			      .lock_sg(0, addr(1, start_bytes, 0),
				       addr(0, start_pages, 0),
				       size(region_len_plus, 0 | 4096 << 3),
				       addr(1, start_bytes, 64))
			      .lock_sg(0, addr(1, start_bytes, 0),
				       addr(0, start_pages, 0), size(pages, 1),
				       addr(1, end_minus, 8))
			      .lock_sg(0, addr(1, end_minus, 20),
				       addr(0, start_pages, 0), size(pages, 1),
				       addr(1, start_bytes, 64))
			      .ioctl(0, 0, 0, addr(0, absolute, 6)));
	all.push_back(basic("sg-read-only")
			      .lock_r0()
			      .protect(0, 1)
			      .lock_r0()
			      .protect(0, 0)
			      .protect(1, 1)
			      .lock_r0()
			      .protect(1, 2)
			      .lock_r0()
			      .close(0));
	/* 4097 pages pinned 3 at a time: two batches, many pin calls */
	all.push_back(Seed("sg-batches", 0, 0, 0, 0x20)
			      .map(0, 0xff00 | 6)
			      .map_pages(1, 1)
			      .open(0)
			      .lock_sg(0, addr(1, start_bytes, 0),
				       addr(0, start_pages, 0),
				       size(region_len, 0),
				       addr(1, start_bytes, 64))
			      .close(0));
	all.push_back(Seed("sg-segments", 0, 0, 0, 1)
			      .map_pages(0, 16)
			      .map_pages(1, 16)
			      .open(0)
			      .lock_sg(0, addr(1, start_bytes, 0),
				       addr(0, start_pages, 0),
				       size(region_len, 0),
				       addr(1, start_bytes, 64))
			      .unlock_sg(0, id(sg_id)));
	all.push_back(Seed("sg-64k-pages", 2)
			      .map_pages(0, 32)
			      .map_pages(1, 1)
			      .open(0)
			      .lock_sg(0, addr(1, start_bytes, 0),
				       addr(0, start_pages, 0), size(pages, 1),
				       addr(1, start_bytes, 64))
			      .lock_sg(0, addr(1, start_bytes, 0),
				       addr(0, start_pages, 1), size(pages, 1),
				       addr(1, start_bytes, 64))
			      .lock_contig(0, size(bytes, 1))
			      .close(0));
	all.push_back(basic("sg-memlock", 0, 3)
			      /* a limit of 4 pages: 4 fit, 5 do not */
			      .lock_sg(0, addr(1, start_bytes, 0),
				       addr(0, start_pages, 0), size(pages, 3),
				       addr(1, start_bytes, 64))
			      .lock_sg(0, addr(1, start_bytes, 0),
				       addr(0, start_pages, 0), size(pages, 2),
				       addr(1, start_bytes, 64))
			      .lock_sg(0, addr(1, start_bytes, 0),
				       addr(0, start_pages, 0), size(pages, 1),
				       addr(1, start_bytes, 64))
			      .lock_contig(0, size(pages, 1))
			      .close(0));
	all.push_back(basic("sg-bounce", 0, 0, 0, 4 | 8)
			      .close(0)
			      .open(1)
			      .lock_r0()
			      .lock_contig(0, size(pages, 1)));
	all.push_back(basic("sg-ids-full")
			      .repeat(5)
			      .lock_r0()
			      .lock_r0()
			      .lock_contig(0, size(pages, 1))
			      .unlock_sg(0, id(small_id, 16 + 7))
			      .lock_r0()
			      .close(0));

	/* contiguous buffers and mappings */
	all.push_back(basic("contig-map-fault")
			      .lock_contig(0, size(pages, 3))
			      .mmap(0, id(contig_id))
			      .fault(0, 0)
			      .fault(0, 2)
			      .munmap(0)
			      .unlock_contig(0, id(contig_id))
			      .close(0));
	all.push_back(basic("contig-unlock-while-mapped")
			      .lock_contig(0, size(pages, 2))
			      .mmap(0, id(contig_id))
			      .unlock_contig(0, id(contig_id))
			      .fault(0, 1)
			      .lock_contig(0, size(pages, 1))
			      .mmap(0, id(contig_id))
			      .munmap(0)
			      .munmap(0)
			      .close(0));
	all.push_back(basic("contig-limits")
			      .lock_contig(0, size(bytes, 0))
			      .lock_contig(0, size(interesting, 6))
			      .lock_contig(0, size(interesting, 7))
			      .repeat(1)
			      .lock_contig(0, size(interesting, 5))
			      .lock_contig(0, size(interesting, 5))
			      .lock_contig(0, size(interesting, 5))
			      .unlock_contig(0, id(contig_id, 2))
			      .lock_contig(0, size(interesting, 5))
			      .close(0));
	/* 4096 buffers hold memory: one more is refused, even once an id
	 * is free, while the unlocked buffer is still mapped */
	all.push_back(basic("contig-too-many")
			      .repeat(5)
			      .lock_contig(0, size(pages, 1))
			      .lock_contig(0, size(pages, 1))
			      .mmap(0, id(contig_id, 7))
			      .unlock_contig(0, id(contig_id, 7))
			      .lock_contig(0, size(pages, 1))
			      .munmap(0)
			      .lock_contig(0, size(pages, 1))
			      .close(0));
	all.push_back(basic("mmap-refused")
			      .lock_contig(0, size(pages, 2))
			      .lock_r0()
			      .mmap(0, id(contig_id), map_len(0), false)
			      .mmap(0, id(contig_id), map_len(1))
			      .mmap(0, id(sg_id))
			      .mmap(0, id(small_id, 16 + 9))
			      .mmap(0, id(odd_id, 1))
			      .mmap(0, id(contig_id), map_len(2)));
	all.push_back(basic("fork-and-close-while-mapped")
			      .lock_contig(0, size(pages, 4))
			      .mmap(0, id(contig_id), map_len(2))
			      .fault(0, 0)
			      .fork(0)
			      .close(0)
			      .fault(1, 2)
			      .munmap(0)
			      .fault(0, 1)
			      .munmap(0));

	/* cleanup programs */
	std::vector<Field> sixteen;
	for (uint8_t k = 0; k < 16; k++)
		sixteen.push_back(cmd(uint8_t(k << 3), 0x1000u + k));
	all.push_back(basic("cleanup-replayed-at-close")
			      .cleanup(0, 16, sixteen)
			      .lock_r0()
			      .lock_contig(0, size(pages, 1))
			      .close(0));
	all.push_back(basic("cleanup-invalid")
			      .cleanup(0, 2, { cmd(0, 1), cmd(1, 2) })
			      .cleanup(0, 17, {})
			      .cleanup(0, 1, { cmd(2, 3) })
			      .cleanup(0, 1, { cmd(4 | 1 << 3, 4) })
			      .cleanup(0, 1, { cmd(5, 5) })
			      .cleanup(0, 3,
				       { cmd(0, 6), cmd(1, 7), cmd(0, 8) },
				       addr(2, end_minus, 16))
			      .cleanup(0, 2, { cmd(0, 8), cmd(0, 9) },
				       addr(0, absolute, 0))
			      .close(0)
			      .open(0)
			      .cleanup(0, 0, {})
			      .close(0));
	all.push_back(basic("cleanup-no-mmio-bar", 0, 0, 1)
			      .cleanup(0, 0, {})
			      .cleanup(0, 1, { cmd(0, 1) })
			      .close(0));
	all.push_back(basic("shutdown")
			      .cleanup(0, 2, { cmd(0, 1), cmd(1, 2) })
			      .lock_r0()
			      .shutdown(0)
			      .shutdown(1)
			      .close(0));

	/* ids */
	all.push_back(basic("unlock-wrong-ids")
			      .open(1)
			      .lock_r0(0)
			      .lock_contig(0, size(pages, 1))
			      .lock_contig(1, size(pages, 1))
			      .unlock_sg(0, id(contig_id))
			      .unlock_contig(0, id(sg_id))
			      .unlock_sg(0, id(other_file_id))
			      .unlock_contig(1, id(other_file_id))
			      .unlock_sg(0, id(odd_id, 0))
			      .unlock_sg(0, id(odd_id, 2))
			      .unlock_contig(0, id(odd_id, 4))
			      .unlock_sg(0, id(sg_id))
			      .unlock_sg(0, id(unlocked_id))
			      .op(OpKind::unlock_sg, { 0 },
				  { addr(1, end_minus, 2), id(sg_id) }));
	all.push_back(basic("raw-requests")
			      .ioctl(0, 5, 0, addr(1, start_bytes, 0))
			      .ioctl(0, 6, 0, addr(1, start_bytes, 0))
			      .ioctl(0, 7, 0xC0086306u, addr(1, start_bytes, 0))
			      .ioctl(0, 1, 0, addr(0, absolute, 6))
			      .ioctl(0, 2, 0, addr(0, absolute, 0))
			      .ioctl(0, 3, 0, addr(1, end_minus, 39))
			      .ioctl(0, 4, 0, addr(1, end_plus, 0)));

	/* removal */
	all.push_back(basic("remove-while-mapped")
			      .cleanup(0, 1, { cmd(0, 0xdead) })
			      .lock_r0()
			      .lock_contig(0, size(pages, 2))
			      .mmap(0, id(contig_id))
			      .fault(0, 1)
			      .lock_contig(0, size(pages, 1))
			      .unlock_contig(0, id(contig_id, 0))
			      .remove(0)
			      .fault(0, 0)
			      .fork(0)
			      .lock_r0()
			      .unlock_sg(0, id(small_id, 16))
			      .ioctl(0, 5, 0, addr(1, start_bytes, 0))
			      .mmap(0, id(small_id, 17))
			      .close(0)
			      .munmap(0)
			      .munmap(0));
	all.push_back(basic("remove-and-return")
			      .lock_r0()
			      .remove(0)
			      .remove(1)
			      .reprobe(0)
			      .open(0)
			      .close(1)
			      .open(0)
			      .lock_r0(1)
			      .reprobe(1)
			      .close(1));
	all.push_back(basic("remove-during-pin")
			      .stall_remove(0, Access::pin_user_pages)
			      .lock_r0()
			      .close(0)
			      .reprobe(0)
			      .open(0)
			      .stall_remove(0, Access::window_pin)
			      .lock_r0()
			      .close(0)
			      .reprobe(0)
			      .open(0)
			      .stall_remove(0, Access::copy_from_user)
			      .unlock_sg(0, id(small_id, 16)));

	/* failures of the kernel's services */
	struct {
		const char *name;
		GlueCall call;
		uint8_t nth;
		uint8_t err;
	} sg_failures[] = {
		{ "fail-sg-copy", GlueCall::copy_from_user, 1, 1 },
		{ "fail-sg-charge", GlueCall::memlock_charge, 1, 0 },
		{ "fail-sg-table-alloc", GlueCall::sgt_alloc, 1, 0 },
		{ "fail-sg-batch", GlueCall::kmalloc, 1, 0 },
		{ "fail-sg-pin", GlueCall::pin, 2, 2 },
		{ "fail-sg-pin-short", GlueCall::pin_short, 1, 2 },
		{ "fail-sg-append", GlueCall::sgt_append, 1, 4 },
		{ "fail-sg-object", GlueCall::kmalloc, 2, 0 },
		{ "fail-sg-window", GlueCall::window_pin, 2, 1 },
		{ "fail-sg-dma-map", GlueCall::dma_map, 1, 5 },
		{ "fail-sg-bounced", GlueCall::sgt_bounced, 1, 0 },
		{ "fail-sg-staging", GlueCall::kmalloc, 3, 0 },
	};
	for (const auto &f : sg_failures)
		all.push_back(Seed(f.name, 0, 0, 0, 0x20)
				      .map_pages(0, 8)
				      .map_pages(1, 1)
				      .open(0)
				      .inject(f.call, f.nth, f.err)
				      .lock_r0()
				      .lock_r0()
				      .close(0));
	all.push_back(basic("fail-contig")
			      .inject(GlueCall::coherent_alloc)
			      .lock_contig(0, size(pages, 1))
			      .inject(GlueCall::window_pin, 1, 1)
			      .lock_contig(0, size(pages, 1))
			      .inject(GlueCall::kmalloc)
			      .lock_contig(0, size(pages, 1))
			      .lock_contig(0, size(pages, 1))
			      .mmap(0, id(contig_id))
			      .inject(GlueCall::fault_insert)
			      .fault(0, 0)
			      .fault(0, 0)
			      .close(0));
	all.push_back(Seed("fail-open-and-probe")
			      .inject(GlueCall::kmalloc)
			      .open(0)
			      .open(0)
			      .remove(1)
			      .inject(GlueCall::mutex_create, 2)
			      .reprobe(1)
			      .inject(GlueCall::kmalloc)
			      .reprobe(1)
			      .reprobe(1)
			      .open(1));
	all.push_back(Seed("killed-while-pinning", 0, 0, 0, 0x10)
			      .map_pages(0, 16)
			      .map_pages(1, 1)
			      .open(0)
			      .kill(5)
			      .lock_r0()
			      .lock_r0()
			      .kill(0)
			      .lock_r0()
			      .close(0));
	return all;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc != 2) {
		std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	const auto all = seeds();
	for (const Seed &seed : all)
		seed.write(argv[1]);
	std::printf("%zu seeds written to %s\n", all.size(), argv[1]);
	return 0;
}
