// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// crono_bench, the benchmark's guest program (tests/bench): what its files
// share.
#ifndef CRONO_BENCH_H
#define CRONO_BENCH_H

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace bench {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kHugePage = 2ull << 20;

// ---- the system (system.cpp) ------------------------------------------

std::string read_text(const std::string &path); // "" when unreadable
// Writes text to path; 0 or the errno.
int write_text(const std::string &path, const std::string &text);
std::string errno_text(int err);
// One value of /proc/meminfo in KiB, 0 when absent.
uint64_t meminfo_kib(const std::string &key);

// Free pages, counting those on the per-CPU lists (which the zones' free
// count does not), after folding every CPU's pending counter deltas.
uint64_t free_pages();

// The kernel's FOLL_PIN counters: pins taken minus pins dropped.
int64_t outstanding_pins();

// The PCI addresses of QEMU's edu devices, in bus order.
std::vector<std::string> edu_devices();
std::string driver_of(const std::string &pci);	  // "" when unbound
int load_module(const std::string &path);	  // 0 or the errno
std::string misc_name_of(const std::string &pci); // a misc device under it

// ---- buffers (buffer.cpp) ---------------------------------------------

enum class Backing { Order4k, Reverse4k, Thp, Hugetlb };
const char *backing_name(Backing b);
bool parse_backing(const std::string &name, Backing *out);

// An anonymous mapping of one backing, every page written once in the
// backing's order before any measurement (pre-faulted).
class Buffer {
public:
	Buffer(Backing backing, uint64_t size);
	~Buffer();
	Buffer(const Buffer &) = delete;
	Buffer &operator=(const Buffer &) = delete;

	bool ok() const { return error_.empty(); }
	const std::string &error() const { return error_; }
	uint64_t addr() const { return reinterpret_cast<uint64_t>(base_); }
	uint64_t size() const { return size_; }
	// Bytes of it in transparent huge pages (smaps' AnonHugePages).
	uint64_t thp_bytes() const;

private:
	void separate_pages();

	void *base_ = nullptr;
	uint64_t size_ = 0;
	uint64_t mapped_ = 0;
	// Pages taken out of the buffer by separate_pages, held until the
	// buffer goes so that the allocator cannot hand them back.
	void *hold_ = nullptr;
	uint64_t hold_used_ = 0;
	std::string error_;
};

// ---- measurements (measure.cpp) ---------------------------------------

// One lock and unlock of a buffer by each side, nanoseconds.
struct DriverSample {
	uint64_t lock_ns = 0, unlock_ns = 0;
	int64_t kept_bytes = 0;		// drop in free memory while locked
	int64_t bookkeeping_bytes = -1; // the driver's own count, -1: none
};
struct FloorSample {
	uint64_t pin_ns = 0, sgt_ns = 0, map_ns = 0;
	uint64_t unmap_ns = 0, unpin_ns = 0;
	uint64_t cpu_segments = 0, dma_segments = 0;
};

class Driver {
public:
	// The node of the board at pci; error() says why it could not open.
	explicit Driver(const std::string &pci);
	~Driver();
	const std::string &error() const { return error_; }
	// Locks and unlocks buf once; with kept, reads free memory around the
	// lock. Returns "" or why it failed.
	std::string sample(const Buffer &buf, bool kept, DriverSample *out);

private:
	int fd_ = -1;
	std::string bookkeeping_path_;
	std::string error_;
	std::vector<uint64_t> table_;
};

class Floor {
public:
	Floor();
	~Floor();
	const std::string &error() const { return error_; }
	// Unpins by sg segment ranges, or else through the page array.
	std::string sample(const Buffer &buf, bool ranges, FloorSample *out);

private:
	int fd_ = -1;
	std::string error_;
};

// The middle value; of an even count the mean of the two in the middle.
template <class T> T median(std::vector<T> v)
{
	std::sort(v.begin(), v.end());
	const size_t n = v.size();
	if (!n)
		return T();
	return n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

} // namespace bench

#endif // CRONO_BENCH_H
