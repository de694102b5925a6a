// SPDX-License-Identifier: GPL-2.0 OR MIT
/* cronoctl info DEV: everything sysfs says about one board. No root. */
#include <cinttypes>
#include <cstdio>

#include "commands.hpp"
#include "crono/board_stats.hpp"
#include "crono/discovery.hpp"
#include "crono/pci_resources.hpp"
#include "crono/units.hpp"

namespace cronoctl {

namespace {

std::string hex(std::uint64_t value)
{
	char text[24];
	std::snprintf(text, sizeof text, "0x%" PRIx64, value);
	return text;
}

std::string resource_name(unsigned index)
{
	if (index < 6)
		return "BAR" + std::to_string(index);
	return index == 6 ? "ROM" : "region " + std::to_string(index);
}

void field(std::ostream &out, const std::string &name, const std::string &value)
{
	out << "  " << name
	    << std::string(name.size() < 16 ? 16 - name.size() : 1, ' ')
	    << value << "\n";
}

} // namespace

int info_command(const std::string &device, Environment &env)
{
	crono::Result<crono::BoardInfo> found =
		crono::find_board(device, env.context);
	if (!found)
		return report_error(env, found.error().message());
	const crono::BoardInfo &board = *found;
	std::ostream &out = *env.out;
	char ids[32];
	std::snprintf(ids, sizeof ids, "%04x:%04x", board.vendor_id,
		      board.device_id);

	out << board.node << "\n";
	field(out, "PCI address", board.address.to_string());
	field(out, "vendor:device",
	      std::string(ids) + (board.model.empty()
					  ? " (not a known board)"
					  : " (" + board.model + ")"));
	field(out, "node",
	      board.node_path + (board.node_registered
					 ? ""
					 : " (not registered by the driver)"));
	field(out, "sysfs", board.sysfs_dir);

	int status = kExitOk;
	crono::Result<std::vector<crono::PciResource>> resources =
		crono::read_pci_resources(env.context, board.address);
	if (resources) {
		bool any = false;
		for (const crono::PciResource &r : *resources) {
			if (!r.present() || r.index > 6)
				continue;
			any = true;
			field(out, resource_name(r.index),
			      hex(r.start) + ", " +
				      crono::format_bytes(r.size) + ", " +
				      r.kind());
		}
		if (!any)
			field(out, "BARs", "none");
	} else {
		field(out, "BARs", "? (" + resources.error().message() + ")");
		status = kExitFailure;
	}

	crono::Result<crono::BoardStats> stats =
		crono::read_board_stats(env.context, board.node);
	if (stats) {
		field(out, "locked buffers",
		      std::to_string(stats->locked_buffers));
		field(out, "pinned bytes",
		      std::to_string(stats->pinned_bytes) + " (" +
			      crono::format_bytes(stats->pinned_bytes) + ")");
		field(out, "coherent bytes",
		      std::to_string(stats->coherent_bytes) + " (" +
			      crono::format_bytes(stats->coherent_bytes) + ")");
	} else {
		field(out, "buffers", "? (" + stats.error().message() + ")");
		status = kExitFailure;
	}
	return status;
}

} // namespace cronoctl
