// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Device: one open board (its /dev/crono_* node). The driver allows one open
 * file per board; everything locked through it belongs to that file, and the
 * driver releases it all (after replaying the cleanup program) when the file
 * closes.
 *
 * Buffers keep the file open: a ScatterGatherBuffer or ContiguousBuffer made
 * from a Device shares its file, so destroying the Device first is safe and
 * the file closes with the last of them.
 */
#ifndef CRONO_DEVICE_HPP
#define CRONO_DEVICE_HPP

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "crono/bar_mapping.hpp"
#include "crono/board_stats.hpp"
#include "crono/cleanup_program.hpp"
#include "crono/context.hpp"
#include "crono/discovery.hpp"
#include "crono/pci_resources.hpp"
#include "crono/result.hpp"
#include "crono/span.hpp"

namespace crono {

namespace detail {
class DeviceFile;
}

class Device {
public:
	/* By PCI address, node name or node path (see find_board). */
	static Result<Device> open(const std::string &name,
				   const Context &context = {});
	static Result<Device> open(const BoardInfo &board,
				   const Context &context = {});

	Device(Device &&) noexcept = default;
	Device &operator=(Device &&) noexcept = default;
	Device(const Device &) = delete;
	Device &operator=(const Device &) = delete;
	~Device() = default;

	bool is_open() const noexcept { return file_ != nullptr; }
	const BoardInfo &board() const noexcept { return board_; }
	const Context &context() const noexcept { return context_; }
	const std::vector<PciResource> &resources() const noexcept
	{
		return resources_;
	}
	/* 0 when BAR0 is not a memory BAR. */
	std::uint64_t bar0_size() const noexcept;

	/* BAR0 through sysfs resource0 (needs root or write access). */
	Result<BarMapping> map_bar0() const;

	/* Validated (validate_cleanup_program), then handed to the driver,
	 * which replaces the previous program. */
	Result<void> set_cleanup_program(Span<const RegisterWrite> writes);
	Result<void> clear_cleanup_program();

	Result<BoardStats> stats() const;

	/* Gives up this handle; the file closes once no buffer uses it. */
	void close() noexcept;

private:
	friend class ScatterGatherBuffer;
	friend class ContiguousBuffer;

	Device(std::shared_ptr<detail::DeviceFile> file, BoardInfo board,
	       std::vector<PciResource> resources, const Context &context);

	std::shared_ptr<detail::DeviceFile> file_;
	BoardInfo board_;
	std::vector<PciResource> resources_;
	Context context_;
};

} // namespace crono

#endif
