// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "crono/contiguous_buffer.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "crono/units.hpp"
#include "crono_pci_drvmod.h"
#include "device_file.hpp"
#include "driver_errors.hpp"

namespace crono {

namespace {

std::size_t system_page_size()
{
	long size = ::sysconf(_SC_PAGESIZE);
	return size > 0 ? static_cast<std::size_t>(size) : 4096;
}

} // namespace

Result<ContiguousBuffer> ContiguousBuffer::lock(Device &device,
						std::size_t size)
{
	if (!device.file_)
		return Error(EBADF,
			     "cannot lock a buffer: the device is closed");
	if (size == 0)
		return Error(EINVAL, "cannot lock an empty buffer");
	const std::size_t page = system_page_size();
	if (size > SIZE_MAX - page)
		return Error(EINVAL, "cannot lock " + format_bytes(size) +
					     ": too large");
	const std::size_t length = (size + page - 1) / page * page;
	detail::DeviceFile &file = *device.file_;
	Os &os = file.os();
	const std::string what =
		"lock a " + format_bytes(length) + " contiguous buffer";

	CRONO_CONTIG_BUFFER_INFO info{};
	info.size = length;
	Result<void> done = file.ioctl(IOCTL_CRONO_LOCK_CONTIG_BUFFER, &info);
	if (!done)
		return explain_request_error(os, what, done.error().code(),
					     length);

	/* The driver finds the buffer by the offset: id pages in. */
	const off_t offset =
		static_cast<off_t>(info.id) * static_cast<off_t>(page);
	Result<void *> data = os.mmap(nullptr, length, PROT_READ | PROT_WRITE,
				      MAP_SHARED, file.fd(), offset);
	if (!data) {
		int id = info.id;
		(void)file.ioctl(IOCTL_CRONO_UNLOCK_CONTIG_BUFFER, &id);
		return explain_request_error(
			os, "map contiguous buffer " + std::to_string(info.id),
			data.error().code());
	}
	ContiguousBuffer buffer;
	buffer.file_ = device.file_;
	buffer.data_ = *data;
	buffer.size_ = length;
	buffer.device_address_ = info.dma_handle;
	buffer.id_ = info.id;
	return buffer;
}

ContiguousBuffer::ContiguousBuffer(ContiguousBuffer &&other) noexcept
    : file_(std::move(other.file_)), data_(other.data_), size_(other.size_),
      device_address_(other.device_address_), id_(other.id_)
{
	other.data_ = nullptr;
	other.size_ = 0;
	other.device_address_ = 0;
	other.id_ = -1;
}

ContiguousBuffer &ContiguousBuffer::operator=(ContiguousBuffer &&other) noexcept
{
	if (this != &other) {
		(void)unlock();
		file_ = std::move(other.file_);
		data_ = other.data_;
		size_ = other.size_;
		device_address_ = other.device_address_;
		id_ = other.id_;
		other.data_ = nullptr;
		other.size_ = 0;
		other.device_address_ = 0;
		other.id_ = -1;
	}
	return *this;
}

ContiguousBuffer::~ContiguousBuffer()
{
	(void)unlock();
}

Result<void> ContiguousBuffer::unlock()
{
	if (!data_)
		return {};
	Os &os = file_->os();
	/* Unmap first, so that no mapping outlives the id it came from. */
	(void)os.munmap(data_, size_);
	int id = id_;
	Result<void> done = file_->ioctl(IOCTL_CRONO_UNLOCK_CONTIG_BUFFER, &id);
	data_ = nullptr;
	size_ = 0;
	device_address_ = 0;
	id_ = -1;
	file_.reset();
	if (!done)
		return explain_request_error(
			os, "unlock contiguous buffer " + std::to_string(id),
			done.error().code());
	return {};
}

} // namespace crono
