// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ScatterGatherBuffer: memory of this process, contiguous in its address
 * space, locked for DMA by the driver. page_table()[i] is the device address
 * of bytes [4096 i, 4096 i + 4096), the table the board is programmed with.
 *
 * Unlocked (then freed) in the destructor; move-only.
 */
#ifndef CRONO_SCATTER_GATHER_BUFFER_HPP
#define CRONO_SCATTER_GATHER_BUFFER_HPP

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "crono/device.hpp"
#include "crono/result.hpp"
#include "crono/span.hpp"

namespace crono {

constexpr std::size_t kDevicePageSize = 4096;
constexpr std::size_t kHugePageSize = 2u << 20;

enum class PageBacking {
	small_pages,		/* ordinary 4 KiB pages */
	huge_pages,		/* 2 MiB hugetlbfs pages (MAP_HUGETLB) */
	transparent_huge_pages, /* 2 MiB aligned, MADV_HUGEPAGE advised */
};
const char *to_string(PageBacking backing);

struct ScatterGatherOptions {
	/* Ask for 2 MiB pages: hugetlbfs pages when the system has some,
	 * else transparent huge pages, else small pages. The size is rounded
	 * up to 2 MiB. */
	bool huge_pages = false;
};

class ScatterGatherBuffer {
public:
	/* size is rounded up to 4096 bytes; 0 is an error. */
	static Result<ScatterGatherBuffer>
	lock(Device &device, std::size_t size,
	     ScatterGatherOptions options = {});

	ScatterGatherBuffer(ScatterGatherBuffer &&other) noexcept;
	ScatterGatherBuffer &operator=(ScatterGatherBuffer &&other) noexcept;
	ScatterGatherBuffer(const ScatterGatherBuffer &) = delete;
	ScatterGatherBuffer &operator=(const ScatterGatherBuffer &) = delete;
	~ScatterGatherBuffer();

	bool locked() const noexcept { return data_ != nullptr; }
	void *data() const noexcept { return data_; }
	std::size_t size() const noexcept { return size_; }
	int id() const noexcept { return id_; }
	PageBacking backing() const noexcept { return backing_; }
	Span<const std::uint64_t> page_table() const noexcept
	{
		return { page_table_.data(), page_table_.size() };
	}

	/* Unlock now and report the driver's answer; the memory is freed
	 * either way. The destructor does the same and ignores errors. */
	Result<void> unlock();

private:
	ScatterGatherBuffer() = default;
	void release() noexcept;

	std::shared_ptr<detail::DeviceFile> file_;
	void *data_ = nullptr;
	std::size_t size_ = 0;
	void *mapping_ = nullptr; /* what was mmap'ed: data_ is inside it */
	std::size_t mapping_length_ = 0;
	int id_ = -1;
	PageBacking backing_ = PageBacking::small_pages;
	std::vector<std::uint64_t> page_table_;
};

} // namespace crono

#endif
