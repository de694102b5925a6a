// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// A tiny test framework for the in-guest VM test program (crono_vmtest.cpp).
//
// Header-only on purpose: tests/vm/run compiles crono_vmtest.cpp alone, and the
// same sources must also build as `g++ tests/vm/*.cpp`. Everything here is
// `inline`.
//
// Model: each scenario runs with a current Ctx; CHECK-style macros record a
// failure message (with the source line) and go on, REQUIRE-style macros record
// and return from the scenario. Syscall expectations print errno names. Fd and
// Mapping are RAII wrappers that also register themselves, so the runner can
// close and unmap what a scenario left behind when a fault (SIGSEGV/SIGBUS)
// made it jump out of the scenario.
#ifndef CRONO_VMTEST_H
#define CRONO_VMTEST_H

#include <cerrno>
#include <csignal>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace vt {

// ---------------------------------------------------------------------------------------------
// Strings and errno names

inline std::string strf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
inline std::string strf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(nullptr, 0, fmt, ap);
	va_end(ap);
	std::string s;
	if (n > 0) {
		s.resize(static_cast<size_t>(n) + 1);
		vsnprintf(&s[0], s.size(), fmt, ap2);
		s.resize(static_cast<size_t>(n));
	}
	va_end(ap2);
	return s;
}

// The errno's symbolic name ("EINVAL"), "0" for success, or null for a number
// that has none.
inline const char *errno_name_or_null(int e)
{
	// Kernel-internal codes that must never reach user space: named so that
	// a leak is obvious in a failure message.
	switch (e) {
	case 0:
		return "0";
	case 512:
		return "ERESTARTSYS(kernel-internal)";
	case 515:
		return "ENOIOCTLCMD(kernel-internal)";
	case 524:
		return "ENOTSUPP(kernel-internal)";
	default:
		return strerrorname_np(e);
	}
}

inline std::string errno_name(int e)
{
	const char *n = errno_name_or_null(e);
	return n ? std::string(n) : strf("errno %d", e);
}

inline std::string one_line(std::string s)
{
	for (char &c : s)
		if (c == '\n' || c == '\r')
			c = ' ';
	return s;
}

// ---------------------------------------------------------------------------------------------
// Output: straight write(2) to stdout, never stdio, so that nothing is buffered
// across fork() and the watchdog's signal handler can print too.

inline void out_raw(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(1, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		s += w;
		n -= static_cast<size_t>(w);
	}
}
inline void out(const std::string &s)
{
	out_raw(s.data(), s.size());
}

// ---------------------------------------------------------------------------------------------
// Scenario context

class Ctx {
public:
	void fail(int line, const std::string &msg)
	{
		failures_.push_back(one_line(msg) + strf(" (line %d)", line));
	}
	void add_raw(const std::string &msg)
	{
		failures_.push_back(one_line(msg));
	}
	bool failed() const { return !failures_.empty(); }
	size_t count() const { return failures_.size(); }
	const std::vector<std::string> &failures() const { return failures_; }

private:
	std::vector<std::string> failures_;
};

inline Ctx *&cur_ptr()
{
	static Ctx *p = nullptr;
	return p;
}
inline Ctx &cur()
{
	static Ctx fallback;
	return cur_ptr() ? *cur_ptr() : fallback;
}

#define VT_FAIL(...) ::vt::cur().fail(__LINE__, ::vt::strf(__VA_ARGS__))
#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			VT_FAIL("%s", "check failed: " #cond);                 \
	} while (0)
#define CHECK_MSG(cond, ...)                                                   \
	do {                                                                   \
		if (!(cond))                                                   \
			VT_FAIL(__VA_ARGS__);                                  \
	} while (0)
#define REQUIRE(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			VT_FAIL("%s", "required: " #cond);                     \
			return;                                                \
		}                                                              \
	} while (0)
#define REQUIRE_MSG(cond, ...)                                                 \
	do {                                                                   \
		if (!(cond)) {                                                 \
			VT_FAIL(__VA_ARGS__);                                  \
			return;                                                \
		}                                                              \
	} while (0)

// Result of a call that returns -1 and sets errno on failure.
struct SysRes {
	long rc;
	int err; // errno when rc == -1, else 0
	bool ok() const { return rc != -1; }
};

#define VT_SYS(call)                                                           \
	([&]() {                                                               \
		errno = 0;                                                     \
		long rc_ = (long)(call);                                       \
		return ::vt::SysRes{ rc_, rc_ == -1 ? errno : 0 };             \
	}())

inline bool expect_errno_in(int line, const std::string &what, SysRes r,
			    const std::vector<int> &want)
{
	if (r.rc == -1) {
		for (int w : want)
			if (r.err == w)
				return true;
	}
	std::string ws;
	for (int w : want)
		ws += (ws.empty() ? "" : " or ") + errno_name(w);
	cur().fail(line,
		   strf("%s: expected %s, got %s", what.c_str(), ws.c_str(),
			r.rc == -1 ? errno_name(r.err).c_str() : "success"));
	return false;
}

inline bool expect_ok(int line, const std::string &what, SysRes r)
{
	if (r.rc != -1)
		return true;
	cur().fail(line, strf("%s failed: %s", what.c_str(),
			      errno_name(r.err).c_str()));
	return false;
}

// EXPECT_ERRNO(EINVAL, "what", call): the call must fail with exactly that
// errno.
#define EXPECT_ERRNO(want, what, call)                                         \
	::vt::expect_errno_in(__LINE__, what, VT_SYS(call), { want })
#define EXPECT_ERRNO_IN(wantlist, what, call)                                  \
	::vt::expect_errno_in(__LINE__, what, VT_SYS(call), wantlist)
#define EXPECT_OK(what, call) ::vt::expect_ok(__LINE__, what, VT_SYS(call))

// ---------------------------------------------------------------------------------------------
// Resource tracking for recovery after a fault jumped out of a scenario

struct Tracked {
	std::vector<int> fds;
	std::vector<std::pair<void *, size_t>> maps;
};
inline Tracked &tracked()
{
	static Tracked t;
	return t;
}
inline void track_fd(int fd)
{
	if (fd >= 0)
		tracked().fds.push_back(fd);
}
inline void untrack_fd(int fd)
{
	auto &v = tracked().fds;
	for (size_t i = 0; i < v.size(); i++)
		if (v[i] == fd) {
			v.erase(v.begin() + static_cast<long>(i));
			return;
		}
}
inline void track_map(void *p, size_t len)
{
	tracked().maps.emplace_back(p, len);
}
inline void untrack_map(void *p)
{
	auto &v = tracked().maps;
	for (size_t i = 0; i < v.size(); i++)
		if (v[i].first == p) {
			v.erase(v.begin() + static_cast<long>(i));
			return;
		}
}
// Close and unmap everything still registered (after a jump out of a scenario).
inline void release_tracked()
{
	for (auto &m : tracked().maps)
		munmap(m.first, m.second);
	for (int fd : tracked().fds)
		close(fd);
	tracked().maps.clear();
	tracked().fds.clear();
}

class Fd {
public:
	Fd() = default;
	explicit Fd(int fd) : fd_(fd) { track_fd(fd_); }
	~Fd() { reset(); }
	Fd(const Fd &) = delete;
	Fd &operator=(const Fd &) = delete;
	Fd(Fd &&o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
	Fd &operator=(Fd &&o) noexcept
	{
		if (this != &o) {
			reset();
			fd_ = o.fd_;
			o.fd_ = -1;
		}
		return *this;
	}
	int get() const { return fd_; }
	bool valid() const { return fd_ >= 0; }
	// Forget the descriptor without closing it.
	int release()
	{
		int fd = fd_;
		untrack_fd(fd_);
		fd_ = -1;
		return fd;
	}
	// Close now; returns close()'s result (0 when there was nothing to
	// close).
	int reset()
	{
		int rc = 0;
		if (fd_ >= 0) {
			untrack_fd(fd_);
			rc = close(fd_);
			fd_ = -1;
		}
		return rc;
	}

private:
	int fd_ = -1;
};

// open(2) into an Fd; on failure the Fd is invalid and *err holds errno.
inline Fd open_fd(const std::string &path, int flags, int *err = nullptr)
{
	errno = 0;
	int fd = open(path.c_str(), flags | O_CLOEXEC);
	if (err)
		*err = fd < 0 ? errno : 0;
	return Fd(fd);
}

class Mapping {
public:
	Mapping() = default;
	~Mapping() { reset(); }
	Mapping(const Mapping &) = delete;
	Mapping &operator=(const Mapping &) = delete;
	Mapping(Mapping &&o) noexcept : p_(o.p_), len_(o.len_), err_(o.err_)
	{
		o.p_ = nullptr;
		o.len_ = 0;
	}
	Mapping &operator=(Mapping &&o) noexcept
	{
		if (this != &o) {
			reset();
			p_ = o.p_;
			len_ = o.len_;
			err_ = o.err_;
			o.p_ = nullptr;
			o.len_ = 0;
		}
		return *this;
	}
	static Mapping map(size_t len, int prot, int flags, int fd, off_t off)
	{
		Mapping m;
		errno = 0;
		void *p = mmap(nullptr, len, prot, flags, fd, off);
		if (p == MAP_FAILED) {
			m.err_ = errno;
			return m;
		}
		m.p_ = static_cast<uint8_t *>(p);
		m.len_ = len;
		track_map(p, len);
		return m;
	}
	// Private anonymous memory (page-aligned, not yet faulted in).
	static Mapping anon(size_t len, int prot = PROT_READ | PROT_WRITE)
	{
		return map(len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	bool ok() const { return p_ != nullptr; }
	int err() const { return err_; }
	uint8_t *data() const { return p_; }
	size_t size() const { return len_; }
	uint64_t addr() const { return reinterpret_cast<uint64_t>(p_); }
	uint8_t *page(size_t i) const { return p_ + i * 4096; }
	int reset()
	{
		int rc = 0;
		if (p_) {
			untrack_map(p_);
			rc = munmap(p_, len_);
			p_ = nullptr;
			len_ = 0;
		}
		return rc;
	}

private:
	uint8_t *p_ = nullptr;
	size_t len_ = 0;
	int err_ = 0;
};

// An address range that is certainly not mapped: map it, then unmap it.
inline uint64_t unmapped_address(size_t len = 4 * 4096)
{
	void *p = mmap(nullptr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	if (p == MAP_FAILED)
		return 0;
	munmap(p, len);
	return reinterpret_cast<uint64_t>(p);
}

// ---------------------------------------------------------------------------------------------
// Small file helpers

inline bool exists(const std::string &path)
{
	struct stat st;
	return lstat(path.c_str(), &st) == 0;
}
inline bool is_dir(const std::string &path)
{
	struct stat st;
	return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Whole file (sysfs/procfs friendly: reads until EOF). Returns false and sets
// *err on failure.
inline bool read_file(const std::string &path, std::string *outs,
		      int *err = nullptr)
{
	int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (err)
			*err = errno;
		return false;
	}
	outs->clear();
	char buf[4096];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (err)
				*err = errno;
			close(fd);
			return false;
		}
		if (n == 0)
			break;
		outs->append(buf, static_cast<size_t>(n));
	}
	close(fd);
	return true;
}

inline std::string trim(std::string s)
{
	while (!s.empty() &&
	       (s.back() == '\n' || s.back() == ' ' || s.back() == '\t'))
		s.pop_back();
	size_t i = 0;
	while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return s.substr(i);
}

// Write a string to a sysfs/procfs file in one write(2). Returns 0 or errno.
inline int write_file(const std::string &path, const std::string &data)
{
	int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	ssize_t n = write(fd, data.data(), data.size());
	int e = n < 0 ? errno
		      : (static_cast<size_t>(n) != data.size() ? EIO : 0);
	if (close(fd) != 0 && e == 0)
		e = errno;
	return e;
}

inline std::string readlink_str(const std::string &path)
{
	char buf[4096];
	ssize_t n = readlink(path.c_str(), buf, sizeof buf - 1);
	if (n < 0)
		return std::string();
	buf[n] = 0;
	return buf;
}
inline std::string basename_of(const std::string &p)
{
	size_t s = p.rfind('/');
	return s == std::string::npos ? p : p.substr(s + 1);
}

// ---------------------------------------------------------------------------------------------
// Time

inline double now_s()
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<double>(ts.tv_sec) +
	       static_cast<double>(ts.tv_nsec) * 1e-9;
}
inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

// Poll pred() every 10 ms for up to timeout_s; true as soon as it holds.
inline bool wait_until(double timeout_s, const std::function<bool()> &pred)
{
	double end = now_s() + timeout_s;
	for (;;) {
		if (pred())
			return true;
		if (now_s() > end)
			return false;
		sleep_ms(10);
	}
}

// ---------------------------------------------------------------------------------------------
// Pinned-page counters (/proc/vmstat nr_foll_pin_acquired /
// nr_foll_pin_released)

struct Pins {
	bool ok = false;
	std::string err;
	uint64_t acquired = 0;
	uint64_t released = 0;
	int64_t outstanding() const
	{
		return static_cast<int64_t>(acquired) -
		       static_cast<int64_t>(released);
	}
	std::string str() const
	{
		if (!ok)
			return err;
		return strf("acquired=%llu released=%llu outstanding=%lld",
			    static_cast<unsigned long long>(acquired),
			    static_cast<unsigned long long>(released),
			    static_cast<long long>(outstanding()));
	}
};

// The two counters from one read of /proc/vmstat (no fold).
inline Pins read_pins_vmstat()
{
	Pins p;
	std::string s;
	int e = 0;
	if (!read_file("/proc/vmstat", &s, &e)) {
		p.err = "cannot read /proc/vmstat: " + errno_name(e);
		return p;
	}
	bool have_a = false, have_r = false;
	size_t pos = 0;
	while (pos < s.size()) {
		size_t nl = s.find('\n', pos);
		if (nl == std::string::npos)
			nl = s.size();
		std::string line = s.substr(pos, nl - pos);
		pos = nl + 1;
		unsigned long long v = 0;
		if (sscanf(line.c_str(), "nr_foll_pin_acquired %llu", &v) ==
		    1) {
			p.acquired = v;
			have_a = true;
		} else if (sscanf(line.c_str(), "nr_foll_pin_released %llu",
				  &v) == 1) {
			p.released = v;
			have_r = true;
		}
	}
	if (!have_a || !have_r) {
		p.err = "/proc/vmstat has no "
			"nr_foll_pin_acquired/nr_foll_pin_released";
		return p;
	}
	p.ok = true;
	return p;
}

// Set when the program runs unprivileged (setup installed): the fold through
// /proc/sys/vm/stat_refresh (mode 0200, root only) is not available, and
// read_pins() waits for the counters to settle instead.
inline bool &pins_unprivileged()
{
	static bool b = false;
	return b;
}

// The counters once the kernel has folded every per-cpu delta by itself. The
// vmstat shepherd looks at every CPU once per vm.stat_interval (1 s by
// default, rounded to whole seconds) and has vmstat_update fold the deltas of
// those with any pending, and a CPU that goes idle folds its own. A delta
// pending when a reading is taken therefore changes the global counters within
// at most about 1.75 intervals. So: read /proc/vmstat every 100 ms until both
// counters have stayed the same for 2 intervals + 250 ms; a delta pending at
// the start of that window would have shown up within it. On a quiet machine
// this gives what the stat_refresh fold gives, only slower (at least ~2.25 s
// per reading). If the counters keep moving for 20 s (other pinning activity
// on the machine), the reading fails rather than return a value that may lag.
inline Pins read_pins_settled()
{
	double interval = 1.0;
	std::string iv;
	if (read_file("/proc/sys/vm/stat_interval", &iv)) {
		long v = strtol(iv.c_str(), nullptr, 10);
		if (v >= 1 && v <= 60)
			interval = static_cast<double>(v);
	}
	const double window = 2 * interval + 0.25, limit = 20.0 + window;
	const double start = now_s();
	Pins p = read_pins_vmstat();
	if (!p.ok)
		return p;
	double stable_since = start;
	for (;;) {
		sleep_ms(100);
		Pins q = read_pins_vmstat();
		if (!q.ok)
			return q;
		double t = now_s();
		if (q.acquired != p.acquired || q.released != p.released) {
			p = q;
			stable_since = t;
		} else if (t - stable_since >= window) {
			return p;
		}
		if (t - start > limit) {
			Pins bad;
			bad.err =
				strf("the pin counters in /proc/vmstat did "
				     "not settle within %.0f s (unprivileged: "
				     "/proc/sys/vm/stat_refresh is root "
				     "only; last %s)",
				     limit, q.str().c_str());
			return bad;
		}
	}
}

// Unprivileged, with a root helper: $CRONO_STAT_REFRESH names a directory
// with two FIFOs, `request` and `done`, served by a root process that folds
// the counters through /proc/sys/vm/stat_refresh for each request
// (tests/guest/guest-test). As exact as the fold itself, and as fast.
inline Pins read_pins_via_helper(const char *dir)
{
	Pins p;
	const std::string request = std::string(dir) + "/request";
	const std::string done = std::string(dir) + "/done";
	int fd = open(request.c_str(), O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "1\n", 2) != 2) {
		p.err = "stat_refresh helper: cannot write " + request + ": " +
			errno_name(errno);
		if (fd >= 0)
			close(fd);
		return p;
	}
	close(fd);
	char c;
	fd = open(done.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, &c, 1) != 1) {
		p.err = "stat_refresh helper: no answer on " + done + ": " +
			errno_name(errno);
		if (fd >= 0)
			close(fd);
		return p;
	}
	close(fd);
	return read_pins_vmstat();
}

inline Pins read_pins()
{
	if (pins_unprivileged()) {
		if (const char *dir = getenv("CRONO_STAT_REFRESH"))
			return read_pins_via_helper(dir);
		return read_pins_settled();
	}
	Pins p;
	// Fold the per-cpu deltas first, or the counters lag by a few pages.
	// Older kernels return EINVAL from this write when some unrelated
	// counter is negative; the fold has happened anyway, so only a failure
	// to open the file is an error.
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		p.err = "cannot open /proc/sys/vm/stat_refresh: " +
			errno_name(errno);
		return p;
	}
	if (write(fd, "1\n", 2) < 0) {
		// see above
	}
	close(fd);
	return read_pins_vmstat();
}

// Records a failure unless the outstanding pin count equals `base + delta`.
inline bool check_pins(int line, const Pins &base, int64_t delta,
		       const char *when)
{
	Pins now = read_pins();
	if (!base.ok || !now.ok) {
		cur().fail(line, strf("pin counters %s: %s", when,
				      (!base.ok ? base.err : now.err).c_str()));
		return false;
	}
	if (now.outstanding() != base.outstanding() + delta) {
		cur().fail(
			line,
			strf("pins %s: expected outstanding %lld (+%lld), now "
			     "%s",
			     when,
			     static_cast<long long>(base.outstanding() + delta),
			     static_cast<long long>(delta), now.str().c_str()));
		return false;
	}
	return true;
}
#define CHECK_PINS(base, delta, when)                                          \
	::vt::check_pins(__LINE__, base, delta, when)

// ---------------------------------------------------------------------------------------------
// Child processes

// Pids the watchdog must kill if it fires.
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

// First thing a forked child does: default signal handling (no inherited
// watchdog or fault handler) and its own watchdog, which kills it.
inline void child_init(unsigned timeout_s)
{
	signal(SIGALRM, SIG_DFL);
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	tracked().fds.clear();
	tracked().maps.clear();
	live_children().clear();
	alarm(timeout_s);
}

inline std::string wait_status_str(int st)
{
	if (WIFEXITED(st))
		return strf("exited with status %d", WEXITSTATUS(st));
	if (WIFSIGNALED(st)) {
		int s = WTERMSIG(st);
		return strf("killed by signal %d%s", s,
			    s == SIGALRM ? " (its watchdog fired)" : "");
	}
	return strf("wait status 0x%x", st);
}

struct Child {
	pid_t pid = -1;
	int rfd = -1;
	std::string label;
};

// Run fn() in a forked child with its own Ctx; its failures come back through a
// pipe, one per line, and join_child() adds them to the current Ctx prefixed
// with the label.
inline Child spawn_child(const std::string &label, unsigned timeout_s,
			 const std::function<void()> &fn)
{
	Child c;
	c.label = label;
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0) {
		VT_FAIL("%s: pipe: %s", label.c_str(),
			errno_name(errno).c_str());
		return c;
	}
	pid_t pid = fork();
	if (pid < 0) {
		VT_FAIL("%s: fork: %s", label.c_str(),
			errno_name(errno).c_str());
		close(p[0]);
		close(p[1]);
		return c;
	}
	if (pid == 0) {
		close(p[0]);
		child_init(timeout_s);
		Ctx mine;
		cur_ptr() = &mine;
		fn();
		std::string msg;
		for (auto &f : mine.failures())
			msg += f + "\n";
		size_t off = 0;
		while (off < msg.size()) {
			ssize_t w =
				write(p[1], msg.data() + off, msg.size() - off);
			if (w <= 0)
				break;
			off += static_cast<size_t>(w);
		}
		_exit(mine.failed() ? 1 : 0);
	}
	close(p[1]);
	c.pid = pid;
	c.rfd = p[0];
	live_children().push_back(pid);
	return c;
}

// Wait for the child; true if it passed.
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
	int st = 0;
	while (waitpid(c.pid, &st, 0) < 0 && errno == EINTR) {
	}
	forget_child(c.pid);
	c.pid = -1;
	bool any = false;
	size_t pos = 0;
	while (pos < msgs.size()) {
		size_t nl = msgs.find('\n', pos);
		if (nl == std::string::npos)
			nl = msgs.size();
		if (nl > pos) {
			cur().add_raw(c.label + ": " +
				      msgs.substr(pos, nl - pos));
			any = true;
		}
		pos = nl + 1;
	}
	bool passed = WIFEXITED(st) && WEXITSTATUS(st) == 0 && !any;
	if (!passed && !(WIFEXITED(st) && WEXITSTATUS(st) == 1 && any))
		cur().add_raw(c.label + ": child " + wait_status_str(st));
	return passed;
}

// ---------------------------------------------------------------------------------------------
// Test patterns

inline uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

// Word w (8 bytes) of the pattern with this tag.
inline uint64_t pattern_word(uint64_t tag, size_t w)
{
	return mix64(tag * 0x100000001b3ull + w);
}

// Fill len bytes (multiple of 8) with the pattern's words first_word...
inline void fill_pattern(void *p, size_t len, uint64_t tag,
			 size_t first_word = 0)
{
	auto *q = static_cast<volatile uint64_t *>(p);
	for (size_t i = 0; i < len / 8; i++)
		q[i] = pattern_word(tag, first_word + i);
}

// -1 when p holds the pattern, else the byte offset of the first wrong word
// (*got, *want).
inline long find_mismatch(const void *p, size_t len, uint64_t tag,
			  size_t first_word = 0, uint64_t *got = nullptr,
			  uint64_t *want = nullptr)
{
	auto *q = static_cast<const volatile uint64_t *>(p);
	for (size_t i = 0; i < len / 8; i++) {
		uint64_t v = q[i], w = pattern_word(tag, first_word + i);
		if (v != w) {
			if (got)
				*got = v;
			if (want)
				*want = w;
			return static_cast<long>(i * 8);
		}
	}
	return -1;
}

// A seeded generator for choosing "random" pages reproducibly.
struct Rng {
	uint64_t s;
	explicit Rng(uint64_t seed) : s(seed ? seed : 1) {}
	uint64_t next()
	{
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		return s;
	}
	uint64_t below(uint64_t n) { return n ? next() % n : 0; }
};

} // namespace vt

#endif // CRONO_VMTEST_H
