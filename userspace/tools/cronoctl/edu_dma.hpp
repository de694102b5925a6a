// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The DMA engine of QEMU's edu device (1234:11e8), through its BAR0, so that
 * `cronoctl selftest` can make a device really read and write locked pages.
 *
 * The device's own buffer is 4096 bytes at device address 0x40000. QEMU 7.2
 * rejects a transfer that ends exactly at 0x41000 and aborts the whole VM on
 * an out-of-range one, so every transfer here stays strictly inside the
 * buffer: a page moves in two 2048-byte halves, both through 0x40000.
 */
#ifndef CRONOCTL_EDU_DMA_HPP
#define CRONOCTL_EDU_DMA_HPP

#include <chrono>
#include <cstdint>

#include "../../../tests/edu/edu_regs.h"
#include "crono/bar_mapping.hpp"
#include "crono/result.hpp"

namespace cronoctl {

class EduDma {
public:
	static constexpr std::uint64_t kBufferAddress = EDU_DEVICE_BUFFER;
	static constexpr std::uint64_t kBufferEnd =
		EDU_DEVICE_BUFFER_END; /* never reached */
	static constexpr std::uint32_t kHalfPage = EDU_DMA_HALF_PAGE;

	/* Register offsets in BAR0. */
	static constexpr std::uint64_t kIdentification = EDU_REG_ID;
	static constexpr std::uint64_t kLiveness = EDU_REG_LIVENESS;
	static constexpr std::uint64_t kSource = EDU_REG_DMA_SRC;
	static constexpr std::uint64_t kDestination = EDU_REG_DMA_DST;
	static constexpr std::uint64_t kCount = EDU_REG_DMA_COUNT;
	static constexpr std::uint64_t kCommand = EDU_REG_DMA_CMD;
	static constexpr std::uint32_t kStart = EDU_DMA_START;
	static constexpr std::uint32_t kToRam = EDU_DMA_TO_RAM;

	explicit EduDma(
		crono::BarMapping &bar,
		std::chrono::milliseconds timeout = std::chrono::seconds(10))
	    : bar_(bar), timeout_(timeout)
	{
	}

	/* The identification register reads 0xMMmm00ed. */
	crono::Result<std::uint32_t> identify() const;

	crono::Result<void> ram_to_device(std::uint64_t ram,
					  std::uint64_t device,
					  std::uint32_t count);
	crono::Result<void> device_to_ram(std::uint64_t device,
					  std::uint64_t ram,
					  std::uint32_t count);
	/* 4096 bytes from one RAM device address to another. */
	crono::Result<void> copy_page(std::uint64_t from, std::uint64_t to);

	/* Whether [device, device + count) is strictly inside the buffer. */
	static bool inside_buffer(std::uint64_t device, std::uint32_t count);

private:
	crono::Result<void> run(std::uint64_t source, std::uint64_t destination,
				std::uint32_t count, std::uint32_t command);
	crono::Result<void> wait_idle();

	crono::BarMapping &bar_;
	std::chrono::milliseconds timeout_;
};

} // namespace cronoctl

#endif
