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
	ASSERT_NE(hole, 0u);
	lock_expect(fd.get(), "of an unmapped range", hole, 4 * kPage, t, 4,
		    fault_errs());
	// Pages 0, 1 and 3 mapped (and faulted in), page 2 not.
	Mapping holed = Mapping::anon(4 * kPage);
	ASSERT_TRUE(holed.ok());
	memset(holed.data(), 1, holed.size());
	ASSERT_EQ(munmap(holed.page(2), kPage), 0);
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
	ASSERT_EQ(mprotect(ro_last.page(3), kPage, PROT_READ), 0);
	lock_expect(fd.get(), "with a PROT_READ last page", ro_last.addr(),
		    4 * kPage, t, 4, fault_errs());

	// Page tables: read-only, unmapped, half read-only, NULL.
	Mapping ro_table = Mapping::anon(kPage, PROT_READ);
	Mapping half = Mapping::anon(2 * kPage);
	ASSERT_TRUE(ro_table.ok() && half.ok());
	ASSERT_EQ(mprotect(half.page(1), kPage, PROT_READ), 0);
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
		const Pins base = read_pins();
		CRONO_SG_BUFFER_INFO info =
			sg_info(mem.addr(), 4 * kPage, t, 4);
		const int e = lock_sg(fd.get(), &info);
		EXPECT_TRUE(succeeds(e))
			<< "LOCK_BUFFER after the rejected ones";
		if (!e) {
			EXPECT_TRUE(pins_moved_by(base, 4))
				<< "after LOCK_BUFFER of 4 pages";
			EXPECT_TRUE(succeeds(unlock_sg(fd.get(), info.id)));
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
	ASSERT_NE(hole, 0u);
	for (const auto &[nr, name] : kRequests)
		for (uint64_t arg : { uint64_t(0), hole })
			EXPECT_TRUE(fails_with(
				crono_ioctl(fd.get(), nr,
					    reinterpret_cast<void *>(arg)),
				EFAULT))
				<< name << " with argument " << hex(arg);
	Mapping m = Mapping::anon(2 * kPage);
	ASSERT_TRUE(m.ok());
	ASSERT_EQ(munmap(m.page(1), kPage), 0);
	void *straddle = m.page(1) - 16; // 16 of the 40 bytes readable
	for (unsigned long nr :
	     { IOCTL_CRONO_LOCK_BUFFER, IOCTL_CRONO_LOCK_CONTIG_BUFFER })
		EXPECT_TRUE(
			fails_with(crono_ioctl(fd.get(), nr, straddle), EFAULT))
			<< "request " << hex(nr)
			<< " with an argument running into an unmapped page";
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
	ASSERT_EQ(mprotect(argpage.data(), kPage, PROT_READ), 0);
	const Pins base = read_pins();
	EXPECT_TRUE(fails_with(
		crono_ioctl(fd.get(), IOCTL_CRONO_LOCK_BUFFER, argpage.data()),
		fault_errs()))
		<< "LOCK_BUFFER with a read-only argument";
	EXPECT_TRUE(pins_moved_by(base, 0))
		<< "after LOCK_BUFFER with a read-only argument, file still "
		   "open";
	EXPECT_TRUE(
		fails_with(crono_ioctl(fd.get(), IOCTL_CRONO_LOCK_CONTIG_BUFFER,
				       argpage.data() + 64),
			   EFAULT))
		<< "LOCK_CONTIG_BUFFER with a read-only argument";
	// No buffer may have been left behind under any small id.
	for (int id = 0; id < 64; id++) {
		if (map_buffer(fd.get(), id, kPage, PROT_READ).ok()) {
			ADD_FAILURE() << "a contiguous buffer with id " << id
				      << " exists after the failed "
					 "LOCK_CONTIG_BUFFER";
			unlock_contig(fd.get(), id);
			break;
		}
	}
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, IoctlUnknown)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	// Valid memory, so that only the number matters.
	std::vector<uint8_t> arg(256, 0);
	const unsigned long reqs[] = {
		0xC0086399ul, // unknown nr
		0xC0086305ul, // reserved by a vendor branch (2 MiB-page
			      // LOCK_BUFFER)
		0xC0086306ul, 0xC008630Ful,
		0xC0286300ul, // _IOWR('c', 0, CRONO_SG_BUFFER_INFO): the
			      // "fixed" size is not ours
		0xC0086400ul, // another magic
	};
	for (unsigned long r : reqs)
		EXPECT_TRUE(fails_with(crono_ioctl(fd.get(), r, arg.data()),
				       ENOTTY))
			<< "ioctl " << hex(r);
}

// Ids that name no buffer of the file: nothing locked, or next to a buffer.
TEST_F(BadInput_PlainIommuSwiotlbInstalled, UnlockUnknownId)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	for (int id : { 2, 12345, INT_MIN }) {
		EXPECT_TRUE(fails_with(unlock_sg(fd.get(), id), EINVAL))
			<< "UNLOCK_BUFFER(" << id << ") with nothing locked";
		EXPECT_TRUE(fails_with(unlock_contig(fd.get(), id), EINVAL))
			<< "UNLOCK_CONTIG_BUFFER(" << id
			<< ") with nothing locked";
	}
	ContigBuf c;
	c.lock(fd.get(), kPage, false);
	if (c.locked) {
		EXPECT_TRUE(fails_with(unlock_contig(fd.get(), c.id + 1000),
				       EINVAL))
			<< "UNLOCK_CONTIG_BUFFER(" << c.id + 1000
			<< ") next to buffer " << c.id;
		EXPECT_TRUE(succeeds(c.unlock()))
			<< "the real buffer no longer unlocks";
	}
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, CleanupCmdsEfault)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	// The second of two commands in an unmapped page.
	Mapping m = Mapping::anon(2 * kPage);
	ASSERT_TRUE(m.ok());
	ASSERT_EQ(munmap(m.page(1), kPage), 0);
	const CRONO_KERNEL_CMD c = kcmd(EDU_REG_LIVENESS, 7);
	memcpy(m.page(1) - sizeof c, &c, sizeof c);
	const struct {
		const char *what;
		uint64_t ucmds;
		uint32_t count;
	} cases[] = {
		{ "ucmds NULL", 0, 1 },
		{ "ucmds unmapped", unmapped_address(), 1 },
		{ "the second command unmapped", uaddr(m.page(1) - sizeof c),
		  2 },
	};
	for (const auto &k : cases) {
		CRONO_KERNEL_CMDS_INFO info = cmds_info(k.ucmds, k.count);
		EXPECT_TRUE(fails_with(
			crono_ioctl(fd.get(), IOCTL_CRONO_CLEANUP_SETUP, &info),
			EFAULT))
			<< "CLEANUP_SETUP with " << k.what;
	}
}

// Rejected CLEANUP_SETUPs (too many commands, an unaligned offset, an offset
// at the end of the real BAR0) keep the previous program, which writes the
// last word of BAR0: none of the rejected programs' writes (some of which are
// valid entries before the bad one) may run on close.
TEST_F(BadInput_PlainIommuSwiotlbInstalled, CleanupKeepsPrevious)
{
	const EduBar &bar = board(0).bar;
	const uint32_t before = 0x44444444u, v1 = 0x5a5a0004u, v2 = 0x0bad0badu;
	const uint32_t len = uint32_t(bar.size());
	bar.w32(EDU_REG_LIVENESS, before);
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	ASSERT_TRUE(succeeds(cleanup_setup(
		fd.get(), { kcmd(EDU_REG_LIVENESS, v1), kcmd(len - 4, 0) })))
		<< "valid CLEANUP_SETUP, second write at " << hex(len - 4)
		<< " (last word of the " << hex(len) << " bytes of BAR0)";
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
	for (const auto &r : rejected)
		EXPECT_TRUE(fails_with(cleanup_setup(fd.get(), r.cmds), EINVAL))
			<< r.what;
	EXPECT_TRUE(succeeds(fd.reset()));
	EXPECT_TRUE(liveness_holds(
		bar, v1,
		{ { v2, "a rejected program ran" },
		  { before, "the previous program was dropped" } }))
		<< "after close";
}

// mmap at an offset that names no buffer, and longer than the buffer.
TEST_F(BadInput_PlainIommuSwiotlbInstalled, MmapInvalid)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	// mmap at id * 4096.
	auto expect_einval = [&](int32_t id, size_t len, const char *what) {
		EXPECT_TRUE(
			fails_with(map_buffer(fd.get(), id, len).err(), EINVAL))
			<< "mmap " << what;
	};
	expect_einval(0, kPage, "at offset 0 with no buffer");
	expect_einval(1, kPage, "at offset 4096 with no buffer");
	ContigBuf c;
	if (!c.lock(fd.get(), kPage, false))
		return;
	expect_einval(1 << 28, kPage, "at offset 1 TiB");
	expect_einval(c.id, 2 * kPage, "of 8 KiB of a 4 KiB buffer");
	EXPECT_TRUE(succeeds(map_buffer(fd.get(), c.id, kPage).err()))
		<< "mmap of the buffer itself";
	EXPECT_TRUE(succeeds(c.unlock()));
}

TEST_F(BadInput_PlainIommuSwiotlbInstalled, ContigBadSize)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	CRONO_CONTIG_BUFFER_INFO ci = contig_info(0);
	EXPECT_TRUE(fails_with(lock_contig(fd.get(), &ci), EINVAL))
		<< "LOCK_CONTIG_BUFFER size 0";
	// An absurd size fails cleanly (docs/abi.md names no single errno for
	// "too big").
	ci = contig_info(uint64_t(1) << 40);
	const int e = lock_contig(fd.get(), &ci);
	EXPECT_TRUE(fails_with(e, { ENOMEM, E2BIG, EINVAL }))
		<< "LOCK_CONTIG_BUFFER size 1 TiB";
	if (!e)
		unlock_contig(fd.get(), ci.id);
}

} // namespace
