// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// What every file of crono_vmtest uses: strings and errno names, syscall
// results as GoogleTest assertions, owned descriptors and mappings, files,
// time, and the byte patterns the DMA checks write.
#ifndef CRONO_VMTEST_SUPPORT_H
#define CRONO_VMTEST_SUPPORT_H

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

#include <gtest/gtest.h>

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

// The errno's symbolic name ("EINVAL"), "0" for success, or "errno N" for a
// number that has none.
inline std::string errno_name(int e)
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
	}
	const char *n = strerrorname_np(e);
	return n ? std::string(n) : strf("errno %d", e);
}

inline std::string one_line(std::string s)
{
	for (char &c : s)
		if (c == '\n' || c == '\r')
			c = ' ';
	return s;
}

// Result of a call that returns -1 and sets errno on failure.
struct SysRes {
	long rc;
	int err; // errno when rc == -1, else 0
	bool ok() const { return rc != -1; }
};

// sys(call(...)): the call's result with its errno, taken before anything
// else can change errno.
template <class T> SysRes sys(T rc)
{
	const long v = (long)rc;
	return SysRes{ v, v == -1 ? errno : 0 };
}

inline std::string errno_list(const std::vector<int> &errs)
{
	std::string s;
	for (int e : errs)
		s += (s.empty() ? "" : " or ") + errno_name(e);
	return s;
}

// EXPECT_TRUE(fails_with(sys(call), EINVAL)): the call failed with one of
// these errnos.
inline ::testing::AssertionResult fails_with(SysRes r,
					     const std::vector<int> &want)
{
	if (r.rc == -1)
		for (int w : want)
			if (r.err == w)
				return ::testing::AssertionSuccess();
	return ::testing::AssertionFailure()
	       << "expected " << errno_list(want) << ", got "
	       << (r.rc == -1 ? errno_name(r.err) : std::string("success"));
}
inline ::testing::AssertionResult fails_with(SysRes r, int want)
{
	return fails_with(r, std::vector<int>{ want });
}

// EXPECT_TRUE(no_error(e)): e, an errno or 0, is 0.
inline ::testing::AssertionResult no_error(int e)
{
	if (e == 0)
		return ::testing::AssertionSuccess();
	return ::testing::AssertionFailure() << "failed: " << errno_name(e);
}

inline ::testing::AssertionResult succeeds(SysRes r)
{
	if (r.rc != -1)
		return ::testing::AssertionSuccess();
	return ::testing::AssertionFailure() << "failed: " << errno_name(r.err);
}

// A printed remark, under `#` like the programs this one runs.
inline void note(const std::string &s)
{
	std::printf("# %s\n", s.c_str());
	std::fflush(stdout);
}

class Fd {
public:
	Fd() = default;
	explicit Fd(int fd) : fd_(fd) {}
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
		fd_ = -1;
		return fd;
	}
	// Close now; returns close()'s result (0 when there was nothing to
	// close).
	int reset()
	{
		int rc = 0;
		if (fd_ >= 0) {
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

#endif // CRONO_VMTEST_SUPPORT_H
