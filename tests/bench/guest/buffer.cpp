// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// The benchmark's buffers: anonymous memory in 4 KiB pages written in address
// order, in 4 KiB pages written in reverse order with no page physically
// after its virtual predecessor (one sg segment per page, the worst case for
// the sg table), in transparent huge pages, and in hugetlbfs 2 MiB pages.
#include "bench.h"

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

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

// The page frame numbers of npages pages from addr (/proc/self/pagemap,
// which shows them to root); empty when it cannot be read.
std::vector<uint64_t> frames(uint64_t addr, uint64_t npages)
{
	std::vector<uint64_t> entries(npages);
	const int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return {};
	const ssize_t want = ssize_t(npages * sizeof(uint64_t));
	const ssize_t got = pread(fd, entries.data(), want,
				  off_t(addr / kPage * sizeof(uint64_t)));
	close(fd);
	bool any = false;
	for (uint64_t &e : entries) {
		e &= (1ull << 55) - 1;
		any = any || e;
	}
	return got == want && any ? entries : std::vector<uint64_t>();
}

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
		separate_pages();
	} else {
		for (uint64_t i = 0; i < pages; i++)
			bytes[i * kPage] = 1;
	}
}

Buffer::~Buffer()
{
	if (base_)
		munmap(base_, mapped_);
	if (hold_)
		munmap(hold_, size_);
}

/*
 * Written in reverse order, most pages land below their virtual predecessor,
 * but not all: pages freed earlier come back from the per-CPU lists last
 * freed first, i.e. descending. Every page that physically follows its
 * predecessor gets a new one: it goes back to the allocator, a page of the
 * hold mapping takes it at once (this CPU's list gives the last freed page
 * first), and the buffer's page is written anew; again until no page follows
 * (at most 8 passes). The sg segment count shows whether it worked.
 */
void Buffer::separate_pages()
{
	const uint64_t pages = size_ / kPage;
	hold_ = mmap(nullptr, size_, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	const int cpu = sched_getcpu();
	if (hold_ == MAP_FAILED || cpu < 0) {
		hold_ = hold_ == MAP_FAILED ? nullptr : hold_;
		return;
	}
	madvise(hold_, size_, MADV_NOHUGEPAGE);
	cpu_set_t all, one;
	sched_getaffinity(0, sizeof all, &all);
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	sched_setaffinity(0, sizeof one, &one);
	volatile char *const bytes = static_cast<char *>(base_);
	volatile char *const hold = static_cast<char *>(hold_);
	for (int pass = 0; pass < 8; pass++) {
		std::vector<uint64_t> pfn = frames(addr(), pages);
		if (pfn.empty())
			break;
		uint64_t moved = 0;
		for (uint64_t i = 1; i < pages && hold_used_ < pages; i++) {
			if (pfn[i] != pfn[i - 1] + 1)
				continue;
			madvise(const_cast<char *>(bytes) + i * kPage, kPage,
				MADV_DONTNEED);
			hold[hold_used_++ * kPage] = 1;
			bytes[i * kPage] = 1;
			const std::vector<uint64_t> now =
				frames(addr() + i * kPage, 1);
			pfn[i] = now.empty() ? 0 : now[0];
			moved++;
		}
		if (!moved)
			break;
	}
	sched_setaffinity(0, sizeof all, &all);
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
