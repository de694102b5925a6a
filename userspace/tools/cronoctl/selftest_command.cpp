// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * cronoctl selftest DEV: lock a scatter/gather and a contiguous buffer, check
 * the page table and the driver's statistics, and on an edu device make the
 * device really copy first, last and random pages through the page table.
 * Then check the cleanup program runs when the file closes.
 */
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <optional>
#include <random>

#include "commands.hpp"
#include "crono/board_stats.hpp"
#include "crono/contiguous_buffer.hpp"
#include "crono/device.hpp"
#include "crono/discovery.hpp"
#include "crono/models.hpp"
#include "crono/scatter_gather_buffer.hpp"
#include "crono/units.hpp"
#include "edu_dma.hpp"

namespace cronoctl {

namespace {

using crono::kDevicePageSize;

constexpr std::size_t kContiguousSize = 16 * kDevicePageSize;

class Checks {
public:
	explicit Checks(std::ostream &out) : out_(out) {}

	void pass(const std::string &what) { line("ok  ", what), passed_++; }
	void fail(const std::string &what) { line("FAIL", what), failed_++; }
	void skip(const std::string &what) { line("skip", what), skipped_++; }
	bool expect(bool ok, const std::string &what, const std::string &why)
	{
		if (ok)
			pass(what);
		else
			fail(what + ": " + why);
		return ok;
	}

	/* The closing line; deliberately not "N passed, N failed", which the
	 * test harnesses read as their own result lines. */
	int finish()
	{
		const unsigned total = passed_ + failed_;
		std::string skipped =
			skipped_ ? ", " + std::to_string(skipped_) + " skipped"
				 : "";
		if (failed_ == 0) {
			out_ << "selftest passed: " << total << " checks"
			     << skipped << "\n";
			return kExitOk;
		}
		out_ << "selftest FAILED: " << failed_ << " of " << total
		     << " checks failed" << skipped << "\n";
		return kExitFailure;
	}

private:
	void line(const char *status, const std::string &what)
	{
		out_ << "  " << status << "  " << what << "\n" << std::flush;
	}

	std::ostream &out_;
	unsigned passed_ = 0, failed_ = 0, skipped_ = 0;
};

std::string hex(std::uint64_t value)
{
	char text[24];
	std::snprintf(text, sizeof text, "0x%" PRIx64, value);
	return text;
}

std::string hex32(std::uint32_t value)
{
	char text[16];
	std::snprintf(text, sizeof text, "0x%08x", value);
	return text;
}

/* "" when the table is sane, else what is wrong with it. */
std::string page_table_problem(crono::Span<const std::uint64_t> table,
			       std::size_t expected_entries)
{
	if (table.size() != expected_entries)
		return std::to_string(table.size()) + " entries, expected " +
		       std::to_string(expected_entries);
	for (std::size_t i = 0; i < table.size(); i++) {
		if (table[i] == 0)
			return "entry " + std::to_string(i) + " is 0";
		if (table[i] % kDevicePageSize)
			return "entry " + std::to_string(i) + " (" +
			       hex(table[i]) + ") is not 4 KiB aligned";
	}
	std::vector<std::uint64_t> sorted(table.begin(), table.end());
	std::sort(sorted.begin(), sorted.end());
	auto twin = std::adjacent_find(sorted.begin(), sorted.end());
	if (twin != sorted.end())
		return "device address " + hex(*twin) + " appears twice";
	return "";
}

/* Runs of physically consecutive entries: 1 for a contiguous buffer. */
std::size_t contiguous_runs(crono::Span<const std::uint64_t> table)
{
	std::size_t runs = table.empty() ? 0 : 1;
	for (std::size_t i = 1; i < table.size(); i++)
		runs += table[i] != table[i - 1] + kDevicePageSize;
	return runs;
}

void fill_page(void *page, std::uint32_t tag)
{
	auto *words = static_cast<std::uint32_t *>(page);
	for (std::uint32_t i = 0; i < kDevicePageSize / 4; i++)
		words[i] = tag * 0x9e3779b1u ^ (i * 0x85ebca6bu) ^ i;
}

std::uint8_t *page_at(void *base, std::size_t index)
{
	return static_cast<std::uint8_t *>(base) + index * kDevicePageSize;
}

struct Baseline {
	std::optional<crono::BoardStats> stats;
};

std::string stats_text(const crono::BoardStats &s)
{
	return "locked_buffers " + std::to_string(s.locked_buffers) +
	       ", pinned_bytes " + std::to_string(s.pinned_bytes) +
	       ", coherent_bytes " + std::to_string(s.coherent_bytes);
}

/* The driver's statistics equal `want`. */
void check_stats(Checks &checks, const crono::Context &context,
		 const std::string &node, const crono::BoardStats &want,
		 const std::string &when)
{
	crono::Result<crono::BoardStats> now =
		crono::read_board_stats(context, node);
	if (!now) {
		checks.fail("sysfs statistics " + when + ": " +
			    now.error().message());
		return;
	}
	const bool same = now->locked_buffers == want.locked_buffers &&
			  now->pinned_bytes == want.pinned_bytes &&
			  now->coherent_bytes == want.coherent_bytes;
	checks.expect(same, "sysfs " + when + ": " + stats_text(*now),
		      "expected " + stats_text(want));
}

/* One page through the device: `from` filled from the CPU, copied by DMA to
 * `to`, compared from the CPU. */
void dma_round_trip(Checks &checks, EduDma &dma, std::uint8_t *from,
		    std::uint64_t from_address, std::uint8_t *to,
		    std::uint64_t to_address, std::uint32_t tag,
		    const std::string &what)
{
	fill_page(from, tag);
	std::memset(to, 0xa5, kDevicePageSize);
	crono::Result<void> copied = dma.copy_page(from_address, to_address);
	if (!copied) {
		checks.fail(what + ": " + copied.error().message());
		return;
	}
	checks.expect(std::memcmp(from, to, kDevicePageSize) == 0, what,
		      "the bytes that arrived differ from those sent (wrong "
		      "device address in the page table?)");
}

void sg_dma_checks(Checks &checks, EduDma &dma, crono::ScatterGatherBuffer &sg,
		   std::uint32_t seed)
{
	const auto table = sg.page_table();
	const std::size_t last = table.size() - 1;
	std::mt19937 random(seed);
	std::uniform_int_distribution<std::size_t> any(0, last);
	std::vector<std::pair<std::size_t, std::size_t>> pairs = {
		{ 0, last }, { last, 0 }
	};
	while (pairs.size() < 4) {
		std::size_t a = any(random), b = any(random);
		if (a != b)
			pairs.emplace_back(a, b);
	}
	for (std::size_t i = 0; i < pairs.size(); i++) {
		const auto [a, b] = pairs[i];
		dma_round_trip(checks, dma, page_at(sg.data(), a), table[a],
			       page_at(sg.data(), b), table[b],
			       static_cast<std::uint32_t>(seed + i),
			       "DMA page " + std::to_string(a) + " -> page " +
				       std::to_string(b) +
				       (i < 2 ? "" : " (random)") +
				       " through the device");
	}
}

void contiguous_checks(Checks &checks, crono::Device &device,
		       crono::ScatterGatherBuffer &sg, EduDma *dma,
		       crono::BoardStats expected, std::uint32_t seed)
{
	crono::Result<crono::ContiguousBuffer> contiguous =
		crono::ContiguousBuffer::lock(device, kContiguousSize);
	if (!contiguous) {
		checks.fail(contiguous.error().message());
		return;
	}
	const std::uint64_t address = contiguous->device_address();
	checks.expect(address != 0 && address % kDevicePageSize == 0,
		      "lock a " + crono::format_bytes(kContiguousSize) +
			      " contiguous buffer (id " +
			      std::to_string(contiguous->id()) +
			      ", device address " + hex(address) + ")",
		      "its device address is 0 or not page aligned");
	expected.locked_buffers++;
	expected.coherent_bytes += contiguous->size();
	check_stats(checks, device.context(), device.board().node, expected,
		    "with both buffers");
	if (dma) {
		const auto table = sg.page_table();
		dma_round_trip(checks, *dma, page_at(sg.data(), 1), table[1],
			       page_at(contiguous->data(), 3),
			       address + 3 * kDevicePageSize, seed + 100,
			       "DMA page 1 -> contiguous page 3");
		dma_round_trip(checks, *dma, page_at(contiguous->data(), 5),
			       address + 5 * kDevicePageSize,
			       page_at(sg.data(), 2), table[2], seed + 101,
			       "DMA contiguous page 5 -> page 2");
	}
	crono::Result<void> unlocked = contiguous->unlock();
	checks.expect(unlocked.ok(), "unmap and unlock the contiguous buffer",
		      unlocked ? "" : unlocked.error().message());
}

/* The driver writes the program when the file closes: the edu liveness
 * register reads back the inverse of what was last written. */
void cleanup_checks(Checks &checks, crono::Device &device)
{
	constexpr std::uint32_t kMarker = 0x1234abcd;
	crono::Result<crono::BarMapping> bar = device.map_bar0();
	if (!bar) {
		checks.fail("cleanup program: " + bar.error().message());
		return;
	}
	(void)bar->write32(EduDma::kLiveness, 0);
	const crono::RegisterWrite program[] = { { EduDma::kLiveness,
						   kMarker } };
	crono::Result<void> set = device.set_cleanup_program(program);
	if (!set) {
		checks.fail("set the cleanup program: " +
			    set.error().message());
		return;
	}
	crono::Result<std::uint32_t> before = bar->read32(EduDma::kLiveness);
	device.close();
	crono::Result<std::uint32_t> after = bar->read32(EduDma::kLiveness);
	if (!before || !after) {
		checks.fail("cleanup program: cannot read BAR0");
		return;
	}
	checks.expect(*before == ~0u && *after == ~kMarker,
		      "cleanup program: on close the driver wrote " +
			      hex(kMarker) + " to BAR0 offset 0x4",
		      "liveness register read " + hex(*before) +
			      " before close and " + hex(*after) +
			      " after, expected 0xffffffff and " +
			      hex(~kMarker));
}

} // namespace

int selftest_command(const SelftestOptions &options, Environment &env)
{
	if (options.size < 4 * kDevicePageSize)
		return report_error(env, "selftest: --size must be at least "
					 "16 KiB");
	crono::Result<crono::BoardInfo> board =
		crono::find_board(options.device, env.context);
	if (!board)
		return report_error(env, board.error().message());
	std::ostream &out = *env.out;
	char ids[16];
	std::snprintf(ids, sizeof ids, "%04x:%04x", board->vendor_id,
		      board->device_id);
	out << "selftest of " << board->node_path << " ("
	    << board->address.to_string() << ", " << ids
	    << (board->model.empty() ? "" : ", " + board->model) << ")\n";
	Checks checks(out);

	crono::Result<crono::BoardStats> baseline =
		crono::read_board_stats(env.context, board->node);
	crono::Result<crono::Device> device =
		crono::Device::open(*board, env.context);
	if (!device) {
		checks.fail("open: " + device.error().message());
		return checks.finish();
	}
	checks.pass("open " + board->node_path);

	crono::ScatterGatherOptions sg_options;
	sg_options.huge_pages = options.huge_pages;
	crono::Result<crono::ScatterGatherBuffer> sg =
		crono::ScatterGatherBuffer::lock(*device, options.size,
						 sg_options);
	if (!sg) {
		checks.fail(sg.error().message());
		return checks.finish();
	}
	checks.pass("lock a " + crono::format_bytes(sg->size()) +
		    " scatter/gather buffer (id " + std::to_string(sg->id()) +
		    ", " + crono::to_string(sg->backing()) + ")");

	const std::size_t entries = sg->size() / kDevicePageSize;
	const std::string problem =
		page_table_problem(sg->page_table(), entries);
	const auto table = sg->page_table();
	const std::size_t runs = contiguous_runs(table);
	checks.expect(problem.empty(),
		      "page table: " + std::to_string(entries) +
			      " entries from " + hex(table.front()) + " to " +
			      hex(table.back()) +
			      ", 4 KiB aligned, none 0, all distinct (" +
			      std::to_string(runs) + " contiguous run" +
			      (runs == 1 ? ")" : "s)"),
		      problem);

	crono::BoardStats expected;
	if (baseline) {
		expected = *baseline;
		expected.locked_buffers++;
		expected.pinned_bytes += sg->size();
		check_stats(checks, env.context, board->node, expected,
			    "after lock");
	} else {
		checks.fail("sysfs statistics: " + baseline.error().message());
	}

	const bool edu = crono::is_edu(board->vendor_id, board->device_id);
	std::optional<crono::BarMapping> bar;
	std::optional<EduDma> dma;
	if (!edu) {
		checks.skip("DMA through the page table: only on QEMU's edu "
			    "device (1234:11e8), whose DMA engine is known");
	} else if (!problem.empty()) {
		checks.skip("DMA through the page table: the table is broken");
	} else {
		crono::Result<crono::BarMapping> mapped = device->map_bar0();
		if (!mapped) {
			checks.fail("map BAR0: " + mapped.error().message());
		} else {
			bar.emplace(std::move(*mapped));
			dma.emplace(*bar);
			crono::Result<std::uint32_t> id = dma->identify();
			if (checks.expect(id.ok(),
					  "edu identification register " +
						  hex32(id.value_or(0)),
					  id ? "" : id.error().message()))
				sg_dma_checks(checks, *dma, *sg, options.seed);
			else
				dma.reset();
		}
	}

	if (baseline)
		contiguous_checks(checks, *device, *sg, dma ? &*dma : nullptr,
				  expected, options.seed);

	crono::Result<void> unlocked = sg->unlock();
	checks.expect(unlocked.ok(), "unlock the scatter/gather buffer",
		      unlocked ? "" : unlocked.error().message());
	if (baseline)
		check_stats(checks, env.context, board->node, *baseline,
			    "after unlock");
	if (dma)
		cleanup_checks(checks, *device);
	return checks.finish();
}

} // namespace cronoctl
