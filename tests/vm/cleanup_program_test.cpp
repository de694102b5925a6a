// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Cleanup programs: the register writes a file leaves to run when it is
// closed, also by SIGKILL.
#include "fixture.h"

using namespace vt;

namespace {

class CleanupProgram_PlainIommuSwiotlbInstalled : public BoardTest {};

TEST_F(CleanupProgram_PlainIommuSwiotlbInstalled, CleanupOnClose)
{
	const EduBar &bar = board(0).bar;
	const uint32_t before = 0x11111111u, v = 0x5a5a0001u;
	bar.w32(EDU_REG_LIVENESS, before);
	ASSERT_TRUE(bar.r32(EDU_REG_LIVENESS) == ~before)
		<< "liveness register does not work";
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	// The maximum of 16 writes, in order: the last one must win.
	std::vector<CRONO_KERNEL_CMD> cmds;
	for (uint32_t i = 0; i < 15; i++)
		cmds.push_back(kcmd(EDU_REG_LIVENESS, 0xa0000000u + i));
	cmds.push_back(kcmd(EDU_REG_LIVENESS, v));
	int e = cleanup_setup(fd.get(), cmds);
	ASSERT_TRUE(no_error(e)) << "CLEANUP_SETUP with 16 writes";
	EXPECT_TRUE(bar.r32(EDU_REG_LIVENESS) == ~before)
		<< "CLEANUP_SETUP wrote to the device at once";
	EXPECT_TRUE(fd.reset() == 0);
	uint32_t got = bar.r32(EDU_REG_LIVENESS);
	EXPECT_TRUE(got == ~v) << strf(
		"after close the liveness register reads 0x%08x, expected "
		"~0x%08x%s",
		got, v,
		got == ~before
			? " (cleanup program did not run)"
			: (got == ~0xa0000000u
				   ? " (writes replayed in reverse order?)"
				   : ""));
}

// SIGKILL of a process that holds buffers and a cleanup program: the program
// runs, every pin is released, and the device can be opened again.
TEST_F(CleanupProgram_PlainIommuSwiotlbInstalled, CleanupOnSigkill)
{
	const Board &b = board(0);
	const EduBar &bar = b.bar;
	const uint32_t before = 0x33333333u, v = 0x6b6b0003u;
	const size_t sg_size = 1 << 20, sg_pages = sg_size / kPage;
	const bool sg = !g.swiotlb();
	bar.w32(EDU_REG_LIVENESS, before);
	Pins base = read_pins();
	int p[2];
	ASSERT_TRUE(pipe2(p, O_CLOEXEC) == 0)
		<< strf("pipe: %s", errno_name(errno).c_str());
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		auto die = [&](const std::string &m) {
			std::string s = "E" + m + "\n";
			if (write(p[1], s.data(), s.size()) < 0) {
			}
			_exit(1);
		};
		int fd = open(b.node().c_str(), O_RDWR);
		if (fd < 0)
			die("child: open: " + errno_name(errno));
		std::vector<uint64_t> table(sg_pages);
		if (sg) {
			void *m = mmap(nullptr, sg_size, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (m == MAP_FAILED)
				die("child: mmap: " + errno_name(errno));
			CRONO_SG_BUFFER_INFO info =
				sg_info(uaddr(m), sg_size, uaddr(table.data()),
					static_cast<uint32_t>(sg_pages));
			int e = crono_ioctl(fd, IOCTL_CRONO_LOCK_BUFFER, &info);
			if (e)
				die("child: LOCK_BUFFER: " + errno_name(e));
		}
		CRONO_CONTIG_BUFFER_INFO ci = contig_info(64 << 10);
		int e = crono_ioctl(fd, IOCTL_CRONO_LOCK_CONTIG_BUFFER, &ci);
		if (e)
			die("child: LOCK_CONTIG_BUFFER: " + errno_name(e));
		void *cm = mmap(nullptr, ci.size, PROT_READ | PROT_WRITE,
				MAP_SHARED, fd,
				static_cast<off_t>(ci.id) *
					static_cast<off_t>(kPage));
		if (cm == MAP_FAILED)
			die("child: mmap contiguous buffer: " +
			    errno_name(errno));
		e = cleanup_setup(fd, { kcmd(EDU_REG_LIVENESS, v) });
		if (e)
			die("child: CLEANUP_SETUP: " + errno_name(e));
		if (write(p[1], "R", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	ASSERT_TRUE(pid > 0) << strf("fork: %s", errno_name(errno).c_str());
	live_children().push_back(pid);
	Fd rd(p[0]);
	struct pollfd pfd = { rd.get(), POLLIN, 0 };
	std::string msg;
	if (poll(&pfd, 1, 60000) == 1) {
		char buf[512];
		ssize_t n = read(rd.get(), buf, sizeof buf);
		if (n > 0)
			msg.assign(buf, static_cast<size_t>(n));
	}
	bool ready = msg == "R";
	if (!ready) {
		ADD_FAILURE()
			<< strf("child not ready: %s",
				msg.empty() ? "no answer within 60 s"
					    : trim(msg.substr(1)).c_str());
	}
	if (ready && sg) {
		EXPECT_TRUE(pins_moved_by(base, static_cast<int64_t>(sg_pages)))
			<< "while the child holds its buffer";
	}
	if (ready) {
		EXPECT_TRUE(bar.r32(EDU_REG_LIVENESS) == ~before)
			<< "cleanup program ran before the kill";
	}
	kill(pid, SIGKILL);
	const int st = wait_child(pid);
	ASSERT_TRUE(ready);
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		<< strf("child %s", wait_status_str(st).c_str());
	// The file is released during the child's exit, before it becomes a
	// zombie; allow a moment all the same.
	bool ran = wait_until(2.0,
			      [&] { return bar.r32(EDU_REG_LIVENESS) == ~v; });
	EXPECT_TRUE(ran) << strf("after SIGKILL the liveness register reads "
				 "0x%08x, expected ~0x%08x",
				 bar.r32(EDU_REG_LIVENESS), v);
	EXPECT_TRUE(pins_back_to(base)) << "after the killed child was reaped";
	int e = 0;
	Fd again = open_node(b, &e);
	EXPECT_TRUE(again.valid()) << strf("open after the killed child: %s",
					   errno_name(e).c_str());
}

} // namespace
