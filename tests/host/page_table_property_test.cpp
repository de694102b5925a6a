// SPDX-License-Identifier: GPL-2.0
/*
 * Randomized property tests of the page-table logic against a reference model
 * (each mapped segment expanded into 4 KiB pages). Seeded and bounded: the
 * seed is fixed (override with CRONO_SEED=n) and printed with any failure,
 * so a failure reproduces exactly.
 */
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <sstream>

#include "cxxrt/errno.h"
#include "harness.h"
#include "page_table_util.h"

using crono::DmaSegment;
using namespace host;

namespace {

u64 seed_from_env(u64 fallback)
{
	const char *env = std::getenv("CRONO_SEED");
	return env ? std::strtoull(env, nullptr, 0) : fallback;
}

/* Valid: aligned segments covering `entries` device pages (plus maybe a
 * tail beyond the buffer), ragged only at the very end. */
struct Layout {
	u64 entries = 0;
	std::vector<DmaSegment> segs;
	bool valid = true; /* what the generator meant */
	std::string story;
};

class Generator {
public:
	explicit Generator(u64 seed) : rng_(seed) {}

	u64 below(u64 n) { return n ? rng_() % n : 0; }
	bool chance(unsigned percent) { return below(100) < percent; }
	u64 aligned_addr()
	{
		return (rng_() & ((1ull << 48) - 1)) & ~(page - 1);
	}

	u64 page_count()
	{
		switch (below(4)) {
		case 0:
			return 1 + below(8);
		case 1:
			return 1 + below(600);
		default:
			return 1 + below(3000);
		}
	}

	/* Segments covering `pages` pages: runs of random length, each at a
	 * random address or right after the previous one. */
	std::vector<DmaSegment> segments(u64 pages)
	{
		const u64 caps[] = { 1, 3, 8, 64, 700, 4096 };
		const u64 cap = caps[below(6)];
		std::vector<DmaSegment> segs;
		u64 left = pages;
		while (left) {
			const u64 run = 1 + below(std::min(left, cap));
			u64 addr = aligned_addr();
			if (!segs.empty() && chance(30))
				addr = segs.back().addr + segs.back().len;
			if (!segs.empty() && chance(20) &&
			    segs.back().addr + segs.back().len == addr) {
				segs.back().len += run * page; /* merged */
			} else {
				segs.push_back({ addr, run * page });
			}
			left -= run;
		}
		/* A segment limit cuts long segments. */
		if (chance(25)) {
			const u64 limit = (1 + below(16)) * page;
			std::vector<DmaSegment> cut;
			for (const auto &s : segs)
				for (u64 off = 0; off < s.len; off += limit)
					cut.push_back(
						{ s.addr + off,
						  std::min(limit,
							   s.len - off) });
			segs.swap(cut);
		}
		return segs;
	}

	Layout layout()
	{
		Layout l;
		l.entries = page_count();
		u64 mapped = l.entries;
		if (chance(10))
			mapped += 1 + below(3); /* kernel page > device page */
		l.segs = segments(mapped);
		std::ostringstream story;
		story << l.entries << " entries in " << l.segs.size()
		      << " segments";
		if (chance(10) && l.segs.back().len > 0) {
			/* A buffer size that is not a page multiple. */
			l.segs.back().len -= below(page - 1);
			story << ", ragged end";
		}
		switch (below(20)) {
		case 0: { /* too short by at least one page */
			u64 drop = 1 + below(std::min<u64>(l.entries, 5));
			while (drop && !l.segs.empty()) {
				auto &s = l.segs.back();
				const u64 pages = (s.len + page - 1) / page;
				if (pages <= drop) {
					drop -= pages;
					l.segs.pop_back();
				} else {
					s.len = (pages - drop) * page;
					drop = 0;
				}
			}
			/* Dropping the whole tail of extra pages may still
			 * cover the buffer. */
			u64 covered = 0;
			for (const auto &s : l.segs)
				covered += (s.len + page - 1) / page;
			l.valid = covered >= l.entries;
			story << ", shortened";
			break;
		}
		case 1: { /* a misaligned start */
			auto &s = l.segs[below(l.segs.size())];
			s.addr += 8 * (1 + below(page / 8 - 1));
			l.valid = false;
			story << ", misaligned segment";
			break;
		}
		case 2: /* a ragged segment in the middle */
			if (l.segs.size() > 1) {
				l.segs[below(l.segs.size() - 1)].len -=
					1 + below(page - 1);
				l.valid = false;
				story << ", ragged middle";
			}
			break;
		default:
			break;
		}
		l.story = story.str();
		return l;
	}

private:
	std::mt19937_64 rng_;
};

/* Whether the reference model itself accepts the layout. */
bool model_accepts(const Layout &l)
{
	u64 covered = 0;
	for (size_t i = 0; i < l.segs.size(); i++) {
		const auto &s = l.segs[i];
		if (s.len == 0 || s.addr % page)
			return false;
		if (i + 1 < l.segs.size() && s.len % page)
			return false;
		covered += (s.len + page - 1) / page;
	}
	return covered >= l.entries;
}

} // namespace

/* Each test stops at the first iteration that fails, naming its seed. */

TEST(PageTableProperty, RandomLayoutsMatchTheReferenceModel)
{
	const u64 seed = seed_from_env(0xC0FFEE5EED);
	const int iterations = 2000;
	Generator gen(seed);
	const size_t stagings[] = { 1, 2, 3, 64, 511, 512, 513, 1000 };
	int valid = 0, invalid = 0;

	for (int it = 0; it < iterations; it++) {
		const Layout l = gen.layout();
		const size_t staging = stagings[gen.below(8)];
		SCOPED_TRACE(::testing::Message()
			     << "seed " << seed << " (CRONO_SEED=" << seed
			     << "), iteration " << it << ": " << l.story
			     << ", staging " << staging);
		const auto run = run_table(l.entries, l.segs, staging);
		ASSERT_EQ(model_accepts(l), l.valid)
			<< "the model disagrees with the generator";
		if (!l.valid) {
			invalid++;
			ASSERT_EQ(run.check, -EIO)
				<< "an invalid layout accepted";
			ASSERT_TRUE(run.sink.writes.empty())
				<< "wrote to the sink for an invalid layout";
			continue;
		}
		valid++;
		ASSERT_TRUE(accepted(run)) << "a valid layout rejected";
		ASSERT_EQ(first_difference(run.sink.table,
					   reference_table(l.segs, l.entries)),
			  "");
		/* Flushes are full stagings in order, then the rest. */
		u64 next = 0;
		for (size_t w = 0; w < run.sink.writes.size(); w++) {
			const auto &wr = run.sink.writes[w];
			ASSERT_EQ(wr.first, next) << "flush " << w;
			ASSERT_GT(wr.count, 0u) << "flush " << w;
			ASSERT_LE(wr.count, staging) << "flush " << w;
			if (w + 1 < run.sink.writes.size()) {
				ASSERT_EQ(wr.count, staging) << "flush " << w;
			}
			next += wr.count;
		}
		ASSERT_EQ(next, l.entries) << "entries flushed";
	}
	/* The generator must exercise both outcomes. */
	EXPECT_GT(valid, iterations / 2) << "seed " << seed;
	EXPECT_GT(invalid, iterations / 50) << "seed " << seed;
}

TEST(PageTableProperty, RandomLayoutsThroughLockBuffer)
{
	/* The same property end to end: random DMA layouts from the fake's
	 * sg table, random pin batch sizes, the table read back from the
	 * fake user memory. */
	const u64 seed = seed_from_env(0x5EED0F5CA77E4);
	Generator gen(seed);
	for (int it = 0; it < 150; it++) {
		Rig rig;
		auto &dev = rig.dev();
		const u64 pages = 1 + gen.below(gen.chance(50) ? 40 : 1500);
		const auto segs = gen.segments(pages);
		std::vector<fake::Seg> fsegs;
		for (const auto &s : segs)
			fsegs.push_back({ s.addr, s.len });
		const bool shorten = gen.chance(15) && fsegs.size() > 1;
		if (shorten)
			fsegs.pop_back();
		fake::set_layout(fake::fixed_layout(fsegs));
		if (gen.chance(50))
			fake::set_pin_max_per_call(1 + gen.below(pages));
		SCOPED_TRACE(::testing::Message()
			     << "seed " << seed << " (CRONO_SEED=" << seed
			     << "), iteration " << it << ", " << pages
			     << " pages in " << segs.size() << " segments"
			     << (shorten ? ", mapped short" : ""));

		auto lock = dev.lock_sg(pages);
		const auto table = dev.read_table(lock);
		if (shorten) {
			const std::vector<u64> untouched(pages, unwritten);
			ASSERT_EQ(lock.ret, -EIO);
			ASSERT_EQ(first_difference(table, untouched), "")
				<< "a short mapping wrote the table";
		} else {
			ASSERT_EQ(lock.ret, 0);
			ASSERT_EQ(first_difference(
					  table, reference_table(segs, pages)),
				  "");
			ASSERT_EQ(dev.unlock_sg(lock.id()), 0);
		}
		ASSERT_EQ(fake::held().pins, 0u) << "pages left pinned";
	}
}
