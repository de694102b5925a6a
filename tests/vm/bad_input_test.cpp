// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Bad input to every request and to mmap: each is refused with the errno
// docs/abi.md gives, and nothing stays locked or pinned.
#include "fixture.h"

#include <climits>

using namespace vt;

namespace {

class BadInput_PlainIommuSwiotlbInstalled : public BoardTest {};

struct BadLockFixture {
	Fd fd;
	Mapping mem;		     // 4 writable pages
	std::vector<uint64_t> table; // writable page table
	bool ok = false;
	BadLockFixture()
	{
		fd = open_node_checked(0);
		mem = Mapping::anon(4 * kPage);
		table.assign(64, 0);
		if (mem.ok())
			memset(mem.data(), 1, mem.size());
		ok = fd.valid() && mem.ok();
	}
	uint64_t t() const { return reinterpret_cast<uint64_t>(table.data()); }
};

TEST_F(BadInput_PlainIommuSwiotlbInstalled, LockAddrZero)
{
	BadLockFixture f;
	ASSERT_TRUE(f.ok);
	lock_expect(f.fd.get(), "addr 0", 0, kPage, f.t(), 1, { EINVAL });
	lock_expect(f.fd.get(), "addr 0, 2 pages", 0, 2 * kPage, f.t(), 2,
		    { EINVAL });
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, LockAddrUnaligned)
{
	BadLockFixture f;
	ASSERT_TRUE(f.ok);
	lock_expect(f.fd.get(), "addr+1", f.mem.addr() + 1, kPage, f.t(), 1,
		    { EINVAL });
	lock_expect(f.fd.get(), "addr+2048", f.mem.addr() + 2048, kPage, f.t(),
		    1, { EINVAL });
	lock_expect(f.fd.get(), "addr+8", f.mem.addr() + 8, 2 * kPage, f.t(), 2,
		    { EINVAL });
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, LockSizeZero)
{
	BadLockFixture f;
	ASSERT_TRUE(f.ok);
	lock_expect(f.fd.get(), "size 0, pages_count 0", f.mem.addr(), 0, f.t(),
		    0, { EINVAL });
	lock_expect(f.fd.get(), "size 0, pages_count 1", f.mem.addr(), 0, f.t(),
		    1, { EINVAL });
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, LockCountSmall)
{
	BadLockFixture f;
	ASSERT_TRUE(f.ok);
	lock_expect(f.fd.get(), "size 8192, pages_count 1", f.mem.addr(),
		    2 * kPage, f.t(), 1, { EINVAL });
	lock_expect(f.fd.get(), "size 4097, pages_count 1 (ceil is 2)",
		    f.mem.addr(), kPage + 1, f.t(), 1, { EINVAL });
	lock_expect(f.fd.get(), "size 16384, pages_count 0", f.mem.addr(),
		    4 * kPage, f.t(), 0, { EINVAL });
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, LockCountLarge)
{
	BadLockFixture f;
	ASSERT_TRUE(f.ok);
	lock_expect(f.fd.get(), "size 8192, pages_count 3", f.mem.addr(),
		    2 * kPage, f.t(), 3, { EINVAL });
	lock_expect(f.fd.get(), "size 4096, pages_count 2", f.mem.addr(), kPage,
		    f.t(), 2, { EINVAL });
	lock_expect(f.fd.get(), "size 8192, pages_count 0xffffffff",
		    f.mem.addr(), 2 * kPage, f.t(), 0xffffffffu, { EINVAL });
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, LockWrap)
{
	BadLockFixture f;
	ASSERT_TRUE(f.ok);
	lock_expect(f.fd.get(), "addr 0xfffffffffffff000 size 8192",
		    0xfffffffffffff000ull, 2 * kPage, f.t(), 2, { EINVAL });
	lock_expect(f.fd.get(), "addr 0xffffffffffff0000 size 128 KiB",
		    0xffffffffffff0000ull, 32 * kPage, f.t(), 32, { EINVAL });
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, LockUnmapped)
{
	BadLockFixture f;
	ASSERT_TRUE(f.ok);
	uint64_t hole = unmapped_address(4 * kPage);
	ASSERT_TRUE(hole != 0);
	lock_expect(f.fd.get(), "of an unmapped range", hole, 4 * kPage, f.t(),
		    4, fault_errs());
	// Pages 0, 1 and 3 mapped (and faulted in), page 2 not: the pins taken
	// for 0 and 1 must be dropped again.
	Mapping m = Mapping::anon(4 * kPage);
	ASSERT_TRUE(m.ok());
	memset(m.data(), 1, m.size());
	ASSERT_TRUE(munmap(m.page(2), kPage) == 0);
	lock_expect(f.fd.get(), "with an unmapped third page", m.addr(),
		    4 * kPage, f.t(), 4, fault_errs());
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, LockReadonly)
{
	BadLockFixture f;
	ASSERT_TRUE(f.ok);
	Mapping ro = Mapping::anon(4 * kPage, PROT_READ);
	ASSERT_TRUE(ro.ok());
	volatile uint8_t sink = ro.data()[0]; // fault in (the zero page)
	(void)sink;
	lock_expect(f.fd.get(), "of a PROT_READ range", ro.addr(), 4 * kPage,
		    f.t(), 4, fault_errs());
	Mapping m = Mapping::anon(4 * kPage);
	ASSERT_TRUE(m.ok());
	memset(m.data(), 1, m.size());
	ASSERT_TRUE(mprotect(m.page(3), kPage, PROT_READ) == 0);
	lock_expect(f.fd.get(), "with a PROT_READ last page", m.addr(),
		    4 * kPage, f.t(), 4, fault_errs());
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, LockUpagesReadonly)
{
	BadLockFixture f;
	ASSERT_TRUE(f.ok);
	Mapping ro = Mapping::anon(kPage, PROT_READ);
	ASSERT_TRUE(ro.ok());
	lock_expect(f.fd.get(), "with upages in a PROT_READ mapping",
		    f.mem.addr(), 4 * kPage, ro.addr(), 4, fault_errs());
	uint64_t hole = unmapped_address(kPage);
	lock_expect(f.fd.get(), "with upages unmapped", f.mem.addr(), 4 * kPage,
		    hole, 4, fault_errs());
	// Two entries writable, the other two in a read-only page.
	Mapping half = Mapping::anon(2 * kPage);
	ASSERT_TRUE(half.ok());
	ASSERT_TRUE(mprotect(half.page(1), kPage, PROT_READ) == 0);
	lock_expect(f.fd.get(), "with upages half in a PROT_READ page",
		    f.mem.addr(), 4 * kPage, half.addr() + kPage - 16, 4,
		    fault_errs());
	lock_expect(f.fd.get(), "with upages NULL", f.mem.addr(), 4 * kPage, 0,
		    4, fault_errs());
	if (!g.swiotlb()) {
		// The same buffer locks fine with a good table afterwards.
		Pins base = read_pins();
		CRONO_SG_BUFFER_INFO info;
		memset(&info, 0, sizeof info);
		info.addr = f.mem.addr();
		info.size = 4 * kPage;
		info.pages = info.upages = f.t();
		info.pages_count = 4;
		const bool locked = succeeds(
			sys(ioctl(f.fd.get(), IOCTL_CRONO_LOCK_BUFFER, &info)));
		EXPECT_TRUE(locked) << "LOCK_BUFFER after the rejected ones";
		if (locked) {
			EXPECT_TRUE(pins_moved_by(base, 4))
				<< "after LOCK_BUFFER of 4 pages";
			EXPECT_TRUE(unlock_sg(f.fd.get(), info.id) == 0);
		}
	}
}

struct Req {
	unsigned long nr;
	const char *name;
};
const Req kRequests[] = {
	{ IOCTL_CRONO_LOCK_BUFFER, "LOCK_BUFFER" },
	{ IOCTL_CRONO_UNLOCK_BUFFER, "UNLOCK_BUFFER" },
	{ IOCTL_CRONO_CLEANUP_SETUP, "CLEANUP_SETUP" },
	{ IOCTL_CRONO_LOCK_CONTIG_BUFFER, "LOCK_CONTIG_BUFFER" },
	{ IOCTL_CRONO_UNLOCK_CONTIG_BUFFER, "UNLOCK_CONTIG_BUFFER" },
};

TEST_F(BadInput_PlainIommuSwiotlbInstalled, IoctlArgNull)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	for (auto &r : kRequests) {
		EXPECT_TRUE(
			fails_with(sys(ioctl(fd.get(), r.nr, nullptr)), EFAULT))
			<< std::string(r.name) + " with a NULL argument";
	}
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, IoctlArgUnmapped)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	uint64_t hole = unmapped_address();
	ASSERT_TRUE(hole != 0);
	for (auto &r : kRequests) {
		EXPECT_TRUE(
			fails_with(sys(ioctl(fd.get(), r.nr,
					     reinterpret_cast<void *>(hole))),
				   EFAULT))
			<< std::string(r.name) + " with an unmapped argument";
	}
	// An argument that straddles into an unmapped page.
	Mapping m = Mapping::anon(2 * kPage);
	ASSERT_TRUE(m.ok());
	ASSERT_TRUE(munmap(m.page(1), kPage) == 0);
	void *straddle = m.page(1) - 16; // 16 of the 40 bytes readable
	EXPECT_TRUE(fails_with(
		sys(ioctl(fd.get(), IOCTL_CRONO_LOCK_BUFFER, straddle)),
		EFAULT))
		<< "LOCK_BUFFER with an argument running into an unmapped page";
	EXPECT_TRUE(fails_with(
		sys(ioctl(fd.get(), IOCTL_CRONO_LOCK_CONTIG_BUFFER, straddle)),
		EFAULT))
		<< "LOCK_CONTIG_BUFFER with an argument running into an "
		   "unmapped page";
}

// Argument structs readable but not writable: the result cannot be copied back,
// so the call fails with EFAULT and must not leave a buffer behind.
TEST_F(BadInput_PlainIommuSwiotlbInstalled, LockArgReadonly)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	Mapping mem = Mapping::anon(4 * kPage);
	ASSERT_TRUE(mem.ok());
	std::vector<uint64_t> table(4);
	Mapping argpage = Mapping::anon(kPage);
	ASSERT_TRUE(argpage.ok());
	CRONO_SG_BUFFER_INFO info;
	memset(&info, 0, sizeof info);
	info.addr = mem.addr();
	info.size = 4 * kPage;
	info.pages = info.upages = reinterpret_cast<uint64_t>(table.data());
	info.pages_count = 4;
	memcpy(argpage.data(), &info, sizeof info);
	CRONO_CONTIG_BUFFER_INFO ci;
	memset(&ci, 0, sizeof ci);
	ci.size = kPage;
	memcpy(argpage.data() + 64, &ci, sizeof ci);
	ASSERT_TRUE(mprotect(argpage.data(), kPage, PROT_READ) == 0);
	Pins base = read_pins();
	EXPECT_TRUE(fails_with(
		sys(ioctl(fd.get(), IOCTL_CRONO_LOCK_BUFFER, argpage.data())),
		fault_errs()))
		<< "LOCK_BUFFER with a read-only argument";
	EXPECT_TRUE(pins_moved_by(base, 0))
		<< "after LOCK_BUFFER with a read-only argument, file still "
		   "open";
	EXPECT_TRUE(
		fails_with(sys(ioctl(fd.get(), IOCTL_CRONO_LOCK_CONTIG_BUFFER,
				     argpage.data() + 64)),
			   EFAULT))
		<< "LOCK_CONTIG_BUFFER with a read-only argument";
	// No buffer may have been left behind under any small id.
	for (int id = 0; id < 64; id++) {
		Mapping m = Mapping::map(kPage, PROT_READ, MAP_SHARED, fd.get(),
					 static_cast<off_t>(id) *
						 static_cast<off_t>(kPage));
		if (m.ok()) {
			ADD_FAILURE()
				<< strf("a contiguous buffer with id %d exists "
					"after the failed LOCK_CONTIG_BUFFER",
					id);
			unlock_contig(fd.get(), id);
			break;
		}
	}
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, IoctlUnknown)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	std::vector<uint8_t> arg(
		256, 0); // valid memory, so that only the number matters
	const unsigned long reqs[] = {
		0xC0086399ul, // unknown nr
		0xC0086305ul, // reserved by a vendor branch (2 MiB-page
			      // LOCK_BUFFER)
		0xC0086306ul, 0xC008630Ful,
		0xC0286300ul, // _IOWR('c', 0, CRONO_SG_BUFFER_INFO): the
			      // "fixed" size is not ours
		0xC0086400ul, // another magic
	};
	for (unsigned long r : reqs) {
		EXPECT_TRUE(
			fails_with(sys(ioctl(fd.get(), r, arg.data())), ENOTTY))
			<< strf("ioctl 0x%08lx", r);
	}
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, UnlockUnknownId)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	for (int id : { 0, 1, 2, 12345, -1, INT_MAX, INT_MIN }) {
		EXPECT_TRUE(fails_with(
			sys(ioctl(fd.get(), IOCTL_CRONO_UNLOCK_BUFFER, &id)),
			EINVAL))
			<< strf("UNLOCK_BUFFER(%d) with nothing locked", id);
		EXPECT_TRUE(fails_with(
			sys(ioctl(fd.get(), IOCTL_CRONO_UNLOCK_CONTIG_BUFFER,
				  &id)),
			EINVAL))
			<< strf("UNLOCK_CONTIG_BUFFER(%d) with nothing locked",
				id);
	}
	ContigBuf c;
	contig_lock_checked(fd.get(), kPage, &c, false);
	if (c.locked) {
		int other = c.id + 1000;
		EXPECT_TRUE(fails_with(
			sys(ioctl(fd.get(), IOCTL_CRONO_UNLOCK_CONTIG_BUFFER,
				  &other)),
			EINVAL))
			<< strf("UNLOCK_CONTIG_BUFFER(%d) next to buffer %d",
				other, c.id);
		EXPECT_TRUE(c.unlock() == 0)
			<< "the real buffer no longer unlocks";
	}
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, UnlockTwice)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	ContigBuf c;
	contig_lock_checked(fd.get(), kPage, &c, false);
	if (c.locked) {
		EXPECT_TRUE(c.unlock() == 0);
		EXPECT_TRUE(fails_with(
			sys(ioctl(fd.get(), IOCTL_CRONO_UNLOCK_CONTIG_BUFFER,
				  &c.id)),
			EINVAL))
			<< "second UNLOCK_CONTIG_BUFFER";
	}
	if (!g.swiotlb()) {
		Pins base = read_pins();
		SgBuf s;
		sg_lock_checked(fd.get(), 2 * kPage, &s);
		if (s.locked) {
			EXPECT_TRUE(s.unlock() == 0);
			EXPECT_TRUE(fails_with(
				sys(ioctl(fd.get(), IOCTL_CRONO_UNLOCK_BUFFER,
					  &s.id)),
				EINVAL))
				<< "second UNLOCK_BUFFER";
		}
		EXPECT_TRUE(pins_moved_by(base, 0)) << "after unlocking twice";
	}
}

// An id of one kind passed to the other kind's unlock, while no buffer of the
// other kind exists (ids may be shared between kinds or not: either way the
// call must fail and not release).
TEST_F(BadInput_PlainIommuSwiotlbInstalled, UnlockWrongKind)
{
	{
		Fd fd = open_node_checked(0);
		ASSERT_TRUE(fd.valid());
		ContigBuf c;
		contig_lock_checked(fd.get(), kPage, &c, false);
		if (c.locked) {
			EXPECT_TRUE(fails_with(
				sys(ioctl(fd.get(), IOCTL_CRONO_UNLOCK_BUFFER,
					  &c.id)),
				EINVAL))
				<< "UNLOCK_BUFFER with a contiguous buffer's "
				   "id";
			EXPECT_TRUE(c.unlock() == 0)
				<< "UNLOCK_CONTIG_BUFFER failed after the "
				   "wrong-kind unlock";
		}
	}
	if (!g.swiotlb()) {
		Fd fd = open_node_checked(0);
		ASSERT_TRUE(fd.valid());
		Pins base = read_pins();
		SgBuf s;
		sg_lock_checked(fd.get(), 2 * kPage, &s);
		if (s.locked) {
			EXPECT_TRUE(fails_with(
				sys(ioctl(fd.get(),
					  IOCTL_CRONO_UNLOCK_CONTIG_BUFFER,
					  &s.id)),
				EINVAL))
				<< "UNLOCK_CONTIG_BUFFER with a S/G buffer's "
				   "id";
			EXPECT_TRUE(pins_moved_by(base, 2))
				<< "after the wrong-kind unlock (buffer still "
				   "locked)";
			EXPECT_TRUE(s.unlock() == 0)
				<< "UNLOCK_BUFFER failed after the wrong-kind "
				   "unlock";
		}
		EXPECT_TRUE(pins_moved_by(base, 0)) << "after UNLOCK_BUFFER";
	}
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, CleanupBadCount)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	std::vector<CRONO_KERNEL_CMD> cmds(17, kcmd(EDU_REG_LIVENESS, 1));
	int e = cleanup_setup(fd.get(), cmds, 17);
	EXPECT_TRUE(e == EINVAL)
		<< strf("CLEANUP_SETUP count 17: expected EINVAL, got %s",
			errno_name(e).c_str());
	e = cleanup_setup(fd.get(), cmds, 0xffffffffu);
	EXPECT_TRUE(e == EINVAL) << strf(
		"CLEANUP_SETUP count 0xffffffff: expected EINVAL, got %s",
		errno_name(e).c_str());
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, CleanupUnaligned)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	for (uint32_t off : { 0x02u, 0x05u, 0x07u }) {
		int e = cleanup_setup(fd.get(), { kcmd(off, 0) });
		EXPECT_TRUE(e == EINVAL) << strf(
			"CLEANUP_SETUP offset 0x%x: expected EINVAL, got %s",
			off, errno_name(e).c_str());
	}
	int e = cleanup_setup(fd.get(),
			      { kcmd(EDU_REG_LIVENESS, 1), kcmd(0x06, 0) });
	EXPECT_TRUE(e == EINVAL) << strf("CLEANUP_SETUP with a bad second "
					 "offset 0x6: expected EINVAL, got %s",
					 errno_name(e).c_str());
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, CleanupOutsideBar)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	const uint32_t len = static_cast<uint32_t>(board(0).bar.size());
	for (uint32_t off : { len, len + 4, 0xfffffffcu, len - 2 }) {
		int e = cleanup_setup(fd.get(), { kcmd(off, 0) });
		EXPECT_TRUE(e == EINVAL)
			<< strf("CLEANUP_SETUP offset 0x%x (BAR0 is 0x%x "
				"bytes): expected EINVAL, got %s",
				off, len, errno_name(e).c_str());
	}
	int e = cleanup_setup(fd.get(),
			      { kcmd(EDU_REG_LIVENESS, 1), kcmd(len, 0) });
	EXPECT_TRUE(e == EINVAL)
		<< strf("CLEANUP_SETUP with the second offset at BAR0's end: "
			"expected EINVAL, got %s",
			errno_name(e).c_str());
	// The last word of BAR0 is inside (edu ignores writes there).
	e = cleanup_setup(fd.get(), { kcmd(len - 4, 0) });
	EXPECT_TRUE(no_error(e)) << strf(
		"CLEANUP_SETUP offset 0x%x (last word of BAR0)", len - 4);
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, CleanupCmdsEfault)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	CRONO_KERNEL_CMDS_INFO info;
	memset(&info, 0, sizeof info);
	info.count = 1;
	EXPECT_TRUE(fails_with(
		sys(ioctl(fd.get(), IOCTL_CRONO_CLEANUP_SETUP, &info)), EFAULT))
		<< "CLEANUP_SETUP with ucmds NULL";
	info.cmds = info.ucmds = unmapped_address();
	EXPECT_TRUE(fails_with(
		sys(ioctl(fd.get(), IOCTL_CRONO_CLEANUP_SETUP, &info)), EFAULT))
		<< "CLEANUP_SETUP with ucmds unmapped";
	Mapping m = Mapping::anon(2 * kPage);
	ASSERT_TRUE(m.ok());
	ASSERT_TRUE(munmap(m.page(1), kPage) == 0);
	CRONO_KERNEL_CMD c = kcmd(EDU_REG_LIVENESS, 7);
	memcpy(m.page(1) - sizeof c, &c, sizeof c);
	info.cmds = info.ucmds =
		reinterpret_cast<uint64_t>(m.page(1) - sizeof c);
	info.count = 2;
	EXPECT_TRUE(fails_with(
		sys(ioctl(fd.get(), IOCTL_CRONO_CLEANUP_SETUP, &info)), EFAULT))
		<< "CLEANUP_SETUP with the second command unmapped";
}

// A rejected CLEANUP_SETUP keeps the previous program: none of the rejected
// programs' writes (some of which are valid entries before the bad one) may run
// on close.
TEST_F(BadInput_PlainIommuSwiotlbInstalled, CleanupKeepsPrevious)
{
	const EduBar &bar = board(0).bar;
	const uint32_t before = 0x44444444u, v1 = 0x5a5a0004u, v2 = 0x0bad0badu;
	bar.w32(EDU_REG_LIVENESS, before);
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	int e = cleanup_setup(fd.get(), { kcmd(EDU_REG_LIVENESS, v1) });
	ASSERT_TRUE(no_error(e)) << "valid CLEANUP_SETUP";
	const uint32_t len = static_cast<uint32_t>(bar.size());
	e = cleanup_setup(fd.get(), std::vector<CRONO_KERNEL_CMD>(
					    17, kcmd(EDU_REG_LIVENESS, v2)));
	EXPECT_TRUE(e == EINVAL) << strf("count 17: expected EINVAL, got %s",
					 errno_name(e).c_str());
	e = cleanup_setup(fd.get(),
			  { kcmd(EDU_REG_LIVENESS, v2), kcmd(0x02, 0) });
	EXPECT_TRUE(e == EINVAL)
		<< strf("unaligned second offset: expected EINVAL, got %s",
			errno_name(e).c_str());
	e = cleanup_setup(fd.get(),
			  { kcmd(EDU_REG_LIVENESS, v2), kcmd(len, 0) });
	EXPECT_TRUE(e == EINVAL)
		<< strf("second offset at BAR0's end: expected EINVAL, got %s",
			errno_name(e).c_str());
	EXPECT_TRUE(fd.reset() == 0);
	uint32_t got = bar.r32(EDU_REG_LIVENESS);
	EXPECT_TRUE(got == ~v1) << strf(
		"after close the liveness register reads 0x%08x, expected "
		"~0x%08x%s",
		got, v1,
		got == ~v2 ? " (a rejected program ran)"
			   : (got == ~before
				      ? " (the previous program was dropped)"
				      : ""));
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, MmapBadOffset)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	auto expect_einval = [&](int f, size_t len, off_t off,
				 const std::string &what) {
		Mapping m = Mapping::map(len, PROT_READ | PROT_WRITE,
					 MAP_SHARED, f, off);
		EXPECT_TRUE(!m.ok() && m.err() == EINVAL) << strf(
			"mmap %s: expected EINVAL, got %s", what.c_str(),
			m.ok() ? "success" : errno_name(m.err()).c_str());
	};
	expect_einval(fd.get(), kPage, 0, "at offset 0 with no buffer");
	expect_einval(fd.get(), kPage, kPage, "at offset 4096 with no buffer");
	ContigBuf c;
	contig_lock_checked(fd.get(), kPage, &c, false);
	if (c.locked) {
		const off_t id_off =
			static_cast<off_t>(c.id) * static_cast<off_t>(kPage);
		expect_einval(fd.get(), kPage,
			      id_off + static_cast<off_t>(kPage),
			      strf("at (id %d + 1) * 4096", c.id));
		expect_einval(fd.get(), kPage, static_cast<off_t>(1) << 40,
			      "at offset 1 TiB");
		Mapping good = Mapping::map(kPage, PROT_READ | PROT_WRITE,
					    MAP_SHARED, fd.get(), id_off);
		EXPECT_TRUE(good.ok()) << strf("mmap of the buffer itself: %s",
					       errno_name(good.err()).c_str());
		good.reset();
		EXPECT_TRUE(c.unlock() == 0);
	}
	if (!g.swiotlb()) {
		// A S/G buffer's id names no contiguous buffer (in a file that
		// has none).
		fd.reset();
		Fd f2 = open_node_checked(0);
		ASSERT_TRUE(f2.valid());
		SgBuf s;
		sg_lock_checked(f2.get(), kPage, &s);
		if (s.locked)
			expect_einval(f2.get(), kPage,
				      static_cast<off_t>(s.id) * 4096,
				      strf("at a S/G buffer's id %d", s.id));
		EXPECT_TRUE(s.unlock() == 0);
	}
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, MmapTooLong)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	for (size_t size : { kPage, size_t(64 << 10) }) {
		ContigBuf c;
		if (!contig_lock_checked(fd.get(), size, &c, false))
			continue;
		const off_t off =
			static_cast<off_t>(c.id) * static_cast<off_t>(kPage);
		for (size_t len : { size + kPage, 2 * size }) {
			Mapping m = Mapping::map(len, PROT_READ | PROT_WRITE,
						 MAP_SHARED, fd.get(), off);
			EXPECT_TRUE(!m.ok() && m.err() == EINVAL)
				<< strf("mmap of %zu bytes of a %zu-byte "
					"buffer: expected EINVAL, got %s",
					len, size,
					m.ok() ? "success"
					       : errno_name(m.err()).c_str());
		}
		EXPECT_TRUE(c.unlock() == 0);
	}
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, ContigBadSize)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	CRONO_CONTIG_BUFFER_INFO ci;
	memset(&ci, 0, sizeof ci);
	ci.size = 0;
	EXPECT_TRUE(fails_with(
		sys(ioctl(fd.get(), IOCTL_CRONO_LOCK_CONTIG_BUFFER, &ci)),
		EINVAL))
		<< "LOCK_CONTIG_BUFFER size 0";
	// Absurd sizes fail cleanly (docs/abi.md names no single errno for "too
	// big").
	for (uint64_t size : { uint64_t(1) << 40, ~uint64_t(0) }) {
		memset(&ci, 0, sizeof ci);
		ci.size = size;
		SysRes r = sys(
			ioctl(fd.get(), IOCTL_CRONO_LOCK_CONTIG_BUFFER, &ci));
		EXPECT_TRUE(fails_with(r, { ENOMEM, E2BIG, EINVAL }))
			<< strf("LOCK_CONTIG_BUFFER size 0x%llx",
				static_cast<unsigned long long>(size));
		if (r.ok())
			unlock_contig(fd.get(), ci.id);
	}
}

} // namespace
