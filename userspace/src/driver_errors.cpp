// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "driver_errors.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <cstdio>

#include "crono/units.hpp"
#include "errno_text.hpp"

namespace crono {

namespace {

std::string limit_text(std::uint64_t limit)
{
	if (limit == static_cast<std::uint64_t>(RLIM_INFINITY))
		return "unlimited";
	return format_bytes(limit);
}

std::string mode_text(unsigned mode)
{
	char text[8];
	std::snprintf(text, sizeof text, "%04o", mode & 07777);
	return text;
}

Error permission_denied(const Context &context, const BoardInfo &board,
			int code)
{
	const std::string &path = board.node_path;
	Result<FileStatus> status = context.os->stat(path);
	if (!status)
		return Error(code, "no permission to open " + path + " (" +
					   errno_name(code) + ")");
	const unsigned gid = status->gid;
	std::string group = context.os->group_name(gid);
	if (group.empty())
		group = std::to_string(gid);
	const std::string facts =
		" (mode " + mode_text(status->mode) + ", group " + group + ")";
	if (gid == 0 || !(status->mode & 060))
		return Error(code,
			     "no permission to open " + path + facts +
				     ": only root may open it. Run as root, "
				     "or give the node a group with a udev "
				     "rule (GROUP=\"crono\", MODE=\"0660\") "
				     "and join that group");
	return Error(code, "no permission to open " + path + facts +
				   ": join the group " + group +
				   " (sudo usermod -aG " + group +
				   " $USER), then log in again");
}

} // namespace

Error explain_open_error(const Context &context, const BoardInfo &board,
			 int code)
{
	const std::string &path = board.node_path;
	switch (code) {
	case EACCES:
	case EPERM:
		return permission_denied(context, board, code);
	case EBUSY:
		return Error(code,
			     path +
				     " is busy: another process has it "
				     "open, and the driver allows one "
				     "open file per board (sudo fuser -v " +
				     path + " shows which)");
	case ENOENT:
		if (!board.node_registered)
			return Error(code, "the driver has no node for " +
						   board.address.to_string() +
						   " (registering " +
						   board.node +
						   " failed? see dmesg)");
		return Error(code, "there is no " + path +
					   " although the driver registered "
					   "it: is devtmpfs mounted on " +
					   path.substr(0, path.rfind('/')) +
					   "?");
	case ENODEV:
	case ENXIO:
		return Error(code, "the board behind " + path +
					   " is gone (removed or unbound)");
	default:
		return Error(code,
			     "cannot open " + path + ": " + errno_text(code));
	}
}

std::string memlock_advice(const MemlockLimit &limit, std::uint64_t bytes)
{
	const bool unlimited =
		limit.soft == static_cast<std::uint64_t>(RLIM_INFINITY);
	if (limit.has_ipc_lock || unlimited)
		return std::string(
			       "RLIMIT_MEMLOCK does not limit this process (") +
		       (limit.has_ipc_lock ? "CAP_IPC_LOCK" : "unlimited") +
		       "), so the system is out of memory or the request is "
		       "over the driver's limits (256 GiB per scatter/gather "
		       "buffer, 1 GiB per contiguous buffer, 4096 buffers per "
		       "open file; see dmesg)";
	std::string advice =
		"the locked-memory limit is too low: RLIMIT_MEMLOCK is " +
		limit_text(limit.soft) + " (hard limit " +
		limit_text(limit.hard) +
		") and everything this process has "
		"locked counts against it";
	if (bytes)
		advice += ", this buffer alone " + format_bytes(bytes);
	advice += ". Raise it with `ulimit -l unlimited` in the shell that "
		  "starts the program (up to the hard limit; root may go "
		  "beyond), permanently with a line such as `@crono - memlock "
		  "unlimited` in /etc/security/limits.conf (then log in "
		  "again), or give the program CAP_IPC_LOCK (sudo setcap "
		  "cap_ipc_lock=ep PROGRAM)";
	return advice;
}

Error explain_request_error(Os &os, const std::string &what, int code,
			    std::uint64_t bytes)
{
	const std::string head = "cannot " + what + ": ";
	switch (code) {
	case ENOMEM:
		return Error(code,
			     head + "out of memory (ENOMEM): " +
				     memlock_advice(os.memlock_limit(), bytes));
	case ENODEV:
		return Error(code, head + "the board was removed (ENODEV); "
					  "close the device");
	case EFAULT:
		return Error(code, head + "the driver could not access the "
					  "memory it was given (EFAULT)");
	case EOPNOTSUPP:
		return Error(code,
			     head + "the kernel would bounce this buffer "
				    "through swiotlb (EOPNOTSUPP), which a "
				    "ring buffer cannot work with: the board's "
				    "DMA mask does not reach the memory, or "
				    "the kernel runs with swiotlb=force (see "
				    "dmesg)");
	case ENOTTY:
		return Error(code, head + "the driver does not know this "
					  "request (ENOTTY): is this node "
					  "really crono_pci_drvmod's?");
	case EINVAL:
		return Error(code, head + "the driver refused the request as "
					  "invalid (EINVAL)");
	default:
		return Error(code, head + errno_text(code));
	}
}

} // namespace crono
