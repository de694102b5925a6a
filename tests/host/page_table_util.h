/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Runs kernel/page_table.* the way SgBuffer::write_page_table does (check
 * pass over every segment, verify, then the write pass through a staging
 * span) into a recording sink.
 */
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "driver_limits.h"
#include "page_table.h"

namespace host {

class RecordingSink final : public crono::PageTableSink {
public:
	struct Write {
		crono::u64 first;
		size_t count;
	};

	explicit RecordingSink(crono::u64 entries, int fail_write = 0)
	    : table(entries, sentinel), fail_write_(fail_write)
	{
	}

	crono::Result<void>
	write(crono::u64 first_index,
	      crono::Span<const crono::u64> entries) override
	{
		writes.push_back(Write{ first_index, entries.size() });
		if (int(writes.size()) == fail_write_)
			return crono::Error::from_errno(-EFAULT);
		for (size_t i = 0; i < entries.size(); i++) {
			if (first_index + i < table.size())
				table[first_index + i] = entries[i];
			else
				overflowed = true;
		}
		return {};
	}

	static constexpr crono::u64 sentinel = 0xEEEEEEEEEEEEEEEEull;
	std::vector<crono::u64> table;
	std::vector<Write> writes;
	bool overflowed = false;

private:
	int fail_write_;
};

struct TableRun {
	int check = 0; /* errno of the check pass (add or verify) */
	int write = 0; /* errno of the write pass */
	RecordingSink sink;
	explicit TableRun(crono::u64 entries, int fail_write = 0)
	    : sink(entries, fail_write)
	{
	}
};

/* Both passes, as the driver runs them; the write pass only after a
 * successful check. */
inline void run_table(TableRun &run, crono::u64 entries,
		      const std::vector<crono::DmaSegment> &segments,
		      size_t staging_entries = 512)
{
	crono::PageTableCheck check(entries);
	for (const auto &seg : segments) {
		auto added = check.add(seg);
		if (added.is_error()) {
			run.check = added.error().code();
			return;
		}
	}
	auto verified = check.verify();
	if (verified.is_error()) {
		run.check = verified.to_errno();
		return;
	}
	std::vector<crono::u64> staging(staging_entries);
	crono::PageTableWriter writer(
		entries,
		crono::Span<crono::u64>(staging.data(), staging.size()),
		run.sink);
	for (const auto &seg : segments) {
		auto added = writer.add(seg);
		if (added.is_error()) {
			run.write = added.error().code();
			return;
		}
	}
	run.write = writer.finish().to_errno();
}

/* The reference model: each segment expanded into 4 KiB pages, in order,
 * the first `entries` of them. */
inline std::vector<crono::u64>
reference_table(const std::vector<crono::DmaSegment> &segments,
		crono::u64 entries)
{
	std::vector<crono::u64> table;
	for (const auto &seg : segments) {
		for (crono::u64 off = 0;
		     off < seg.len && table.size() < entries; off += 4096)
			table.push_back(seg.addr + off);
	}
	return table;
}

/* "" when equal, else where they first differ. */
inline std::string first_difference(const std::vector<crono::u64> &got,
				    const std::vector<crono::u64> &want)
{
	if (got == want)
		return "";
	char line[200];
	if (got.size() != want.size()) {
		std::snprintf(line, sizeof(line), "size %zu, expected %zu",
			      got.size(), want.size());
		return line;
	}
	for (size_t i = 0; i < got.size(); i++) {
		if (got[i] != want[i]) {
			std::snprintf(line, sizeof(line),
				      "entry %zu is %#llx, expected %#llx", i,
				      got[i], want[i]);
			return line;
		}
	}
	return "";
}

} // namespace host
