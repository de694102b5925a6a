// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * cronoctl bench DEV: how long locking and unlocking scatter/gather buffers
 * takes, for sizes doubling from 4 MiB. Lock time is allocation, pinning and
 * DMA mapping (the pages are faulted in by the pin); unlock time is unmapping,
 * unpinning and freeing. The best of --repeat runs is shown.
 */
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "commands.hpp"
#include "crono/device.hpp"
#include "crono/discovery.hpp"
#include "crono/scatter_gather_buffer.hpp"
#include "crono/units.hpp"
#include "progress_bar.hpp"
#include "table.hpp"

namespace cronoctl {

namespace {

using Clock = std::chrono::steady_clock;

double milliseconds(Clock::duration d)
{
	return std::chrono::duration<double, std::milli>(d).count();
}

std::string fixed(double value, int decimals)
{
	char text[32];
	std::snprintf(text, sizeof text, "%.*f", decimals, value);
	return text;
}

/* Half of MemAvailable: more would push the machine into swap or the OOM
 * killer, which measures nothing useful. 0 when unknown. */
std::uint64_t half_available_memory()
{
	std::ifstream meminfo("/proc/meminfo");
	std::string key, unit;
	std::uint64_t kib;
	while (meminfo >> key >> kib) {
		std::getline(meminfo, unit);
		if (key == "MemAvailable:")
			return kib * 1024 / 2;
	}
	return 0;
}

/* GiB/s, or "-" for a time too short to measure. */
std::string rate(double gib, double ms)
{
	return ms > 0 ? fixed(gib / (ms / 1000), 2) : "-";
}

struct Measurement {
	double lock_ms = 0;
	double unlock_ms = 0;
};

} // namespace

int bench_command(const BenchOptions &options, Environment &env)
{
	if (options.min_size == 0 || options.max_size < options.min_size)
		return report_error(env, "bench: --min must be at least 1 "
					 "byte and at most --max");
	if (options.repeat == 0)
		return report_error(env, "bench: --repeat must be at least 1");
	crono::Result<crono::Device> device =
		crono::Device::open(options.device, env.context);
	if (!device)
		return report_error(env, device.error().message());

	std::ostream &out = *env.out;
	std::uint64_t max_size = options.max_size;
	std::string notes;
	const crono::MemlockLimit limit = env.context.os->memlock_limit();
	if (!limit.has_ipc_lock && limit.soft != RLIM_INFINITY &&
	    limit.soft < max_size) {
		max_size = limit.soft;
		notes += "note: sizes stop at RLIMIT_MEMLOCK (" +
			 crono::format_bytes(limit.soft) +
			 "); raise it (ulimit -l) to measure more\n";
	}
	const std::uint64_t memory = half_available_memory();
	if (memory && memory < max_size) {
		max_size = memory;
		notes += "note: sizes stop at half the available memory (" +
			 crono::format_bytes(memory) + ")\n";
	}
	std::vector<std::uint64_t> sizes;
	for (std::uint64_t s = options.min_size; s <= max_size; s *= 2)
		sizes.push_back(s);
	out << notes;
	if (sizes.empty())
		return report_error(
			env, "bench: no size between --min (" +
				     crono::format_bytes(options.min_size) +
				     ") and the limit (" +
				     crono::format_bytes(max_size) + ")");

	out << "bench of " << device->board().node_path << ": lock and unlock "
	    << (options.huge_pages ? "huge-page" : "4 KiB-page")
	    << " scatter/gather buffers, best of " << options.repeat << "\n"
	    << std::flush;

	Table table;
	table.add_column("SIZE", Table::Align::right);
	table.add_column("PAGES", Table::Align::right);
	table.add_column("LOCK MS", Table::Align::right);
	table.add_column("UNLOCK MS", Table::Align::right);
	table.add_column("LOCK GiB/s", Table::Align::right);
	table.add_column("UNLOCK GiB/s", Table::Align::right);

	ProgressBar progress(out, env.out_is_terminal,
			     sizes.size() * options.repeat);
	std::size_t step = 0;
	crono::ScatterGatherOptions sg_options;
	sg_options.huge_pages = options.huge_pages;
	for (std::uint64_t size : sizes) {
		Measurement best;
		for (unsigned run = 0; run < options.repeat; run++) {
			progress.update(step++, crono::format_bytes(size));
			const auto t0 = Clock::now();
			crono::Result<crono::ScatterGatherBuffer> sg =
				crono::ScatterGatherBuffer::lock(
					*device, static_cast<std::size_t>(size),
					sg_options);
			const auto t1 = Clock::now();
			if (!sg) {
				progress.clear();
				out << table.render();
				return report_error(env, sg.error().message());
			}
			crono::Result<void> unlocked = sg->unlock();
			const auto t2 = Clock::now();
			if (!unlocked) {
				progress.clear();
				out << table.render();
				return report_error(env,
						    unlocked.error().message());
			}
			const Measurement m{ milliseconds(t1 - t0),
					     milliseconds(t2 - t1) };
			if (run == 0 || m.lock_ms < best.lock_ms)
				best.lock_ms = m.lock_ms;
			if (run == 0 || m.unlock_ms < best.unlock_ms)
				best.unlock_ms = m.unlock_ms;
		}
		const double gib = static_cast<double>(size) / (1u << 30);
		table.add_row(
			{ crono::format_bytes(size),
			  std::to_string(size / crono::kDevicePageSize),
			  fixed(best.lock_ms, 2), fixed(best.unlock_ms, 2),
			  rate(gib, best.lock_ms), rate(gib, best.unlock_ms) });
	}
	progress.update(step, "done");
	progress.clear();
	out << table.render();
	return kExitOk;
}

} // namespace cronoctl
