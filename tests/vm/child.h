// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Child processes of a test: a forked function whose GoogleTest failures come
// back to the parent, and other programs run with their output echoed.
#ifndef CRONO_VMTEST_CHILD_H
#define CRONO_VMTEST_CHILD_H

#include "support.h"

#include <sys/wait.h>

namespace vt {

// Children still running: the fixture kills and reaps them when a test ends
// before it waited for them (a failed ASSERT).
inline std::vector<pid_t> &live_children()
{
	static std::vector<pid_t> v;
	return v;
}
inline void forget_child(pid_t pid)
{
	auto &v = live_children();
	for (size_t i = 0; i < v.size(); i++)
		if (v[i] == pid) {
			v.erase(v.begin() + static_cast<long>(i));
			return;
		}
}
inline void kill_live_children()
{
	for (pid_t p : live_children()) {
		kill(p, SIGKILL);
		while (waitpid(p, nullptr, 0) < 0 && errno == EINTR) {
		}
	}
	live_children().clear();
}

inline std::string wait_status_str(int st)
{
	if (WIFEXITED(st))
		return strf("exited with status %d", WEXITSTATUS(st));
	if (WIFSIGNALED(st))
		return strf("killed by signal %d", WTERMSIG(st));
	return strf("wait status 0x%x", st);
}

inline int wait_child(pid_t pid)
{
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
	forget_child(pid);
	return st;
}

struct Child {
	pid_t pid = -1;
	int rfd = -1;
	std::string label;
};

// Runs fn() in a forked child. The child prints nothing of its own: the
// failures it records go back through a pipe, one per line, and join_child()
// reports them in the parent prefixed with the label.
inline Child spawn_child(const std::string &label,
			 const std::function<void()> &fn)
{
	Child c;
	c.label = label;
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0) {
		ADD_FAILURE() << label << ": pipe: " << errno_name(errno);
		return c;
	}
	const testing::TestResult *result =
		testing::UnitTest::GetInstance()->current_test_info()->result();
	const int parts_before = result->total_part_count();
	std::fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		ADD_FAILURE() << label << ": fork: " << errno_name(errno);
		close(p[0]);
		close(p[1]);
		return c;
	}
	if (pid == 0) {
		close(p[0]);
		signal(SIGPIPE, SIG_DFL);
		live_children().clear();
		testing::TestEventListeners &listeners =
			testing::UnitTest::GetInstance()->listeners();
		delete listeners.Release(listeners.default_result_printer());
		fn();
		std::string msg;
		for (int i = parts_before; i < result->total_part_count(); i++)
			if (result->GetTestPartResult(i).failed())
				msg += one_line(result->GetTestPartResult(i)
							.message()) +
				       "\n";
		size_t off = 0;
		while (off < msg.size()) {
			ssize_t w =
				write(p[1], msg.data() + off, msg.size() - off);
			if (w <= 0)
				break;
			off += static_cast<size_t>(w);
		}
		_exit(msg.empty() ? 0 : 1);
	}
	close(p[1]);
	c.pid = pid;
	c.rfd = p[0];
	live_children().push_back(pid);
	return c;
}

// Waits for the child and reports its failures; true if it passed.
inline bool join_child(Child &c)
{
	if (c.pid < 0)
		return false;
	std::string msgs;
	char buf[1024];
	for (;;) {
		ssize_t n = read(c.rfd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		msgs.append(buf, static_cast<size_t>(n));
	}
	close(c.rfd);
	c.rfd = -1;
	int st = wait_child(c.pid);
	c.pid = -1;
	bool any = false;
	size_t pos = 0;
	while (pos < msgs.size()) {
		size_t nl = msgs.find('\n', pos);
		if (nl == std::string::npos)
			nl = msgs.size();
		if (nl > pos) {
			ADD_FAILURE() << c.label << ": "
				      << msgs.substr(pos, nl - pos);
			any = true;
		}
		pos = nl + 1;
	}
	bool passed = WIFEXITED(st) && WEXITSTATUS(st) == 0 && !any;
	if (!passed && !(WIFEXITED(st) && WEXITSTATUS(st) == 1 && any)) {
		ADD_FAILURE() << c.label << ": child " << wait_status_str(st);
	}
	return passed;
}

struct ProgramRun {
	int status = -1;    // wait status
	std::string output; // stdout and stderr
};

inline bool exited_ok(const ProgramRun &run)
{
	return WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0;
}

// Runs the program argv[0] with its stdout and stderr into a pipe (not a
// terminal), echoing every line under `#   ` as it comes, so that the console
// shows the program's own output and how far a hung run got.
inline ProgramRun run_program(const std::vector<std::string> &args)
{
	ProgramRun run;
	std::vector<const char *> argv;
	for (const std::string &a : args)
		argv.push_back(a.c_str());
	argv.push_back(nullptr);
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0) {
		ADD_FAILURE() << "pipe: " << errno_name(errno);
		return run;
	}
	std::fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		if (dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0)
			_exit(127);
		execv(argv[0], const_cast<char *const *>(argv.data()));
		std::string m = strf("exec %s: %s\n", argv[0],
				     errno_name(errno).c_str());
		if (write(1, m.data(), m.size()) < 0) {
		}
		_exit(127);
	}
	close(p[1]);
	Fd rd(p[0]);
	if (pid < 0) {
		ADD_FAILURE() << "fork: " << errno_name(errno);
		return run;
	}
	live_children().push_back(pid);
	std::string pending;
	char buf[1024];
	for (;;) {
		ssize_t n = read(rd.get(), buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		run.output.append(buf, static_cast<size_t>(n));
		pending.append(buf, static_cast<size_t>(n));
		size_t nl;
		while ((nl = pending.find('\n')) != std::string::npos) {
			note("  " + pending.substr(0, nl));
			pending.erase(0, nl + 1);
		}
	}
	if (!pending.empty())
		note("  " + pending);
	run.status = wait_child(pid);
	return run;
}

} // namespace vt

#endif // CRONO_VMTEST_CHILD_H
