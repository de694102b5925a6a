// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ContiguousBuffer: DMA-coherent memory the driver allocates, one device
 * address for the whole buffer, mapped into this process through the device
 * file's mmap at offset id * page size.
 *
 * The destructor unmaps, then unlocks. (The vendor library unlocks first and
 * unmaps after; this driver keeps the memory until its last mapping goes, so
 * both orders are safe. Unmapping first means no mapping ever outlives the
 * buffer id it came from.) Move-only.
 */
#ifndef CRONO_CONTIGUOUS_BUFFER_HPP
#define CRONO_CONTIGUOUS_BUFFER_HPP

#include <cstddef>
#include <cstdint>
#include <memory>

#include "crono/device.hpp"
#include "crono/result.hpp"

namespace crono {

class ContiguousBuffer {
public:
	/* size is rounded up to the page size; 0 is an error. */
	static Result<ContiguousBuffer> lock(Device &device, std::size_t size);

	ContiguousBuffer(ContiguousBuffer &&other) noexcept;
	ContiguousBuffer &operator=(ContiguousBuffer &&other) noexcept;
	ContiguousBuffer(const ContiguousBuffer &) = delete;
	ContiguousBuffer &operator=(const ContiguousBuffer &) = delete;
	~ContiguousBuffer();

	bool locked() const noexcept { return data_ != nullptr; }
	void *data() const noexcept { return data_; }
	std::size_t size() const noexcept { return size_; }
	std::uint64_t device_address() const noexcept
	{
		return device_address_;
	}
	int id() const noexcept { return id_; }

	/* Unmap and unlock now, reporting the driver's answer. */
	Result<void> unlock();

private:
	ContiguousBuffer() = default;

	std::shared_ptr<detail::DeviceFile> file_;
	void *data_ = nullptr;
	std::size_t size_ = 0;
	std::uint64_t device_address_ = 0;
	int id_ = -1;
};

} // namespace crono

#endif
