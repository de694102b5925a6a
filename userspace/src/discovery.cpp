// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "crono/discovery.hpp"

#include <algorithm>
#include <cerrno>

#include "crono/models.hpp"
#include "crono_pci_drvmod.h"
#include "errno_text.hpp"
#include "sysfs_files.hpp"

namespace crono {

namespace {

Error driver_not_loaded(const Context &context)
{
	return Error(
		ENOENT,
		"the " CRONO_MODULE_NAME " driver is not loaded (there is no " +
			context.driver_dir() +
			"); load it with: sudo modprobe " CRONO_MODULE_NAME);
}

/* One bound function; `dir` is its directory (through the driver's link). */
Result<BoardInfo> read_board(const Context &context, const PciAddress &address,
			     const std::string &dir)
{
	BoardInfo board;
	board.address = address;
	Result<std::uint16_t> vendor =
		read_hex_id(*context.os, dir + "/vendor");
	if (!vendor)
		return std::move(vendor).error();
	Result<std::uint16_t> device =
		read_hex_id(*context.os, dir + "/device");
	if (!device)
		return std::move(device).error();
	board.vendor_id = *vendor;
	board.device_id = *device;
	board.model = model_name(board.vendor_id, board.device_id);
	board.node = misc_node_name(board.device_id, address);
	/* The name is computed as the driver computes it; its directory under
	 * misc/ shows the driver really registered it. */
	board.node_registered =
		path_exists(*context.os, dir + "/misc/" + board.node);
	board.sysfs_dir = context.pci_device_dir(address);
	board.node_path = context.node_path(board.node);
	return board;
}

std::string node_of(const std::string &name, const Context &context)
{
	const std::string dev_prefix = context.dev_root + "/";
	if (name.rfind(dev_prefix, 0) == 0)
		return name.substr(dev_prefix.size());
	if (name.rfind("/dev/", 0) == 0)
		return name.substr(5);
	return name;
}

} // namespace

Result<std::vector<BoardInfo>> list_boards(const Context &context)
{
	const std::string dir = context.driver_dir();
	Result<std::vector<std::string>> entries =
		context.os->list_directory(dir);
	if (!entries) {
		if (entries.error().code() == ENOENT)
			return driver_not_loaded(context);
		return Error(entries.error().code(),
			     "cannot list " + dir + ": " +
				     errno_text(entries.error().code()));
	}
	std::vector<BoardInfo> boards;
	for (const std::string &entry : *entries) {
		/* Besides one link per bound function the directory holds
		 * bind, unbind, new_id, module, ... */
		std::optional<PciAddress> address = PciAddress::parse(entry);
		if (!address)
			continue;
		Result<BoardInfo> board =
			read_board(context, *address, dir + "/" + entry);
		if (!board)
			return std::move(board).error();
		boards.push_back(std::move(*board));
	}
	std::sort(boards.begin(), boards.end(),
		  [](const BoardInfo &a, const BoardInfo &b) {
			  return a.address < b.address;
		  });
	return boards;
}

Result<BoardInfo> find_board(const std::string &name, const Context &context)
{
	if (std::optional<PciAddress> address = PciAddress::parse(name)) {
		const std::string bound =
			context.driver_dir() + "/" + address->to_string();
		if (path_exists(*context.os, bound))
			return read_board(context, *address, bound);
		if (!path_exists(*context.os, context.driver_dir()))
			return driver_not_loaded(context);
		if (!path_exists(*context.os, context.pci_device_dir(*address)))
			return Error(ENOENT, "there is no PCI device " +
						     address->to_string() +
						     " (lspci lists them)");
		return Error(ENODEV,
			     address->to_string() +
				     " is not bound to " CRONO_DRIVER_NAME
				     " (a board of another vendor binds with: "
				     "echo VENDOR DEVICE > " +
				     context.driver_dir() + "/new_id)");
	}
	const std::string node = node_of(name, context);
	if (node.rfind("crono_", 0) != 0)
		return Error(EINVAL,
			     "'" + name +
				     "' is neither a PCI address "
				     "(0000:03:00.0) nor a crono_* node");
	Result<std::vector<BoardInfo>> boards = list_boards(context);
	if (!boards)
		return std::move(boards).error();
	for (BoardInfo &board : *boards)
		if (board.node == node)
			return std::move(board);
	return Error(ENOENT, "no board has the node " + node +
				     " (cronoctl list shows the boards)");
}

} // namespace crono
