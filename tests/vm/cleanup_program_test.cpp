// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Cleanup programs: the register writes a file leaves to run when it is
// closed, also by SIGKILL.
#include "fixture.h"

#include <poll.h>

using namespace vt;

namespace {

class CleanupProgram_PlainIommuSwiotlbInstalled : public BoardTest {};

TEST_F(CleanupProgram_PlainIommuSwiotlbInstalled, CleanupOnClose)
{
	const EduBar &bar = board(0).bar;
	const uint32_t before = 0x11111111u, v = 0x5a5a0001u;
	bar.w32(EDU_REG_LIVENESS, before);
	ASSERT_TRUE(liveness_holds(bar, before)) << "before the test";
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	// The maximum of 16 writes, in order: the last one must win.
	std::vector<CRONO_KERNEL_CMD> cmds;
	for (uint32_t i = 0; i < 15; i++)
		cmds.push_back(kcmd(EDU_REG_LIVENESS, 0xa0000000u + i));
	cmds.push_back(kcmd(EDU_REG_LIVENESS, v));
	ASSERT_TRUE(succeeds(cleanup_setup(fd.get(), cmds)))
		<< "CLEANUP_SETUP with 16 writes";
	EXPECT_TRUE(liveness_holds(bar, before))
		<< "CLEANUP_SETUP wrote to the device at once";
	EXPECT_TRUE(succeeds(fd.reset()));
	EXPECT_TRUE(liveness_holds(
		bar, v,
		{ { before, "cleanup program did not run" },
		  { 0xa0000000u, "writes replayed in reverse order?" } }))
		<< "after close";
}

// SIGKILL of a process that holds buffers and a cleanup program: the program
// runs, every pin is released, and the device can be opened again.
TEST_F(CleanupProgram_PlainIommuSwiotlbInstalled, CleanupOnSigkill)
{
	const Board &b = board(0);
	const uint32_t before = 0x33333333u, v = 0x6b6b0003u;
	const size_t sg_size = 1 << 20, sg_pages = sg_size / kPage;
	const bool sg = !g.swiotlb();
	b.bar.w32(EDU_REG_LIVENESS, before);
	const Pins base = read_pins();
	int p[2];
	ASSERT_TRUE(succeeds(errno_of(pipe2(p, O_CLOEXEC)))) << "pipe";
	Fd rd(p[0]), wr(p[1]);
	const pid_t pid = fork_child();
	if (pid == 0) {
		// Tells the parent "R" when ready, or what failed.
		auto fail = [&](const char *what, int e) {
			const std::string m =
				cat("child: ", what, ": ", errno_name(e));
			(void)!write(wr.get(), m.data(), m.size());
			_exit(1);
		};
		Fd fd = open_node(b);
		if (!fd.valid())
			fail("open", fd.err());
		Mapping mem = Mapping::anon(sg_size);
		std::vector<uint64_t> table(sg_pages);
		CRONO_SG_BUFFER_INFO info = sg_info(
			mem.addr(), sg_size, uaddr(table.data()), sg_pages);
		if (sg && !mem.ok())
			fail("mmap", mem.err());
		if (sg)
			if (int e = lock_sg(fd.get(), &info))
				fail("LOCK_BUFFER", e);
		CRONO_CONTIG_BUFFER_INFO ci = contig_info(64 << 10);
		if (int e = lock_contig(fd.get(), &ci))
			fail("LOCK_CONTIG_BUFFER", e);
		Mapping contig = map_buffer(fd.get(), ci.id, ci.size);
		if (!contig.ok())
			fail("mmap contiguous buffer", contig.err());
		if (int e = cleanup_setup(fd.get(),
					  { kcmd(EDU_REG_LIVENESS, v) }))
			fail("CLEANUP_SETUP", e);
		(void)!write(wr.get(), "R", 1);
		for (;;)
			pause();
	}
	ASSERT_GT(pid, 0) << "fork: " << errno_name(errno);
	wr.reset();
	struct pollfd pfd = { rd.get(), POLLIN, 0 };
	char msg[512] = "";
	if (poll(&pfd, 1, 60000) == 1)
		(void)!read(rd.get(), msg, sizeof msg - 1);
	const bool ready = std::string(msg) == "R";
	if (ready && sg) {
		EXPECT_TRUE(pins_moved_by(base, sg_pages))
			<< "while the child holds its buffer";
	}
	if (ready) {
		EXPECT_TRUE(liveness_holds(b.bar, before))
			<< "cleanup program ran before the kill";
	}
	kill(pid, SIGKILL);
	const int st = wait_child(pid);
	ASSERT_TRUE(ready) << "child not ready: "
			   << (msg[0] ? msg : "no answer within 60 s");
	EXPECT_EQ(status_str(st), "killed by signal 9");
	// The file is released during the child's exit, before it becomes a
	// zombie; allow a moment all the same.
	wait_until(2.0, [&] { return bool(liveness_holds(b.bar, v)); });
	EXPECT_TRUE(liveness_holds(b.bar, v)) << "after SIGKILL";
	EXPECT_TRUE(pins_back_to(base)) << "after the killed child was reaped";
	EXPECT_TRUE(succeeds(open_node(b).err()))
		<< "open after the killed child";
}

} // namespace
