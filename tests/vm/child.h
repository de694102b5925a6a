// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Child processes of a test: forks the fixture reaps, forked functions whose
// GoogleTest failures come back to the parent, and other programs run with
// their output echoed.
#ifndef CRONO_VMTEST_CHILD_H
#define CRONO_VMTEST_CHILD_H

#include "support.h"

#include <csignal>
#include <set>

#include <sys/wait.h>

namespace vt {

// Children not waited for yet: the fixture kills and reaps them when a test
// ends before it waited (a failed ASSERT).
inline std::set<pid_t> live_children;

// fork(); the parent remembers the child until wait_child().
inline pid_t fork_child()
{
	std::fflush(stdout);
	const pid_t pid = fork();
	if (pid > 0)
		live_children.insert(pid);
	else if (pid == 0)
		live_children.clear();
	return pid;
}

// Waits for a child: its wait status.
inline int wait_child(pid_t pid)
{
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
	live_children.erase(pid);
	return st;
}

inline void kill_live_children()
{
	while (!live_children.empty()) {
		const pid_t pid = *live_children.begin();
		kill(pid, SIGKILL);
		wait_child(pid);
	}
}

// "exited with status 0", "killed by signal 9": a wait status in words, for
// EXPECT_EQ.
inline std::string status_str(int st)
{
	if (WIFEXITED(st))
		return cat("exited with status ", WEXITSTATUS(st));
	if (WIFSIGNALED(st))
		return cat("killed by signal ", WTERMSIG(st));
	return cat("wait status ", hex(unsigned(st)));
}

// Calls fn with each line of f, without its newline, until end of file.
inline void each_line(FILE *f, const std::function<void(std::string)> &fn)
{
	char line[4096];
	while (fgets(line, sizeof line, f))
		fn(std::string(line, strcspn(line, "\n")));
}

struct Child {
	std::string label;
	pid_t pid = -1;
	Fd failures; // what the child recorded, one failure a line
};

// Runs fn() in a forked child, which prints nothing of its own: the failures
// it records come back, where they happened and why, and join_child()
// reports them under the label.
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
	c.failures = Fd(p[0]);
	Fd out(p[1]);
	const int before = recorded_failures();
	c.pid = fork_child();
	if (c.pid < 0)
		ADD_FAILURE() << label << ": fork: " << errno_name(errno);
	if (c.pid != 0)
		return c;
	testing::TestEventListeners &listeners =
		testing::UnitTest::GetInstance()->listeners();
	delete listeners.Release(listeners.default_result_printer());
	signal(SIGPIPE, SIG_DFL);
	fn();
	const testing::TestResult &result = *testing::UnitTest::GetInstance()
						     ->current_test_info()
						     ->result();
	FILE *f = fdopen(out.release(), "w");
	for (int i = before; i < recorded_failures(); i++) {
		const testing::TestPartResult &part =
			result.GetTestPartResult(i);
		std::string m = part.message();
		std::replace(m.begin(), m.end(), '\n', ' ');
		fprintf(f, "%s:%d: %s\n",
			part.file_name() ? part.file_name() : "?",
			part.line_number(), m.c_str());
	}
	fclose(f);
	_exit(recorded_failures() == before ? 0 : 1);
}

// Waits for the child and reports its failures.
inline void join_child(Child c)
{
	if (c.pid < 0)
		return; // spawn_child said why
	bool any = false;
	FILE *f = fdopen(c.failures.release(), "r");
	each_line(f, [&](const std::string &line) {
		ADD_FAILURE() << c.label << ": " << line;
		any = true;
	});
	fclose(f);
	EXPECT_EQ(status_str(wait_child(c.pid)),
		  any ? "exited with status 1" : "exited with status 0")
		<< c.label;
}

struct ProgramRun {
	int status = -1;    // wait status
	std::string output; // stdout and stderr
};

// Runs a program (arguments that need no quoting) with its stdout and stderr
// into a pipe, not a terminal, echoing each line under `#   ` as it comes: the
// console shows the program's own output and how far a hung run got.
inline ProgramRun run_program(const std::vector<std::string> &args)
{
	std::string cmd;
	for (const std::string &a : args)
		cmd += "'" + a + "' ";
	std::fflush(stdout);
	ProgramRun run;
	FILE *out = popen((cmd + "2>&1").c_str(), "r");
	if (!out) {
		ADD_FAILURE() << "popen " << cmd << ": " << errno_name(errno);
		return run;
	}
	each_line(out, [&](const std::string &line) {
		run.output += line + "\n";
		note("  ", line);
	});
	run.status = pclose(out);
	return run;
}

} // namespace vt

#endif // CRONO_VMTEST_CHILD_H
