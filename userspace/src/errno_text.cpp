// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "errno_text.hpp"

#include <cerrno>
#include <system_error>

namespace crono {

std::string errno_name(int code)
{
	switch (code) {
	case EPERM:
		return "EPERM";
	case ENOENT:
		return "ENOENT";
	case EINTR:
		return "EINTR";
	case EIO:
		return "EIO";
	case ENXIO:
		return "ENXIO";
	case E2BIG:
		return "E2BIG";
	case EBADF:
		return "EBADF";
	case EAGAIN:
		return "EAGAIN";
	case ENOMEM:
		return "ENOMEM";
	case EACCES:
		return "EACCES";
	case EFAULT:
		return "EFAULT";
	case EBUSY:
		return "EBUSY";
	case EEXIST:
		return "EEXIST";
	case ENODEV:
		return "ENODEV";
	case ENOTDIR:
		return "ENOTDIR";
	case EISDIR:
		return "EISDIR";
	case EINVAL:
		return "EINVAL";
	case ENOSPC:
		return "ENOSPC";
	case ERANGE:
		return "ERANGE";
	case ENOTTY:
		return "ENOTTY";
	case ENAMETOOLONG:
		return "ENAMETOOLONG";
	case ENOSYS:
		return "ENOSYS";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case ETIMEDOUT:
		return "ETIMEDOUT";
	case EROFS:
		return "EROFS";
	default:
		return "errno " + std::to_string(code);
	}
}

std::string errno_text(int code)
{
	return std::error_code(code, std::generic_category()).message() + " (" +
	       errno_name(code) + ")";
}

} // namespace crono
