// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "crono/board_stats.hpp"

#include "sysfs_files.hpp"

namespace crono {

Result<BoardStats> read_board_stats(const Context &context,
				    const std::string &node)
{
	const std::string dir = context.misc_class_dir(node);
	BoardStats stats;
	struct Field {
		const char *name;
		std::uint64_t *value;
	} fields[] = {
		{ "locked_buffers", &stats.locked_buffers },
		{ "pinned_bytes", &stats.pinned_bytes },
		{ "coherent_bytes", &stats.coherent_bytes },
	};
	for (const Field &field : fields) {
		Result<std::uint64_t> value =
			read_decimal(*context.os, dir + "/" + field.name);
		if (!value)
			return std::move(value).error();
		*field.value = *value;
	}
	return stats;
}

} // namespace crono
