// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "crono/device.hpp"

#include <fcntl.h>

#include <cerrno>

#include "crono_pci_drvmod.h"
#include "device_file.hpp"
#include "driver_errors.hpp"

namespace crono {

Device::Device(std::shared_ptr<detail::DeviceFile> file, BoardInfo board,
	       std::vector<PciResource> resources, const Context &context)
    : file_(std::move(file)), board_(std::move(board)),
      resources_(std::move(resources)), context_(context)
{
}

Result<Device> Device::open(const std::string &name, const Context &context)
{
	Result<BoardInfo> board = find_board(name, context);
	if (!board)
		return std::move(board).error();
	return open(*board, context);
}

Result<Device> Device::open(const BoardInfo &board, const Context &context)
{
	/* The regions first: reading sysfs needs no permission, so a
	 * broken tree is reported before a permission problem hides it. */
	Result<std::vector<PciResource>> resources =
		read_pci_resources(context, board.address);
	if (!resources)
		return std::move(resources).error();

	Result<int> fd = context.os->open(board.node_path, O_RDWR);
	if (!fd)
		return explain_open_error(context, board, fd.error().code());
	auto file = std::make_shared<detail::DeviceFile>(context.os, *fd,
							 board.node_path);
	return Device(std::move(file), board, std::move(*resources), context);
}

std::uint64_t Device::bar0_size() const noexcept
{
	if (resources_.empty() || !resources_[0].is_memory())
		return 0;
	return resources_[0].size;
}

Result<BarMapping> Device::map_bar0() const
{
	return BarMapping::map(board_.address, 0, context_);
}

Result<void> Device::set_cleanup_program(Span<const RegisterWrite> writes)
{
	if (!file_)
		return Error(EBADF, "the device is closed");
	Result<void> valid = validate_cleanup_program(writes, bar0_size());
	if (!valid)
		return std::move(valid).error();
	const auto array = reinterpret_cast<std::uintptr_t>(writes.data());
	CRONO_KERNEL_CMDS_INFO info{};
	info.cmds = array; /* ignored by the driver; the vendor sets both */
	info.ucmds = array;
	info.count = static_cast<crono_u32_t>(writes.size());
	Result<void> done = file_->ioctl(IOCTL_CRONO_CLEANUP_SETUP, &info);
	if (!done)
		return explain_request_error(file_->os(),
					     "set the cleanup program",
					     done.error().code());
	return {};
}

Result<void> Device::clear_cleanup_program()
{
	return set_cleanup_program({});
}

Result<BoardStats> Device::stats() const
{
	return read_board_stats(context_, board_.node);
}

void Device::close() noexcept
{
	file_.reset();
}

} // namespace crono
