// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "crono/bar_mapping.hpp"

#include <fcntl.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstdio>

#include "crono/units.hpp"
#include "errno_text.hpp"

namespace crono {

Result<BarMapping> BarMapping::map(const PciAddress &address, unsigned bar,
				   const Context &context)
{
	if (bar > 5)
		return Error(EINVAL, "there is no BAR" + std::to_string(bar));
	Os &os = *context.os;
	const std::string path = context.pci_device_dir(address) + "/resource" +
				 std::to_string(bar);
	/* sysfs gives the resource file the size of the BAR. */
	Result<FileStatus> status = os.stat(path);
	if (!status) {
		const int code = status.error().code();
		if (code == ENOENT)
			return Error(code, address.to_string() + " has no BAR" +
						   std::to_string(bar) +
						   " that can be mapped (no " +
						   path + ")");
		return Error(code,
			     "cannot map " + path + ": " + errno_text(code));
	}
	if (status->size == 0)
		return Error(ENODEV, "BAR" + std::to_string(bar) + " of " +
					     address.to_string() + " is empty");
	Result<int> fd = os.open(path, O_RDWR | O_SYNC);
	if (!fd) {
		const int code = fd.error().code();
		if (code == EACCES || code == EPERM)
			return Error(code, "no permission to map " + path +
						   ": register access through "
						   "sysfs needs root");
		return Error(code,
			     "cannot open " + path + ": " + errno_text(code));
	}
	Result<void *> base =
		os.mmap(nullptr, status->size, PROT_READ | PROT_WRITE,
			MAP_SHARED, *fd, 0);
	/* The mapping stays valid without the descriptor. */
	os.close(*fd);
	if (!base) {
		const int code = base.error().code();
		std::string why = "cannot map " + path + " (" +
				  format_bytes(status->size) +
				  "): " + errno_text(code);
		if (code == EINVAL || code == EPERM || code == EBUSY)
			why += "; with CONFIG_IO_STRICT_DEVMEM this fails "
			       "while a "
			       "driver holds the region requested";
		return Error(code, why);
	}
	return BarMapping(&os, *base, status->size, bar);
}

BarMapping::BarMapping(BarMapping &&other) noexcept
    : os_(other.os_), base_(other.base_), size_(other.size_), bar_(other.bar_)
{
	other.base_ = nullptr;
	other.size_ = 0;
}

BarMapping &BarMapping::operator=(BarMapping &&other) noexcept
{
	if (this != &other) {
		release();
		os_ = other.os_;
		base_ = other.base_;
		size_ = other.size_;
		bar_ = other.bar_;
		other.base_ = nullptr;
		other.size_ = 0;
	}
	return *this;
}

BarMapping::~BarMapping()
{
	release();
}

void BarMapping::release() noexcept
{
	if (base_)
		(void)os_->munmap(base_, size_);
	base_ = nullptr;
	size_ = 0;
}

Result<volatile void *> BarMapping::at(std::uint64_t offset,
				       unsigned width) const
{
	char text[128];
	if (!base_)
		return Error(EBADF,
			     "BAR" + std::to_string(bar_) + " is not mapped");
	if (offset % width != 0) {
		std::snprintf(text, sizeof text,
			      "BAR%u offset 0x%llx is not %u-byte aligned",
			      bar_, static_cast<unsigned long long>(offset),
			      width);
		return Error(EINVAL, text);
	}
	/* offset + width could wrap; compare without adding to offset. */
	if (offset > size_ || size_ - offset < width) {
		std::snprintf(text, sizeof text,
			      "BAR%u offset 0x%llx + %u is outside the BAR "
			      "(0x%llx bytes)",
			      bar_, static_cast<unsigned long long>(offset),
			      width, static_cast<unsigned long long>(size_));
		return Error(ERANGE, text);
	}
	return static_cast<volatile void *>(static_cast<char *>(base_) +
					    offset);
}

Result<std::uint32_t> BarMapping::read32(std::uint64_t offset) const
{
	Result<volatile void *> p = at(offset, 4);
	if (!p)
		return std::move(p).error();
	return *static_cast<volatile std::uint32_t *>(*p);
}

Result<void> BarMapping::write32(std::uint64_t offset, std::uint32_t value)
{
	Result<volatile void *> p = at(offset, 4);
	if (!p)
		return std::move(p).error();
	*static_cast<volatile std::uint32_t *>(*p) = value;
	return {};
}

Result<std::uint64_t> BarMapping::read64(std::uint64_t offset) const
{
	Result<volatile void *> p = at(offset, 8);
	if (!p)
		return std::move(p).error();
	return *static_cast<volatile std::uint64_t *>(*p);
}

Result<void> BarMapping::write64(std::uint64_t offset, std::uint64_t value)
{
	Result<volatile void *> p = at(offset, 8);
	if (!p)
		return std::move(p).error();
	*static_cast<volatile std::uint64_t *>(*p) = value;
	return {};
}

} // namespace crono
