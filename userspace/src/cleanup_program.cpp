// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "crono/cleanup_program.hpp"

#include <cerrno>
#include <cstddef>
#include <cstdio>

#include "crono_pci_drvmod.h"

namespace crono {

static_assert(kMaxCleanupWrites == CRONO_KERNEL_CMDS_MAX, "cleanup writes");
static_assert(sizeof(RegisterWrite) == sizeof(CRONO_KERNEL_CMD),
	      "RegisterWrite is passed as CRONO_KERNEL_CMD");
static_assert(offsetof(RegisterWrite, offset) ==
		      offsetof(CRONO_KERNEL_CMD, addr),
	      "offset");
static_assert(offsetof(RegisterWrite, value) ==
		      offsetof(CRONO_KERNEL_CMD, data),
	      "value");

Result<void> validate_cleanup_program(Span<const RegisterWrite> writes,
				      std::uint64_t bar0_size)
{
	if (writes.size() > kMaxCleanupWrites)
		return Error(EINVAL, "a cleanup program holds at most " +
					     std::to_string(kMaxCleanupWrites) +
					     " writes, not " +
					     std::to_string(writes.size()));
	for (std::size_t i = 0; i < writes.size(); i++) {
		char text[160];
		const std::uint32_t offset = writes[i].offset;
		if (offset % 4 != 0) {
			std::snprintf(text, sizeof text,
				      "cleanup write %zu: offset 0x%x is not "
				      "4-byte aligned",
				      i, offset);
			return Error(EINVAL, text);
		}
		if (std::uint64_t{ offset } + 4 > bar0_size) {
			std::snprintf(
				text, sizeof text,
				"cleanup write %zu: offset 0x%x is "
				"outside BAR0 (0x%llx bytes)",
				i, offset,
				static_cast<unsigned long long>(bar0_size));
			return Error(EINVAL, text);
		}
	}
	return {};
}

} // namespace crono
