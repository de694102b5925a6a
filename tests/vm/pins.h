// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// The kernel's count of pinned pages (/proc/vmstat nr_foll_pin_acquired and
// nr_foll_pin_released): every test must leave it where it found it.
#ifndef CRONO_VMTEST_PINS_H
#define CRONO_VMTEST_PINS_H

#include "support.h"

namespace vt {

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

// EXPECT_TRUE(pins_moved_by(base, n)): the outstanding pin count is base's
// plus n.
inline ::testing::AssertionResult pins_moved_by(const Pins &base, int64_t delta)
{
	Pins now = read_pins();
	if (!base.ok || !now.ok)
		return ::testing::AssertionFailure()
		       << "pin counters: " << (!base.ok ? base.err : now.err);
	if (now.outstanding() == base.outstanding() + delta)
		return ::testing::AssertionSuccess();
	return ::testing::AssertionFailure()
	       << "expected outstanding pins " << base.outstanding() + delta
	       << " (" << delta << " more than before), now " << now.str();
}

// Files released by an exiting process let their pins go soon after it was
// reaped: wait a moment for the count to come back to base's.
inline ::testing::AssertionResult pins_back_to(const Pins &base)
{
	wait_until(2.0, [&] {
		Pins n = read_pins();
		return n.ok && base.ok && n.outstanding() == base.outstanding();
	});
	return pins_moved_by(base, 0);
}
} // namespace vt

#endif // CRONO_VMTEST_PINS_H
