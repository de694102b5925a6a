// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// The benchmark's buffers: anonymous memory in 4 KiB pages written in address
// order, in 4 KiB pages written in reverse order (the page allocator hands
// out ascending physical pages, so no page follows its virtual predecessor
// physically: one sg segment per page), in transparent huge pages, and in
// hugetlbfs 2 MiB pages.
#include "bench.h"

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <sys/mman.h>

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << MAP_HUGE_SHIFT)
#endif

namespace bench {

namespace {

struct BackingName {
	Backing backing;
	const char *name;
};
const BackingName kNames[] = { { Backing::Order4k, "4k-order" },
			       { Backing::Reverse4k, "4k-reverse" },
			       { Backing::Thp, "thp" },
			       { Backing::Hugetlb, "hugetlb-2m" } };

} // namespace

const char *backing_name(Backing b)
{
	for (const BackingName &n : kNames)
		if (n.backing == b)
			return n.name;
	return "?";
}

bool parse_backing(const std::string &name, Backing *out)
{
	for (const BackingName &n : kNames)
		if (name == n.name) {
			*out = n.backing;
			return true;
		}
	return false;
}

Buffer::Buffer(Backing backing, uint64_t size) : size_(size)
{
	if (backing == Backing::Hugetlb) {
		mapped_ = size;
		base_ = mmap(nullptr, size, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
				     MAP_HUGE_2MB,
			     -1, 0);
	} else {
		// 2 MiB aligned, so that every part of it can be a huge page
		// (THP) or, with MADV_NOHUGEPAGE, none is.
		mapped_ = size + kHugePage;
		base_ = mmap(nullptr, mapped_, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
			     0);
	}
	if (base_ == MAP_FAILED) {
		base_ = nullptr;
		error_ = "mmap: " + errno_text(errno);
		return;
	}
	if (backing != Backing::Hugetlb) {
		char *const raw = static_cast<char *>(base_);
		const uint64_t skip =
			(kHugePage - addr() % kHugePage) % kHugePage;
		if (skip)
			munmap(raw, skip);
		munmap(raw + skip + size, kHugePage - skip);
		base_ = raw + skip;
		mapped_ = size;
		const int advice = backing == Backing::Thp ? MADV_HUGEPAGE
							   : MADV_NOHUGEPAGE;
		if (madvise(base_, size, advice)) {
			error_ = "madvise: " + errno_text(errno);
			return;
		}
	}
	volatile char *const bytes = static_cast<char *>(base_);
	const uint64_t pages = size / kPage;
	if (backing == Backing::Reverse4k) {
		for (uint64_t i = pages; i-- > 0;)
			bytes[i * kPage] = 1;
	} else {
		for (uint64_t i = 0; i < pages; i++)
			bytes[i * kPage] = 1;
	}
}

Buffer::~Buffer()
{
	if (base_)
		munmap(base_, mapped_);
}

uint64_t Buffer::thp_bytes() const
{
	char head[64];
	std::snprintf(head, sizeof head, "%lx-", (unsigned long)addr());
	std::ifstream f("/proc/self/smaps");
	std::string line;
	bool ours = false;
	while (std::getline(f, line)) {
		if (line.compare(0, std::string(head).size(), head) == 0)
			ours = true;
		else if (ours && line.compare(0, 14, "AnonHugePages:") == 0) {
			uint64_t kib = 0;
			std::istringstream(line.substr(14)) >> kib;
			return kib * 1024;
		}
	}
	return 0;
}

} // namespace bench
