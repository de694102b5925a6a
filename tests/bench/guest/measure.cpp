// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// One lock and unlock of a buffer: by the driver under test (LOCK_BUFFER and
// UNLOCK_BUFFER, timed in user space around each ioctl) and by the measuring
// module (its steps timed in the kernel).
#include "bench.h"

#include "../floor/crono_floor.h"
#include "crono_pci_drvmod.h"

#include <cerrno>
#include <cstdlib>
#include <ctime>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace bench {

namespace {

uint64_t now_ns()
{
	timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return uint64_t(t.tv_sec) * 1000000000u + uint64_t(t.tv_nsec);
}

} // namespace

Driver::Driver(const std::string &pci)
{
	const std::string name = misc_name_of(pci);
	if (name.empty()) {
		error_ = "no misc device under " + pci;
		return;
	}
	fd_ = open(("/dev/" + name).c_str(), O_RDWR | O_CLOEXEC);
	if (fd_ < 0)
		error_ = "open /dev/" + name + ": " + errno_text(errno);
	for (const std::string &path :
	     { "/sys/class/misc/" + name + "/bookkeeping_bytes",
	       "/sys/bus/pci/devices/" + pci + "/bookkeeping_bytes" })
		if (access(path.c_str(), R_OK) == 0) {
			bookkeeping_path_ = path;
			break;
		}
}

Driver::~Driver()
{
	if (fd_ >= 0)
		close(fd_);
}

std::string Driver::sample(const Buffer &buf, bool kept, DriverSample *out)
{
	const uint64_t pages = buf.size() / kPage;
	// Written before the lock, so its pages are no part of what it keeps.
	table_.assign(pages, 0);
	CRONO_SG_BUFFER_INFO info = {};
	info.addr = buf.addr();
	info.size = buf.size();
	info.upages = reinterpret_cast<uint64_t>(table_.data());
	info.pages_count = crono_u32_t(pages);
	const uint64_t free_before = kept ? free_pages() : 0;
	const uint64_t t0 = now_ns();
	const int locked = ioctl(fd_, IOCTL_CRONO_LOCK_BUFFER, &info);
	const uint64_t t1 = now_ns();
	if (locked)
		return "LOCK_BUFFER: " + errno_text(errno);
	out->lock_ns = t1 - t0;
	if (kept)
		out->kept_bytes =
			(int64_t(free_before) - int64_t(free_pages())) *
			int64_t(kPage);
	out->bookkeeping_bytes =
		bookkeeping_path_.empty()
			? -1
			: std::strtoll(read_text(bookkeeping_path_).c_str(),
				       nullptr, 10);
	int id = info.id;
	const uint64_t t2 = now_ns();
	const int unlocked = ioctl(fd_, IOCTL_CRONO_UNLOCK_BUFFER, &id);
	const uint64_t t3 = now_ns();
	if (unlocked)
		return "UNLOCK_BUFFER: " + errno_text(errno);
	out->unlock_ns = t3 - t2;
	return "";
}

Floor::Floor()
{
	fd_ = open("/dev/" CRONO_FLOOR_NAME, O_RDWR | O_CLOEXEC);
	if (fd_ < 0)
		error_ = "open /dev/" CRONO_FLOOR_NAME ": " + errno_text(errno);
}

Floor::~Floor()
{
	if (fd_ >= 0)
		close(fd_);
}

std::string Floor::sample(const Buffer &buf, bool ranges, FloorSample *out)
{
	crono_floor_measure m = {};
	m.addr = buf.addr();
	m.size = buf.size();
	m.flags = ranges ? CRONO_FLOOR_UNPIN_RANGES : 0;
	if (ioctl(fd_, CRONO_FLOOR_MEASURE, &m))
		return "CRONO_FLOOR_MEASURE: " + errno_text(errno);
	out->pin_ns = m.pin_ns;
	out->sgt_ns = m.sgt_ns;
	out->map_ns = m.map_ns;
	out->unmap_ns = m.unmap_ns;
	out->unpin_ns = m.unpin_ns;
	out->cpu_segments = m.cpu_segments;
	out->dma_segments = m.dma_segments;
	return "";
}

} // namespace bench
