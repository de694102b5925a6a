// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// crono_bench: the benchmark's guest program (tests/bench/run boots it as
// the guest's only program, with two edu devices):
//
//     /crono_bench --setup=NAME --driver-ko=PATH --floor-ko=PATH
//                  --sizes=4M,16M,... --reps=N --backings=NAME,...
//
// It binds the measuring module (crono_floor.ko) to the second edu device
// through driver_override and the driver under test to the first through
// new_id, then for each backing and size locks and unlocks one pre-faulted
// buffer through both: one warm-up each, then N rounds of a driver lock and
// unlock and two floor locks (unpinned through the page array and by sg
// segment ranges), then N more driver locks with the free memory read around
// each. Prints
// machine-readable lines for the host script: CRONO-BENCH-GUEST (the
// guest), CRONO-BENCH-ROW (medians of one buffer, or why it has none) and
// CRONO-BENCH-DONE. Exits 0 when every row has its figures.
#include "bench.h"

#include "../floor/crono_floor.h"
#include "crono_pci_drvmod.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include <sys/utsname.h>
#include <unistd.h>

namespace bench {
namespace {

struct Options {
	std::string setup, driver_ko, floor_ko;
	std::vector<uint64_t> sizes;
	std::vector<Backing> backings;
	unsigned reps = 5;
};

std::vector<std::string> split(const std::string &list)
{
	std::vector<std::string> out;
	std::istringstream s(list);
	for (std::string item; std::getline(s, item, ',');)
		if (!item.empty())
			out.push_back(item);
	return out;
}

// "4M", "1G", "16G" or bytes; 0 when malformed or not whole pages.
uint64_t parse_size(const std::string &text)
{
	char *end = nullptr;
	uint64_t n = std::strtoull(text.c_str(), &end, 10);
	const std::string unit = end;
	if (unit == "K")
		n <<= 10;
	else if (unit == "M")
		n <<= 20;
	else if (unit == "G")
		n <<= 30;
	else if (!unit.empty())
		return 0;
	return n % kPage ? 0 : n;
}

[[noreturn]] void usage(const std::string &why)
{
	std::fprintf(stderr,
		     "crono_bench: %s\nusage: crono_bench --setup=NAME "
		     "--driver-ko=PATH --floor-ko=PATH --sizes=4M,1G,... "
		     "--reps=N --backings=4k-order,4k-reverse,thp,hugetlb-2m\n",
		     why.c_str());
	std::exit(2);
}

Options parse(int argc, char **argv)
{
	Options o;
	for (int i = 1; i < argc; i++) {
		const std::string arg = argv[i];
		const size_t eq = arg.find('=');
		const std::string key = arg.substr(0, eq);
		const std::string value =
			eq == std::string::npos ? "" : arg.substr(eq + 1);
		if (key == "--setup")
			o.setup = value;
		else if (key == "--driver-ko")
			o.driver_ko = value;
		else if (key == "--floor-ko")
			o.floor_ko = value;
		else if (key == "--reps")
			o.reps = unsigned(
				std::strtoul(value.c_str(), nullptr, 10));
		else if (key == "--sizes") {
			for (const std::string &s : split(value)) {
				o.sizes.push_back(parse_size(s));
				if (!o.sizes.back())
					usage("bad size '" + s + "'");
			}
		} else if (key == "--backings") {
			for (const std::string &s : split(value)) {
				Backing b;
				if (!parse_backing(s, &b))
					usage("unknown backing '" + s + "'");
				o.backings.push_back(b);
			}
		} else
			usage("unknown argument '" + arg + "'");
	}
	if (o.setup.empty() || o.driver_ko.empty() || o.floor_ko.empty() ||
	    o.sizes.empty() || o.backings.empty() || !o.reps)
		usage("missing argument");
	return o;
}

void describe_guest(const Options &o)
{
	utsname u{};
	uname(&u);
	std::string model;
	std::istringstream cpuinfo(read_text("/proc/cpuinfo"));
	for (std::string line; std::getline(cpuinfo, line);)
		if (line.compare(0, 10, "model name") == 0) {
			model = line.substr(line.find(':') + 2);
			break;
		}
	std::printf("CRONO-BENCH-GUEST\tsetup=%s\tkernel=%s\tcpus=%ld\t"
		    "cpu=%s\tmem_kib=%llu\thugepages=%llu\tthp=%s\n",
		    o.setup.c_str(), u.release, sysconf(_SC_NPROCESSORS_ONLN),
		    model.c_str(), (unsigned long long)meminfo_kib("MemTotal"),
		    (unsigned long long)meminfo_kib("HugePages_Total"),
		    read_text("/sys/kernel/mm/transparent_hugepage/enabled")
			    .c_str());
}

// The measuring module on edu device 2 (driver_override), the driver under
// test on device 1 (new_id, which driver_override keeps off device 2).
// Returns "" or why not.
std::string bind_devices(const Options &o, std::string *driver_pci)
{
	const std::vector<std::string> edu = edu_devices();
	if (edu.size() < 2)
		return "need two edu devices, found " +
		       std::to_string(edu.size());
	const std::string sys = "/sys/bus/pci/devices/";
	int err =
		write_text(sys + edu[1] + "/driver_override", CRONO_FLOOR_NAME);
	if (err)
		return "driver_override of " + edu[1] + ": " + errno_text(err);
	if ((err = load_module(o.floor_ko)))
		return "loading " + o.floor_ko + ": " + errno_text(err);
	if ((err = load_module(o.driver_ko)))
		return "loading " + o.driver_ko + ": " + errno_text(err);
	err = write_text("/sys/bus/pci/drivers/" CRONO_DRIVER_NAME "/new_id",
			 "1234 11e8");
	if (err)
		return "new_id: " + errno_text(err);
	if (driver_of(edu[0]) != CRONO_DRIVER_NAME ||
	    driver_of(edu[1]) != CRONO_FLOOR_NAME)
		return "bound: " + edu[0] + " to '" + driver_of(edu[0]) +
		       "', " + edu[1] + " to '" + driver_of(edu[1]) + "'";
	*driver_pci = edu[0];
	return "";
}

void print_row_start(const Options &o, Backing b, uint64_t size)
{
	std::printf("CRONO-BENCH-ROW\tsetup=%s\tbacking=%s\tsize=%llu",
		    o.setup.c_str(), backing_name(b), (unsigned long long)size);
}

void field(const char *name, long long value)
{
	std::printf("\t%s=%lld", name, value);
}

// One buffer's row; false when it has no figures.
bool measure(const Options &o, Backing backing, uint64_t size, Driver &driver,
	     Floor &floor)
{
	std::string error;
	std::vector<DriverSample> timed(o.reps), held(o.reps);
	// Per round one floor lock unpinned through the array, one by ranges.
	std::vector<FloorSample> by_array(o.reps), by_ranges(o.reps);
	int64_t pins_before = 0;
	Buffer buf(backing, size);
	if (!buf.ok()) {
		error = "buffer: " + buf.error();
	} else {
		pins_before = outstanding_pins();
		DriverSample dw;
		FloorSample fw;
		// Warm-up: caches, and the pages' dirty flags set by a
		// first unpin, alike for both sides.
		error = driver.sample(buf, false, &dw);
		if (error.empty())
			error = floor.sample(buf, false, &fw);
		// Interleaved, so that drift touches both sides alike.
		for (unsigned r = 0; error.empty() && r < o.reps; r++) {
			const bool ranges_first = r % 2;
			error = driver.sample(buf, false, &timed[r]);
			if (error.empty())
				error = floor.sample(buf, ranges_first,
						     ranges_first
							     ? &by_ranges[r]
							     : &by_array[r]);
			if (error.empty())
				error = floor.sample(buf, !ranges_first,
						     ranges_first
							     ? &by_array[r]
							     : &by_ranges[r]);
		}
		for (unsigned r = 0; error.empty() && r < o.reps; r++)
			error = driver.sample(buf, true, &held[r]);
	}
	print_row_start(o, backing, size);
	if (!error.empty()) {
		std::printf("\terror=%s\n", error.c_str());
		std::fflush(stdout);
		return false;
	}
	std::vector<uint64_t> lock, unlock, pin, sgt, map, floor_lock, unmap,
		array, ranges;
	std::vector<int64_t> kept, books;
	for (unsigned r = 0; r < o.reps; r++) {
		lock.push_back(timed[r].lock_ns);
		unlock.push_back(timed[r].unlock_ns);
		for (const FloorSample *f : { &by_array[r], &by_ranges[r] }) {
			pin.push_back(f->pin_ns);
			sgt.push_back(f->sgt_ns);
			map.push_back(f->map_ns);
			floor_lock.push_back(f->pin_ns + f->sgt_ns + f->map_ns);
			unmap.push_back(f->unmap_ns);
		}
		array.push_back(by_array[r].unpin_ns);
		ranges.push_back(by_ranges[r].unpin_ns);
		kept.push_back(held[r].kept_bytes);
		books.push_back(held[r].bookkeeping_bytes);
	}
	field("reps", o.reps);
	field("drv_lock", median(lock));
	field("drv_unlock", median(unlock));
	field("pin", median(pin));
	field("sgt", median(sgt));
	field("map", median(map));
	field("floor_lock", median(floor_lock));
	field("unmap", median(unmap));
	field("unpin_array", median(array));
	field("unpin_ranges", median(ranges));
	field("floor_unlock",
	      median(unmap) + std::min(median(array), median(ranges)));
	field("segs", by_array[0].cpu_segments);
	field("dma_segs", by_array[0].dma_segments);
	field("pages", size / kPage);
	field("kept", median(kept));
	field("bookkeeping", median(books));
	field("thp", buf.thp_bytes());
	field("pins_left", outstanding_pins() - pins_before);
	std::printf("\n");
	std::fflush(stdout);
	return true;
}

} // namespace
} // namespace bench

int main(int argc, char **argv)
{
	using namespace bench;
	const Options o = parse(argc, argv);
	setvbuf(stdout, nullptr, _IOLBF, 0);
	describe_guest(o);
	std::string pci;
	std::string error = bind_devices(o, &pci);
	Driver driver(pci);
	Floor floor;
	if (error.empty())
		error = !driver.error().empty() ? driver.error()
						: floor.error();
	if (!error.empty()) {
		std::printf("CRONO-BENCH-FATAL\t%s\n", error.c_str());
		return 1;
	}
	// hugetlbfs first, then its pool goes back to the page allocator:
	// the guest needs room for the largest buffer once, not twice.
	std::vector<Backing> order;
	for (Backing b : o.backings)
		if (b == Backing::Hugetlb)
			order.push_back(b);
	for (Backing b : o.backings)
		if (b != Backing::Hugetlb)
			order.push_back(b);
	unsigned rows = 0, failed = 0;
	bool pool_released = false;
	for (Backing b : order) {
		if (b != Backing::Hugetlb && !pool_released) {
			write_text("/proc/sys/vm/nr_hugepages", "0");
			pool_released = true;
		}
		for (uint64_t size : o.sizes) {
			rows++;
			failed += !measure(o, b, size, driver, floor);
		}
	}
	std::printf("CRONO-BENCH-DONE\trows=%u\tfailed=%u\n", rows, failed);
	return failed ? 1 : 0;
}
