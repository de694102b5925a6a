// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// The kernel's count of pinned pages (/proc/vmstat nr_foll_pin_acquired and
// nr_foll_pin_released): every test must leave it where it found it.
#ifndef CRONO_VMTEST_PINS_H
#define CRONO_VMTEST_PINS_H

#include "support.h"

namespace vt {

struct Pins {
	uint64_t acquired = 0;
	uint64_t released = 0;
	std::string err = "not read"; // why there are no counters

	bool ok() const { return err.empty(); }
	int64_t outstanding() const { return int64_t(acquired - released); }
	std::string str() const
	{
		return ok() ? cat("acquired=", acquired, " released=", released,
				  " outstanding=", outstanding())
			    : err;
	}
};

// The two counters from one read of /proc/vmstat (no fold).
inline Pins read_pins_vmstat()
{
	Pins p{ 0, 0, "" };
	std::ifstream f("/proc/vmstat");
	if (!f)
		return Pins{ 0, 0, "/proc/vmstat: " + errno_name(errno) };
	int found = 0;
	std::string name;
	for (uint64_t v; f >> name >> v;) {
		if (name == "nr_foll_pin_acquired")
			p.acquired = v, found++;
		else if (name == "nr_foll_pin_released")
			p.released = v, found++;
	}
	if (found != 2)
		p.err = "/proc/vmstat has no "
			"nr_foll_pin_acquired/nr_foll_pin_released";
	return p;
}

// Unprivileged (setup installed), without /proc/sys/vm/stat_refresh (root
// only): the counters once the kernel has folded every per-cpu delta by
// itself. The vmstat shepherd looks at every CPU once per vm.stat_interval (1 s
// by default, rounded to whole seconds) and has vmstat_update fold the deltas
// of those with any pending, and a CPU that goes idle folds its own. A delta
// pending when a reading is taken therefore changes the global counters within
// at most about 1.75 intervals. So: read /proc/vmstat every 100 ms until both
// counters have stayed the same for 2 intervals + 250 ms; a delta pending at
// the start of that window would have shown up within it. On a quiet machine
// this gives what the stat_refresh fold gives, only slower (at least ~2.25 s
// per reading). If the counters keep moving for 20 s (other pinning activity
// on the machine), the reading fails rather than return a value that may lag.
inline Pins read_pins_settled()
{
	const long iv = atol(read_text("/proc/sys/vm/stat_interval").c_str());
	const double interval = iv >= 1 && iv <= 60 ? double(iv) : 1.0;
	const double window = 2 * interval + 0.25, limit = 20.0 + window;
	const double start = now_s();
	double stable_since = start;
	Pins p = read_pins_vmstat();
	if (!p.ok())
		return p;
	for (;;) {
		std::this_thread::sleep_for(100ms);
		const Pins q = read_pins_vmstat();
		const double t = now_s();
		if (!q.ok())
			return q;
		if (q.acquired != p.acquired || q.released != p.released)
			p = q, stable_since = t;
		else if (t - stable_since >= window)
			return p;
		if (t - start > limit)
			return Pins{ 0, 0,
				     cat("the pin counters in /proc/vmstat did "
					 "not settle within ",
					 limit,
					 " s (unprivileged: "
					 "/proc/sys/vm/stat_refresh is root "
					 "only; last ",
					 q.str(), ")") };
	}
}

// Unprivileged, with a root helper: $CRONO_STAT_REFRESH names a directory with
// two FIFOs, `request` and `done`, served by a root process that folds the
// counters through /proc/sys/vm/stat_refresh for each request
// (tests/guest/guest-test). As exact as the fold itself, and as fast.
inline Pins read_pins_via_helper(const std::string &dir)
{
	Fd request = open_fd(dir + "/request", O_WRONLY);
	if (!request.valid() || write(request.get(), "1\n", 2) != 2)
		return Pins{ 0, 0,
			     "stat_refresh helper: cannot write " + dir +
				     "/request: " + errno_name(errno) };
	request.reset();
	if (std::ifstream(dir + "/done").get() == EOF)
		return Pins{ 0, 0,
			     "stat_refresh helper: no answer on " + dir +
				     "/done: " + errno_name(errno) };
	return read_pins_vmstat();
}

inline Pins read_pins()
{
	if (geteuid() != 0) {
		if (const char *dir = getenv("CRONO_STAT_REFRESH"))
			return read_pins_via_helper(dir);
		return read_pins_settled();
	}
	// Fold the per-cpu deltas first, or the counters lag by a few pages.
	// Older kernels fail this write with EINVAL when some unrelated counter
	// is negative; the fold has happened anyway.
	const int e = write_file("/proc/sys/vm/stat_refresh", "1\n");
	if (e && e != EINVAL)
		return Pins{ 0, 0,
			     "/proc/sys/vm/stat_refresh: " + errno_name(e) };
	return read_pins_vmstat();
}

// EXPECT_TRUE(pins_moved_by(base, n)): the outstanding pin count is base's
// plus n.
inline AssertionResult pins_moved_by(const Pins &base, int64_t delta)
{
	const Pins now = read_pins();
	if (!base.ok() || !now.ok())
		return AssertionFailure()
		       << "pin counters: " << (base.ok() ? now.err : base.err);
	if (now.outstanding() == base.outstanding() + delta)
		return AssertionSuccess();
	return AssertionFailure()
	       << "expected outstanding pins " << base.outstanding() + delta
	       << " (" << delta << " more than before), now " << now.str();
}

// Files released by an exiting process let their pins go soon after it was
// reaped: waits a moment for the count to come back to base's.
inline AssertionResult pins_back_to(const Pins &base)
{
	wait_until(2.0, [&] { return bool(pins_moved_by(base, 0)); });
	return pins_moved_by(base, 0);
}

} // namespace vt

#endif // CRONO_VMTEST_PINS_H
