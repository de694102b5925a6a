// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DeviceFile: the open file of a board's node, shared by the Device and every
 * buffer locked through it, closed when the last of them goes (the driver
 * then replays the cleanup program and releases whatever is left). Internal
 * to the library.
 */
#ifndef CRONO_SRC_DEVICE_FILE_HPP
#define CRONO_SRC_DEVICE_FILE_HPP

#include <string>

#include "crono/os.hpp"

namespace crono::detail {

class DeviceFile {
public:
	DeviceFile(Os *os, int fd, std::string path)
	    : os_(os), fd_(fd), path_(std::move(path))
	{
	}
	DeviceFile(const DeviceFile &) = delete;
	DeviceFile &operator=(const DeviceFile &) = delete;
	~DeviceFile() { os_->close(fd_); }

	Os &os() const noexcept { return *os_; }
	int fd() const noexcept { return fd_; }
	const std::string &path() const noexcept { return path_; }

	Result<void> ioctl(unsigned long request, void *argument) const
	{
		return os_->ioctl(fd_, request, argument);
	}

private:
	Os *os_;
	int fd_;
	std::string path_;
};

} // namespace crono::detail

#endif
