// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Os: every system call the library makes, behind one interface.
 *
 * The library never calls open/ioctl/mmap/... directly, so a test can put a
 * fake driver behind the same code paths (and inject any errno), and read
 * sysfs files from a fake tree through the real calls. Errors come back as
 * Error with the errno and a short "call(path): strerror" message; callers
 * replace that message with one that explains the situation.
 */
#ifndef CRONO_OS_HPP
#define CRONO_OS_HPP

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "crono/result.hpp"

namespace crono {

struct FileStatus {
	unsigned mode = 0; /* st_mode */
	unsigned uid = 0;
	unsigned gid = 0;
	std::uint64_t size = 0;
};

/* RLIMIT_MEMLOCK; unlimited is RLIM_INFINITY as an unsigned 64-bit value. */
struct MemlockLimit {
	std::uint64_t soft = 0;
	std::uint64_t hard = 0;
	bool has_ipc_lock = false; /* CAP_IPC_LOCK in the effective set */
};

class Os {
public:
	virtual ~Os() = default;

	virtual Result<int> open(const std::string &path, int flags) = 0;
	virtual void close(int fd) = 0;
	virtual Result<std::size_t> read(int fd, void *buffer,
					 std::size_t size) = 0;
	virtual Result<void> ioctl(int fd, unsigned long request,
				   void *argument) = 0;
	virtual Result<void *> mmap(void *address, std::size_t length,
				    int protection, int flags, int fd,
				    off_t offset) = 0;
	virtual Result<void> munmap(void *address, std::size_t length) = 0;
	virtual Result<void> madvise(void *address, std::size_t length,
				     int advice) = 0;

	virtual Result<FileStatus> stat(const std::string &path) = 0;
	/* Names in a directory, without "." and "..", in no set order. */
	virtual Result<std::vector<std::string>>
	list_directory(const std::string &path) = 0;
	virtual Result<std::string> read_link(const std::string &path) = 0;

	/* The name of a group id, or "" when it has none. */
	virtual std::string group_name(unsigned gid) = 0;
	virtual MemlockLimit memlock_limit() = 0;
};

/* The real system calls. One instance for the whole process. */
Os &system_os();

/* The real system calls as a class, for fakes that pass most calls through. */
class SystemOs : public Os {
public:
	Result<int> open(const std::string &path, int flags) override;
	void close(int fd) override;
	Result<std::size_t> read(int fd, void *buffer,
				 std::size_t size) override;
	Result<void> ioctl(int fd, unsigned long request,
			   void *argument) override;
	Result<void *> mmap(void *address, std::size_t length, int protection,
			    int flags, int fd, off_t offset) override;
	Result<void> munmap(void *address, std::size_t length) override;
	Result<void> madvise(void *address, std::size_t length,
			     int advice) override;
	Result<FileStatus> stat(const std::string &path) override;
	Result<std::vector<std::string>>
	list_directory(const std::string &path) override;
	Result<std::string> read_link(const std::string &path) override;
	std::string group_name(unsigned gid) override;
	MemlockLimit memlock_limit() override;
};

} // namespace crono

#endif
