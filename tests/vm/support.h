// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// What every file of crono_vmtest uses: errnos as GoogleTest assertions,
// owned descriptors and mappings, files, time, the kernel log, and the byte
// patterns the DMA checks write.
#ifndef CRONO_VMTEST_SUPPORT_H
#define CRONO_VMTEST_SUPPORT_H

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vt {

using ::testing::AssertionFailure;
using ::testing::AssertionResult;
using ::testing::AssertionSuccess;
using namespace std::chrono_literals;

constexpr size_t kPage = 4096;

// The arguments streamed into one string.
template <class... T> std::string cat(const T &...parts)
{
	std::ostringstream s;
	(s << ... << parts);
	return s.str();
}

inline std::string hex(uint64_t v)
{
	std::ostringstream s;
	s << "0x" << std::hex << v;
	return s.str();
}

// The running test's failures so far: the only parts its result records.
inline int recorded_failures()
{
	return testing::UnitTest::GetInstance()
		->current_test_info()
		->result()
		->total_part_count();
}

// A remark, under `#` like the output of the programs this one runs.
template <class... T> void note(const T &...parts)
{
	std::printf("# %s\n", cat(parts...).c_str());
	std::fflush(stdout);
}

inline std::string lower(std::string s)
{
	std::transform(s.begin(), s.end(), s.begin(), ::tolower);
	return s;
}

// The errno's symbolic name ("EINVAL"), or "errno N" for one without.
inline std::string errno_name(int e)
{
	// Kernel-internal codes must never reach user space: named, so that a
	// leak is obvious in a failure message.
	switch (e) {
	case 512:
		return "ERESTARTSYS(kernel-internal)";
	case 515:
		return "ENOIOCTLCMD(kernel-internal)";
	case 524:
		return "ENOTSUPP(kernel-internal)";
	}
	const char *n = strerrorname_np(e);
	return n ? n : cat("errno ", e);
}

// The errno of a call that returns -1 on failure, 0 after success.
inline int errno_of(long rc)
{
	return rc == -1 ? errno : 0;
}

// EXPECT_TRUE(fails_with(err, EINVAL)): err, the errno of a call (0 when it
// succeeded), is one of these.
inline AssertionResult fails_with(int err, const std::vector<int> &want)
{
	if (err && std::find(want.begin(), want.end(), err) != want.end())
		return AssertionSuccess();
	AssertionResult r = AssertionFailure() << "expected ";
	for (size_t i = 0; i < want.size(); i++)
		r << (i ? " or " : "") << errno_name(want[i]);
	return r << ", got " << (err ? errno_name(err) : "success");
}
inline AssertionResult fails_with(int err, int want)
{
	return fails_with(err, std::vector<int>{ want });
}

// EXPECT_TRUE(succeeds(err)): err, the errno of a call, is 0.
inline AssertionResult succeeds(int err)
{
	if (!err)
		return AssertionSuccess();
	return AssertionFailure() << "failed: " << errno_name(err);
}

// An owned file descriptor, with the errno of the call that made it.
class Fd {
public:
	Fd() = default;
	explicit Fd(int fd) : fd_(fd), err_(fd < 0 ? errno : 0) {}
	Fd(Fd &&o) noexcept { *this = std::move(o); }
	Fd &operator=(Fd &&o) noexcept
	{
		reset();
		fd_ = o.release();
		err_ = o.err_;
		return *this;
	}
	~Fd() { reset(); }
	int get() const { return fd_; }
	bool valid() const { return fd_ >= 0; }
	int err() const { return err_; }
	int release() { return std::exchange(fd_, -1); }
	// Closes now: 0 or close's errno.
	int reset() { return valid() ? errno_of(close(release())) : 0; }

private:
	int fd_ = -1;
	int err_ = 0;
};

inline Fd open_fd(const std::string &path, int flags)
{
	return Fd(open(path.c_str(), flags | O_CLOEXEC));
}

// An owned mmap, with the errno of a failed one.
class Mapping {
public:
	Mapping() = default;
	Mapping(Mapping &&o) noexcept { *this = std::move(o); }
	Mapping &operator=(Mapping &&o) noexcept
	{
		reset();
		p_ = std::exchange(o.p_, nullptr);
		len_ = o.len_;
		err_ = o.err_;
		return *this;
	}
	~Mapping() { reset(); }
	static Mapping map(size_t len, int prot, int flags, int fd, off_t off,
			   void *at = nullptr)
	{
		Mapping m;
		void *p = mmap(at, len, prot, flags, fd, off);
		if (p == MAP_FAILED)
			m.err_ = errno;
		else
			m.p_ = static_cast<uint8_t *>(p), m.len_ = len;
		return m;
	}
	// Private anonymous memory, not yet faulted in.
	static Mapping anon(size_t len, int prot = PROT_READ | PROT_WRITE)
	{
		return map(len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	// The same, starting on a multiple of align (a power of two), so that
	// transparent huge pages can back all of it.
	static Mapping anon_aligned(size_t len, size_t align)
	{
		Mapping m = anon(len + align);
		if (!m.ok())
			return m;
		const uint64_t start = (m.addr() + align - 1) & ~(align - 1);
		const size_t head = start - m.addr();
		if (head)
			munmap(m.p_, head);
		if (align - head)
			munmap(m.p_ + head + len, align - head);
		m.p_ += head;
		m.len_ = len;
		return m;
	}
	bool ok() const { return p_; }
	int err() const { return err_; }
	uint8_t *data() const { return p_; }
	size_t size() const { return len_; }
	uint64_t addr() const { return reinterpret_cast<uint64_t>(p_); }
	uint8_t *page(size_t i) const { return p_ + i * kPage; }
	// Unmaps now: 0 or munmap's errno.
	int reset()
	{
		return p_ ? errno_of(munmap(std::exchange(p_, nullptr), len_))
			  : 0;
	}

private:
	uint8_t *p_ = nullptr;
	size_t len_ = 0;
	int err_ = 0;
};

// An address range that is certainly not mapped: mapped, then unmapped.
inline uint64_t unmapped_address(size_t len = 4 * kPage)
{
	return Mapping::anon(len, PROT_NONE).addr();
}

// ---------------------------------------------------------------------------------------------
// Files

inline bool exists(const std::string &path)
{
	struct stat st;
	return lstat(path.c_str(), &st) == 0;
}

// "chr 0660", "reg 0444", or "(ENOENT)": a file's type and permissions, for
// EXPECT_EQ.
inline std::string file_mode(const std::string &path)
{
	struct stat st;
	if (stat(path.c_str(), &st) != 0)
		return "(" + errno_name(errno) + ")";
	char s[16];
	snprintf(s, sizeof s, "%s %04o",
		 S_ISCHR(st.st_mode)   ? "chr"
		 : S_ISREG(st.st_mode) ? "reg"
				       : "other",
		 st.st_mode & 07777);
	return s;
}

// A sysfs or procfs value without surrounding white space, or its errno in
// parentheses ("(ENOENT)") when it cannot be read: fit to compare and to
// print alike.
inline std::string read_text(const std::string &path)
{
	std::ifstream f(path);
	if (!f)
		return "(" + errno_name(errno) + ")";
	const std::string s{ std::istreambuf_iterator<char>(f), {} };
	const size_t b = s.find_first_not_of(" \t\n");
	return b == std::string::npos
		       ? ""
		       : s.substr(b, s.find_last_not_of(" \t\n") + 1 - b);
}

// Writes data in one write(2), as sysfs wants it: 0 or the errno.
inline int write_file(const std::string &path, const std::string &data)
{
	Fd fd = open_fd(path, O_WRONLY);
	if (!fd.valid())
		return fd.err();
	const ssize_t n = write(fd.get(), data.data(), data.size());
	if (n < 0)
		return errno;
	return size_t(n) == data.size() ? fd.reset() : EIO;
}

// The name a symbolic link points to (a driver's, a module's), "" for none.
inline std::string link_name(const std::string &link)
{
	std::error_code ec;
	return std::filesystem::read_symlink(link, ec).filename();
}

// The names in a directory, sorted; none when it cannot be read.
inline std::vector<std::string> list_dir(const std::string &dir)
{
	std::vector<std::string> names;
	std::error_code ec;
	for (const auto &e : std::filesystem::directory_iterator(dir, ec))
		names.push_back(e.path().filename());
	std::sort(names.begin(), names.end());
	return names;
}

// ---------------------------------------------------------------------------------------------
// Time

inline double now_s()
{
	return std::chrono::duration<double>(
		       std::chrono::steady_clock::now().time_since_epoch())
		.count();
}

// Polls pred every 10 ms for up to timeout_s; true as soon as it holds.
inline bool wait_until(double timeout_s, const std::function<bool()> &pred)
{
	for (const double end = now_s() + timeout_s; !pred();
	     std::this_thread::sleep_for(10ms))
		if (now_s() > end)
			return false;
	return true;
}

// ---------------------------------------------------------------------------------------------
// The kernel log

// The records of /dev/kmsg written after open_at_end().
class Kmsg {
public:
	AssertionResult open_at_end()
	{
		fd_ = open_fd("/dev/kmsg", O_RDONLY | O_NONBLOCK);
		const int e = fd_.valid()
				      ? errno_of(lseek(fd_.get(), 0, SEEK_END))
				      : fd_.err();
		if (!e)
			return AssertionSuccess();
		return AssertionFailure() << "/dev/kmsg: " << errno_name(e);
	}
	// The message texts of the records since then, or since the last call.
	std::vector<std::string> read_new()
	{
		std::vector<std::string> texts;
		char buf[8192];
		for (;;) {
			const ssize_t n = read(fd_.get(), buf, sizeof buf);
			if (n < 0 && (errno == EPIPE || errno == EINTR))
				continue; // a record overwritten: the next one
			if (n <= 0)
				return texts;
			std::string r(buf, size_t(n));
			r = r.substr(r.find(';') +
				     1); // after the prefix, if any
			texts.push_back(r.substr(0, r.find('\n')));
		}
	}

private:
	Fd fd_;
};

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

// Fills len bytes (a multiple of 8) with the pattern's words first_word...
inline void fill_pattern(void *p, size_t len, uint64_t tag,
			 size_t first_word = 0)
{
	auto *q = static_cast<volatile uint64_t *>(p);
	for (size_t i = 0; i < len / 8; i++)
		q[i] = pattern_word(tag, first_word + i);
}

// EXPECT_TRUE(holds_pattern(p, len, tag)): p holds what fill_pattern wrote.
inline AssertionResult holds_pattern(const void *p, size_t len, uint64_t tag,
				     size_t first_word = 0)
{
	auto *q = static_cast<const volatile uint64_t *>(p);
	for (size_t i = 0; i < len / 8; i++) {
		const uint64_t got = q[i],
			       want = pattern_word(tag, first_word + i);
		if (got != want)
			return AssertionFailure()
			       << "byte " << i * 8 << " reads " << hex(got)
			       << ", expected " << hex(want);
	}
	return AssertionSuccess();
}

} // namespace vt

#endif // CRONO_VMTEST_SUPPORT_H
