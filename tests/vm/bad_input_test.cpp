// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Bad input to every request and to mmap, through the real kernel: each errno
// of docs/abi.md reaches user space, and nothing stays locked or pinned. What
// needs real memory is here in full (unmapped and read-only pages, argument
// structs and tables the kernel cannot read or write); of the pure validation
// rules, which tests/host checks exhaustively (requests_test.cpp,
// ioctl_test.cpp, cleanup_program_test.cpp), one case per request and errno.
#include "fixture.h"

#include <climits>

using namespace vt;

namespace {

class BadInput_PlainIommuSwiotlbInstalled : public BoardTest {};

// LOCK_BUFFER fields the validation refuses before touching memory.
TEST_F(BadInput_PlainIommuSwiotlbInstalled, LockInvalid)
{
	Fd fd = open_node_checked(0);
	Mapping mem = Mapping::anon(4 * kPage);
	ASSERT_TRUE(fd.valid() && mem.ok());
	std::vector<uint64_t> table(4);
	lock_expect(fd.get(), "size 16384, pages_count 0", mem.addr(),
		    4 * kPage, uaddr(table.data()), 0, { EINVAL });
}

// LOCK_BUFFER of memory, or with a page table, the kernel cannot use: EFAULT
// (or, under swiotlb=force, the refusal), and the pins taken for the pages
// before the bad one are dropped again.
TEST_F(BadInput_PlainIommuSwiotlbInstalled, LockBadMemory)
{
	Fd fd = open_node_checked(0);
	Mapping mem = Mapping::anon(4 * kPage);
	ASSERT_TRUE(fd.valid() && mem.ok());
	memset(mem.data(), 1, mem.size());
	std::vector<uint64_t> table(4);
	const uint64_t t = uaddr(table.data());
	const uint64_t hole = unmapped_address(4 * kPage);
	ASSERT_TRUE(hole != 0);
	lock_expect(fd.get(), "of an unmapped range", hole, 4 * kPage, t, 4,
		    fault_errs());
	// Pages 0, 1 and 3 mapped (and faulted in), page 2 not.
	Mapping holed = Mapping::anon(4 * kPage);
	ASSERT_TRUE(holed.ok());
	memset(holed.data(), 1, holed.size());
	ASSERT_TRUE(munmap(holed.page(2), kPage) == 0);
	lock_expect(fd.get(), "with an unmapped third page", holed.addr(),
		    4 * kPage, t, 4, fault_errs());

	Mapping ro = Mapping::anon(4 * kPage, PROT_READ);
	ASSERT_TRUE(ro.ok());
	volatile uint8_t sink = ro.data()[0]; // fault in (the zero page)
	(void)sink;
	lock_expect(fd.get(), "of a PROT_READ range", ro.addr(), 4 * kPage, t,
		    4, fault_errs());
	Mapping ro_last = Mapping::anon(4 * kPage);
	ASSERT_TRUE(ro_last.ok());
	memset(ro_last.data(), 1, ro_last.size());
	ASSERT_TRUE(mprotect(ro_last.page(3), kPage, PROT_READ) == 0);
	lock_expect(fd.get(), "with a PROT_READ last page", ro_last.addr(),
		    4 * kPage, t, 4, fault_errs());

	// Page tables: read-only, unmapped, half read-only, NULL.
	Mapping ro_table = Mapping::anon(kPage, PROT_READ);
	Mapping half = Mapping::anon(2 * kPage);
	ASSERT_TRUE(ro_table.ok() && half.ok());
	ASSERT_TRUE(mprotect(half.page(1), kPage, PROT_READ) == 0);
	const struct {
		const char *what;
		uint64_t upages;
	} tables[] = {
		{ "with upages in a PROT_READ mapping", ro_table.addr() },
		{ "with upages unmapped", unmapped_address(kPage) },
		{ "with upages half in a PROT_READ page",
		  half.addr() + kPage - 16 },
		{ "with upages NULL", 0 },
	};
	for (const auto &c : tables)
		lock_expect(fd.get(), c.what, mem.addr(), 4 * kPage, c.upages,
			    4, fault_errs());
	if (!g.swiotlb()) {
		// The same buffer locks fine with a good table afterwards.
		Pins base = read_pins();
		CRONO_SG_BUFFER_INFO info =
			sg_info(mem.addr(), 4 * kPage, t, 4);
		const bool locked = succeeds(
			sys(ioctl(fd.get(), IOCTL_CRONO_LOCK_BUFFER, &info)));
		EXPECT_TRUE(locked) << "LOCK_BUFFER after the rejected ones";
		if (locked) {
			EXPECT_TRUE(pins_moved_by(base, 4))
				<< "after LOCK_BUFFER of 4 pages";
			EXPECT_TRUE(unlock_sg(fd.get(), info.id) == 0);
		}
	}
}

// Every request with an argument pointer that is NULL, unmapped, or runs into
// an unmapped page.
TEST_F(BadInput_PlainIommuSwiotlbInstalled, IoctlArgBadPointer)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	const uint64_t hole = unmapped_address();
	ASSERT_TRUE(hole != 0);
	const struct {
		unsigned long nr;
		const char *name;
	} requests[] = {
		{ IOCTL_CRONO_LOCK_BUFFER, "LOCK_BUFFER" },
		{ IOCTL_CRONO_UNLOCK_BUFFER, "UNLOCK_BUFFER" },
		{ IOCTL_CRONO_CLEANUP_SETUP, "CLEANUP_SETUP" },
		{ IOCTL_CRONO_LOCK_CONTIG_BUFFER, "LOCK_CONTIG_BUFFER" },
		{ IOCTL_CRONO_UNLOCK_CONTIG_BUFFER, "UNLOCK_CONTIG_BUFFER" },
	};
	for (const auto &r : requests)
		for (uint64_t arg : { uint64_t(0), hole })
			EXPECT_TRUE(fails_with(
				sys(ioctl(fd.get(), r.nr,
					  reinterpret_cast<void *>(arg))),
				EFAULT))
				<< strf("%s with argument 0x%llx", r.name,
					static_cast<unsigned long long>(arg));
	Mapping m = Mapping::anon(2 * kPage);
	ASSERT_TRUE(m.ok());
	ASSERT_TRUE(munmap(m.page(1), kPage) == 0);
	void *straddle = m.page(1) - 16; // 16 of the 40 bytes readable
	for (unsigned long nr :
	     { IOCTL_CRONO_LOCK_BUFFER, IOCTL_CRONO_LOCK_CONTIG_BUFFER })
		EXPECT_TRUE(
			fails_with(sys(ioctl(fd.get(), nr, straddle)), EFAULT))
			<< strf("request 0x%lx with an argument running into "
				"an unmapped page",
				nr);
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
	const CRONO_SG_BUFFER_INFO info =
		sg_info(mem.addr(), 4 * kPage, uaddr(table.data()), 4);
	memcpy(argpage.data(), &info, sizeof info);
	const CRONO_CONTIG_BUFFER_INFO ci = contig_info(kPage);
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

// Ids that name no buffer of the file: nothing locked, or next to a buffer.
TEST_F(BadInput_PlainIommuSwiotlbInstalled, UnlockUnknownId)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	for (int id : { 2, 12345, INT_MIN }) {
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
	info.cmds = info.ucmds = uaddr(m.page(1) - sizeof c);
	info.count = 2;
	EXPECT_TRUE(fails_with(
		sys(ioctl(fd.get(), IOCTL_CRONO_CLEANUP_SETUP, &info)), EFAULT))
		<< "CLEANUP_SETUP with the second command unmapped";
}

// Rejected CLEANUP_SETUPs (too many commands, an unaligned offset, an offset
// at the end of the real BAR0) keep the previous program, which writes the
// last word of BAR0: none of the rejected programs' writes (some of which are
// valid entries before the bad one) may run on close.
TEST_F(BadInput_PlainIommuSwiotlbInstalled, CleanupKeepsPrevious)
{
	const EduBar &bar = board(0).bar;
	const uint32_t before = 0x44444444u, v1 = 0x5a5a0004u, v2 = 0x0bad0badu;
	const uint32_t len = static_cast<uint32_t>(bar.size());
	bar.w32(EDU_REG_LIVENESS, before);
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	int e = cleanup_setup(fd.get(),
			      { kcmd(EDU_REG_LIVENESS, v1), kcmd(len - 4, 0) });
	ASSERT_TRUE(no_error(e)) << strf(
		"valid CLEANUP_SETUP, second write at 0x%x (last word of the "
		"0x%x bytes of BAR0)",
		len - 4, len);
	const struct {
		const char *what;
		std::vector<CRONO_KERNEL_CMD> cmds;
	} rejected[] = {
		{ "count 17", std::vector<CRONO_KERNEL_CMD>(
				      17, kcmd(EDU_REG_LIVENESS, v2)) },
		{ "unaligned second offset",
		  { kcmd(EDU_REG_LIVENESS, v2), kcmd(0x02, 0) } },
		{ "second offset at BAR0's end",
		  { kcmd(EDU_REG_LIVENESS, v2), kcmd(len, 0) } },
	};
	for (const auto &r : rejected) {
		e = cleanup_setup(fd.get(), r.cmds);
		EXPECT_TRUE(e == EINVAL) << strf("%s: expected EINVAL, got %s",
						 r.what, errno_name(e).c_str());
	}
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

// mmap at an offset that names no buffer, and longer than the buffer.
TEST_F(BadInput_PlainIommuSwiotlbInstalled, MmapInvalid)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	auto expect_einval = [&](size_t len, off_t off,
				 const std::string &what) {
		Mapping m = Mapping::map(len, PROT_READ | PROT_WRITE,
					 MAP_SHARED, fd.get(), off);
		EXPECT_TRUE(!m.ok() && m.err() == EINVAL) << strf(
			"mmap %s: expected EINVAL, got %s", what.c_str(),
			m.ok() ? "success" : errno_name(m.err()).c_str());
	};
	expect_einval(kPage, 0, "at offset 0 with no buffer");
	expect_einval(kPage, kPage, "at offset 4096 with no buffer");
	ContigBuf c;
	if (!contig_lock_checked(fd.get(), kPage, &c, false))
		return;
	const off_t id_off = static_cast<off_t>(c.id) * off_t(kPage);
	expect_einval(kPage, off_t(1) << 40, "at offset 1 TiB");
	expect_einval(2 * kPage, id_off, "of 8 KiB of a 4 KiB buffer");
	Mapping good = Mapping::map(kPage, PROT_READ | PROT_WRITE, MAP_SHARED,
				    fd.get(), id_off);
	EXPECT_TRUE(good.ok()) << strf("mmap of the buffer itself: %s",
				       errno_name(good.err()).c_str());
	good.reset();
	EXPECT_TRUE(c.unlock() == 0);
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, ContigBadSize)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	CRONO_CONTIG_BUFFER_INFO ci = contig_info(0);
	EXPECT_TRUE(fails_with(
		sys(ioctl(fd.get(), IOCTL_CRONO_LOCK_CONTIG_BUFFER, &ci)),
		EINVAL))
		<< "LOCK_CONTIG_BUFFER size 0";
	// An absurd size fails cleanly (docs/abi.md names no single errno for
	// "too big").
	ci = contig_info(uint64_t(1) << 40);
	SysRes r = sys(ioctl(fd.get(), IOCTL_CRONO_LOCK_CONTIG_BUFFER, &ci));
	EXPECT_TRUE(fails_with(r, { ENOMEM, E2BIG, EINVAL }))
		<< "LOCK_CONTIG_BUFFER size 1 TiB";
	if (r.ok())
		unlock_contig(fd.get(), ci.id);
}

} // namespace
