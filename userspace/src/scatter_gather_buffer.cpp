// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "crono/scatter_gather_buffer.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "crono/units.hpp"
#include "crono_pci_drvmod.h"
#include "device_file.hpp"
#include "driver_errors.hpp"
#include "errno_text.hpp"

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << MAP_HUGE_SHIFT)
#endif

namespace crono {

static_assert(kDevicePageSize == CRONO_DEVICE_PAGE_SIZE, "device page");

namespace {

std::size_t round_up(std::size_t value, std::size_t unit)
{
	return (value + unit - 1) / unit * unit;
}

std::size_t system_page_size()
{
	long size = ::sysconf(_SC_PAGESIZE);
	return size > 0 ? static_cast<std::size_t>(size) : 4096;
}

struct Memory {
	void *mapping = nullptr;
	std::size_t mapping_length = 0;
	void *data = nullptr;
	PageBacking backing = PageBacking::small_pages;
};

constexpr int kAnonymous = MAP_PRIVATE | MAP_ANONYMOUS;
constexpr int kReadWrite = PROT_READ | PROT_WRITE;

/*
 * 2 MiB pages as far as the system has them: hugetlbfs pages if reserved
 * (often none are), else a 2 MiB-aligned range advised for transparent huge
 * pages, else whatever that range gets. Only a failure to get any memory at
 * all is an error.
 */
Result<Memory> allocate_huge(Os &os, std::size_t length)
{
	Memory m;
	Result<void *> huge =
		os.mmap(nullptr, length, kReadWrite,
			kAnonymous | MAP_HUGETLB | MAP_HUGE_2MB, -1, 0);
	if (huge) {
		m.mapping = m.data = *huge;
		m.mapping_length = length;
		m.backing = PageBacking::huge_pages;
		return m;
	}
	/* Over-allocate by one huge page and keep the aligned middle: a THP
	 * can only back a 2 MiB-aligned range. */
	Result<void *> raw = os.mmap(nullptr, length + kHugePageSize,
				     kReadWrite, kAnonymous, -1, 0);
	if (!raw)
		return std::move(raw).error();
	const auto start = reinterpret_cast<std::uintptr_t>(*raw);
	const std::uintptr_t aligned = round_up(start, kHugePageSize);
	const std::size_t head = aligned - start;
	const std::size_t tail = kHugePageSize - head;
	if (head)
		(void)os.munmap(*raw, head);
	if (tail)
		(void)os.munmap(reinterpret_cast<void *>(aligned + length),
				tail);
	m.mapping = m.data = reinterpret_cast<void *>(aligned);
	m.mapping_length = length;
	m.backing = os.madvise(m.data, length, MADV_HUGEPAGE)
			    ? PageBacking::transparent_huge_pages
			    : PageBacking::small_pages;
	return m;
}

Result<Memory> allocate(Os &os, std::size_t size, bool huge_pages)
{
	if (huge_pages)
		return allocate_huge(os, size);
	Memory m;
	const std::size_t length = round_up(size, system_page_size());
	Result<void *> p =
		os.mmap(nullptr, length, kReadWrite, kAnonymous, -1, 0);
	if (!p)
		return std::move(p).error();
	m.mapping = m.data = *p;
	m.mapping_length = length;
	return m;
}

} // namespace

const char *to_string(PageBacking backing)
{
	switch (backing) {
	case PageBacking::huge_pages:
		return "2 MiB huge pages";
	case PageBacking::transparent_huge_pages:
		return "transparent huge pages (advised)";
	case PageBacking::small_pages:
		break;
	}
	return "4 KiB pages";
}

Result<ScatterGatherBuffer>
ScatterGatherBuffer::lock(Device &device, std::size_t size,
			  ScatterGatherOptions options)
{
	if (!device.file_)
		return Error(EBADF,
			     "cannot lock a buffer: the device is closed");
	if (size == 0)
		return Error(EINVAL, "cannot lock an empty buffer");
	if (size > SIZE_MAX - kHugePageSize)
		return Error(EINVAL, "cannot lock " + format_bytes(size) +
					     ": too large");
	detail::DeviceFile &file = *device.file_;
	Os &os = file.os();
	/* With huge pages the whole 2 MiB pages are locked: the memory is
	 * there anyway, and the board gets every page of it. */
	const std::size_t locked_size = round_up(
		size, options.huge_pages ? kHugePageSize : kDevicePageSize);
	const std::size_t entries = locked_size / kDevicePageSize;
	const std::string what = "lock a " + format_bytes(locked_size) +
				 " scatter/gather buffer";
	if (entries > UINT32_MAX)
		return Error(EINVAL,
			     "cannot " + what +
				     ": more pages than the ABI counts");

	Result<Memory> memory = allocate(os, locked_size, options.huge_pages);
	if (!memory)
		return Error(memory.error().code(),
			     "cannot allocate " + format_bytes(locked_size) +
				     " for a scatter/gather buffer: " +
				     errno_text(memory.error().code()));

	ScatterGatherBuffer buffer;
	buffer.page_table_.assign(entries, 0);
	const auto address = reinterpret_cast<std::uintptr_t>(memory->data);
	const auto table =
		reinterpret_cast<std::uintptr_t>(buffer.page_table_.data());
	CRONO_SG_BUFFER_INFO info{};
	info.addr = address;
	info.size = locked_size;
	info.pages = table; /* ignored by the driver; the vendor sets both */
	info.upages = table;
	info.pages_count = static_cast<crono_u32_t>(entries);
	Result<void> done = file.ioctl(IOCTL_CRONO_LOCK_BUFFER, &info);
	if (!done) {
		(void)os.munmap(memory->mapping, memory->mapping_length);
		return explain_request_error(os, what, done.error().code(),
					     locked_size);
	}
	buffer.file_ = device.file_;
	buffer.data_ = memory->data;
	buffer.size_ = locked_size;
	buffer.mapping_ = memory->mapping;
	buffer.mapping_length_ = memory->mapping_length;
	buffer.backing_ = memory->backing;
	buffer.id_ = info.id;
	return buffer;
}

ScatterGatherBuffer::ScatterGatherBuffer(ScatterGatherBuffer &&other) noexcept
    : file_(std::move(other.file_)), data_(other.data_), size_(other.size_),
      mapping_(other.mapping_), mapping_length_(other.mapping_length_),
      id_(other.id_), backing_(other.backing_),
      page_table_(std::move(other.page_table_))
{
	other.data_ = nullptr;
	other.mapping_ = nullptr;
	other.size_ = other.mapping_length_ = 0;
	other.id_ = -1;
	other.page_table_.clear();
}

ScatterGatherBuffer &
ScatterGatherBuffer::operator=(ScatterGatherBuffer &&other) noexcept
{
	if (this != &other) {
		release();
		file_ = std::move(other.file_);
		data_ = other.data_;
		size_ = other.size_;
		mapping_ = other.mapping_;
		mapping_length_ = other.mapping_length_;
		id_ = other.id_;
		backing_ = other.backing_;
		page_table_ = std::move(other.page_table_);
		other.data_ = nullptr;
		other.mapping_ = nullptr;
		other.size_ = other.mapping_length_ = 0;
		other.id_ = -1;
		other.page_table_.clear();
	}
	return *this;
}

ScatterGatherBuffer::~ScatterGatherBuffer()
{
	release();
}

void ScatterGatherBuffer::release() noexcept
{
	(void)unlock();
}

Result<void> ScatterGatherBuffer::unlock()
{
	if (!data_)
		return {};
	Result<void> done = Result<void>();
	/* Unlock before the memory goes: the driver unpins pages that are
	 * still this process's, and the board loses its addresses first. */
	int id = id_;
	done = file_->ioctl(IOCTL_CRONO_UNLOCK_BUFFER, &id);
	Os &os = file_->os();
	(void)os.munmap(mapping_, mapping_length_);
	data_ = mapping_ = nullptr;
	size_ = mapping_length_ = 0;
	id_ = -1;
	page_table_.clear();
	file_.reset();
	if (!done)
		return explain_request_error(
			os, "unlock buffer " + std::to_string(id),
			done.error().code());
	return {};
}

} // namespace crono
