// SPDX-License-Identifier: GPL-2.0 OR MIT
/* cronoctl list: the boards the driver serves, with their buffers. */
#include <cstdio>
#include <optional>

#include "commands.hpp"
#include "crono/board_stats.hpp"
#include "crono/discovery.hpp"
#include "crono/units.hpp"
#include "json.hpp"
#include "table.hpp"

namespace cronoctl {

namespace {

std::string hex4(unsigned value)
{
	char text[8];
	std::snprintf(text, sizeof text, "%04x", value);
	return text;
}

std::string ids(const crono::BoardInfo &board)
{
	return hex4(board.vendor_id) + ":" + hex4(board.device_id);
}

void print_table(const std::vector<crono::BoardInfo> &boards,
		 const std::vector<std::optional<crono::BoardStats>> &stats,
		 Environment &env)
{
	Table table;
	table.add_column("PCI ADDRESS");
	table.add_column("ID");
	table.add_column("MODEL");
	table.add_column("NODE");
	table.add_column("BUFFERS", Table::Align::right);
	table.add_column("PINNED", Table::Align::right);
	for (std::size_t i = 0; i < boards.size(); i++) {
		const crono::BoardInfo &b = boards[i];
		std::string node = b.node_path;
		if (!b.node_registered)
			node += " (not registered)";
		table.add_row(
			{ b.address.to_string(), ids(b),
			  b.model.empty() ? "-" : b.model, node,
			  stats[i] ? std::to_string(stats[i]->locked_buffers)
				   : "?",
			  stats[i] ? crono::format_bytes(stats[i]->pinned_bytes)
				   : "?" });
	}
	*env.out << table.render();
}

void print_json(const std::vector<crono::BoardInfo> &boards,
		const std::vector<std::optional<crono::BoardStats>> &stats,
		Environment &env)
{
	std::vector<JsonObject> objects;
	for (std::size_t i = 0; i < boards.size(); i++) {
		const crono::BoardInfo &b = boards[i];
		JsonObject o;
		o.add("pci_address", b.address.to_string())
			.add("vendor_id", "0x" + hex4(b.vendor_id))
			.add("device_id", "0x" + hex4(b.device_id));
		if (b.model.empty())
			o.add_null("model");
		else
			o.add("model", b.model);
		o.add("node", b.node)
			.add("node_path", b.node_path)
			.add("node_registered", b.node_registered);
		if (stats[i])
			o.add("locked_buffers", stats[i]->locked_buffers)
				.add("pinned_bytes", stats[i]->pinned_bytes)
				.add("coherent_bytes",
				     stats[i]->coherent_bytes);
		else
			o.add_null("locked_buffers")
				.add_null("pinned_bytes")
				.add_null("coherent_bytes");
		objects.push_back(o);
	}
	*env.out << json_array(objects);
}

} // namespace

int list_command(const ListOptions &options, Environment &env)
{
	crono::Result<std::vector<crono::BoardInfo>> boards =
		crono::list_boards(env.context);
	if (!boards)
		return report_error(env, boards.error().message());
	/* Statistics are extra: a board whose attributes cannot be read is
	 * still listed. */
	std::vector<std::optional<crono::BoardStats>> stats;
	for (const crono::BoardInfo &b : *boards) {
		crono::Result<crono::BoardStats> s =
			crono::read_board_stats(env.context, b.node);
		stats.push_back(s ? std::optional<crono::BoardStats>(*s)
				  : std::nullopt);
	}
	if (options.json) {
		print_json(*boards, stats, env);
		return kExitOk;
	}
	if (boards->empty()) {
		*env.out << "No boards: the driver is loaded, but no PCI "
			    "device is bound to it.\n"
			    "A board of another vendor binds with: echo "
			    "VENDOR DEVICE > "
			 << env.context.driver_dir() << "/new_id\n";
		return kExitOk;
	}
	print_table(*boards, stats, env);
	return kExitOk;
}

} // namespace cronoctl
