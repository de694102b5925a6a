// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <dirent.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "crono/os.hpp"
#include "errno_text.hpp"

namespace crono {

namespace {

Error call_failed(const std::string &what, int code)
{
	return Error(code, what + ": " + errno_text(code));
}

std::string hex(unsigned long value)
{
	char text[24];
	std::snprintf(text, sizeof text, "0x%lx", value);
	return text;
}

} // namespace

Os &system_os()
{
	static SystemOs os;
	return os;
}

Result<int> SystemOs::open(const std::string &path, int flags)
{
	int fd;
	do {
		fd = ::open(path.c_str(), flags | O_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return call_failed("open " + path, errno);
	return fd;
}

void SystemOs::close(int fd)
{
	::close(fd);
}

Result<std::size_t> SystemOs::read(int fd, void *buffer, std::size_t size)
{
	ssize_t n;
	do {
		n = ::read(fd, buffer, size);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return call_failed("read", errno);
	return static_cast<std::size_t>(n);
}

Result<void> SystemOs::ioctl(int fd, unsigned long request, void *argument)
{
	int ret;
	do {
		ret = ::ioctl(fd, request, argument);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return call_failed("ioctl " + hex(request), errno);
	return {};
}

Result<void *> SystemOs::mmap(void *address, std::size_t length, int protection,
			      int flags, int fd, off_t offset)
{
	void *p = ::mmap(address, length, protection, flags, fd, offset);
	if (p == MAP_FAILED)
		return call_failed("mmap", errno);
	return p;
}

Result<void> SystemOs::munmap(void *address, std::size_t length)
{
	if (::munmap(address, length) != 0)
		return call_failed("munmap", errno);
	return {};
}

Result<void> SystemOs::madvise(void *address, std::size_t length, int advice)
{
	if (::madvise(address, length, advice) != 0)
		return call_failed("madvise", errno);
	return {};
}

Result<FileStatus> SystemOs::stat(const std::string &path)
{
	struct stat st;
	if (::stat(path.c_str(), &st) != 0)
		return call_failed("stat " + path, errno);
	FileStatus status;
	status.mode = st.st_mode;
	status.uid = st.st_uid;
	status.gid = st.st_gid;
	status.size = static_cast<std::uint64_t>(st.st_size);
	return status;
}

Result<std::vector<std::string>>
SystemOs::list_directory(const std::string &path)
{
	DIR *dir = ::opendir(path.c_str());
	if (!dir)
		return call_failed("open directory " + path, errno);
	std::vector<std::string> names;
	for (;;) {
		errno = 0;
		struct dirent *entry = ::readdir(dir);
		if (!entry) {
			int code = errno;
			::closedir(dir);
			if (code)
				return call_failed("read directory " + path,
						   code);
			return names;
		}
		if (std::strcmp(entry->d_name, ".") != 0 &&
		    std::strcmp(entry->d_name, "..") != 0)
			names.emplace_back(entry->d_name);
	}
}

Result<std::string> SystemOs::read_link(const std::string &path)
{
	std::string target(256, '\0');
	for (;;) {
		ssize_t n = ::readlink(path.c_str(), &target[0], target.size());
		if (n < 0)
			return call_failed("readlink " + path, errno);
		if (static_cast<std::size_t>(n) < target.size()) {
			target.resize(static_cast<std::size_t>(n));
			return target;
		}
		target.resize(target.size() * 2);
	}
}

/* /etc/group directly rather than getgrgid(): a static cronoctl must not
 * need NSS modules at run time. */
std::string SystemOs::group_name(unsigned gid)
{
	std::ifstream groups("/etc/group");
	std::string line;
	while (std::getline(groups, line)) {
		/* name:password:gid:members */
		std::istringstream fields(line);
		std::string name, password, id;
		if (std::getline(fields, name, ':') &&
		    std::getline(fields, password, ':') &&
		    std::getline(fields, id, ':') && id == std::to_string(gid))
			return name;
	}
	return "";
}

MemlockLimit SystemOs::memlock_limit()
{
	MemlockLimit limit;
	struct rlimit rl;
	if (::getrlimit(RLIMIT_MEMLOCK, &rl) == 0) {
		limit.soft = rl.rlim_cur;
		limit.hard = rl.rlim_max;
	}
	/* CAP_IPC_LOCK (bit 14) of the effective set, from CapEff. */
	std::ifstream status("/proc/self/status");
	std::string line;
	while (std::getline(status, line)) {
		if (line.rfind("CapEff:", 0) == 0) {
			unsigned long long caps =
				std::strtoull(line.c_str() + 7, nullptr, 16);
			limit.has_ipc_lock = caps & (1ull << 14);
		}
	}
	return limit;
}

} // namespace crono
