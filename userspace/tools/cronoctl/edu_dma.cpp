// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "edu_dma.hpp"

#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <thread>

namespace cronoctl {

using crono::Error;
using crono::Result;

bool EduDma::inside_buffer(std::uint64_t device, std::uint32_t count)
{
	return count > 0 && device >= kBufferAddress && device < kBufferEnd &&
	       count < kBufferEnd - device;
}

Result<std::uint32_t> EduDma::identify() const
{
	Result<std::uint32_t> id = bar_.read32(kIdentification);
	if (!id)
		return id;
	if ((*id & 0xff) != 0xed) {
		char text[96];
		std::snprintf(text, sizeof text,
			      "BAR0 register 0 reads 0x%08x, not an edu "
			      "device's 0x......ed",
			      *id);
		return Error(ENODEV, text);
	}
	return id;
}

Result<void> EduDma::wait_idle()
{
	const auto deadline = std::chrono::steady_clock::now() + timeout_;
	for (;;) {
		Result<std::uint32_t> command = bar_.read32(kCommand);
		if (!command)
			return std::move(command).error();
		if (!(*command & kStart))
			break;
		if (std::chrono::steady_clock::now() > deadline)
			return Error(ETIMEDOUT,
				     "the edu DMA engine did not "
				     "finish within " +
					     std::to_string(timeout_.count()) +
					     " ms");
		std::this_thread::sleep_for(std::chrono::milliseconds(1));
	}
	/* The device wrote memory behind the compiler's back. */
	std::atomic_thread_fence(std::memory_order_seq_cst);
	return {};
}

Result<void> EduDma::run(std::uint64_t source, std::uint64_t destination,
			 std::uint32_t count, std::uint32_t command)
{
	const std::uint64_t device = command & kToRam ? source : destination;
	if (!inside_buffer(device, count)) {
		char text[160];
		std::snprintf(text, sizeof text,
			      "refusing an edu transfer of %u bytes at device "
			      "address 0x%" PRIx64
			      ": it must stay strictly inside 0x40000-0x40fff",
			      count, device);
		return Error(EINVAL, text);
	}
	/* Nothing may be running while the registers change. */
	Result<void> idle = wait_idle();
	if (!idle)
		return idle;
	std::atomic_thread_fence(std::memory_order_seq_cst);
	Result<void> step = bar_.write64(kSource, source);
	if (step)
		step = bar_.write64(kDestination, destination);
	if (step)
		step = bar_.write32(kCount, count);
	if (step)
		step = bar_.write32(kCommand, command | kStart);
	if (!step)
		return step;
	return wait_idle();
}

Result<void> EduDma::ram_to_device(std::uint64_t ram, std::uint64_t device,
				   std::uint32_t count)
{
	return run(ram, device, count, 0);
}

Result<void> EduDma::device_to_ram(std::uint64_t device, std::uint64_t ram,
				   std::uint32_t count)
{
	return run(device, ram, count, kToRam);
}

Result<void> EduDma::copy_page(std::uint64_t from, std::uint64_t to)
{
	for (std::uint32_t half = 0; half < 2; half++) {
		const std::uint64_t offset = half * kHalfPage;
		Result<void> in =
			ram_to_device(from + offset, kBufferAddress, kHalfPage);
		if (!in)
			return in;
		Result<void> out =
			device_to_ram(kBufferAddress, to + offset, kHalfPage);
		if (!out)
			return out;
	}
	return {};
}

} // namespace cronoctl
