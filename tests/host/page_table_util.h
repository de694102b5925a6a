/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Runs kernel/page_table.* the way SgBuffer::write_page_table does (check
 * pass over every segment, verify, then the write pass through a staging
 * span) into a recording sink.
 */
#pragma once

#include <gtest/gtest.h>

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
};

/* Both passes, as the driver runs them; the write pass only after a
 * successful check. */
inline TableRun run_table(crono::u64 entries,
			  const std::vector<crono::DmaSegment> &segments,
			  size_t staging_entries = 512, int fail_write = 0)
{
	TableRun run{ 0, 0, RecordingSink(entries, fail_write) };
	/* Each segment into a pass, up to the first error. */
	const auto add_all = [&](auto &pass) {
		for (const auto &seg : segments) {
			if (const int err = pass.add(seg).to_errno())
				return err;
		}
		return 0;
	};
	crono::PageTableCheck check(entries);
	run.check = add_all(check);
	if (run.check == 0)
		run.check = check.verify().to_errno();
	if (run.check)
		return run;
	std::vector<crono::u64> staging(staging_entries);
	crono::PageTableWriter writer(
		entries,
		crono::Span<crono::u64>(staging.data(), staging.size()),
		run.sink);
	run.write = add_all(writer);
	if (run.write == 0)
		run.write = writer.finish().to_errno();
	return run;
}

/* Both passes succeeded. */
inline ::testing::AssertionResult accepted(const TableRun &run)
{
	if (run.check == 0 && run.write == 0)
		return ::testing::AssertionSuccess();
	return ::testing::AssertionFailure()
	       << "check " << run.check << ", write " << run.write;
}

/* The reference model: each segment (crono::DmaSegment, or the fake's
 * fake::Seg) expanded into 4 KiB pages, in order, the first `entries` of
 * them. */
template <typename Segment>
std::vector<crono::u64> reference_table(const std::vector<Segment> &segments,
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
