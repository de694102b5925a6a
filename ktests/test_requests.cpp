// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of every ioctl argument struct, cleanup programs against a BAR
 * length, buffer ids and misc device names: the core's pure logic, called
 * directly. The crono_ioctl suite sends the same structs through the ioctl
 * entry point.
 */
#include "kunit_cxx.h"

#include "cleanup_program.h"
#include "cxxrt/errno.h"
#include "cxxrt/new.h"
#include "driver_limits.h"
#include "id_allocator.h"
#include "misc_name.h"
#include "requests.h"

using namespace crono;

namespace {

constexpr u64 page = 4096;
constexpr u64 tib = 1ull << 40;
constexpr u64 gib = 1ull << 30;

CRONO_SG_BUFFER_INFO sg_info(u64 addr, u64 size, u64 pages_count) noexcept
{
	CRONO_SG_BUFFER_INFO info = {};
	info.addr = addr;
	info.size = size;
	info.pages = 0x1111; /* ignored */
	info.upages = 0x7000000;
	info.pages_count = crono_u32_t(pages_count);
	info.id = -1;
	return info;
}

int sg_errno(const CRONO_SG_BUFFER_INFO &info, u64 kernel_page = page)
{
	return CRONO_KERRNO(validate_sg_request(info, kernel_page));
}

int contig_errno(u64 size, u64 kernel_page = page)
{
	CRONO_CONTIG_BUFFER_INFO info = {};
	info.size = size;
	return CRONO_KERRNO(validate_contig_request(info, kernel_page));
}

u64 contig_size(struct kunit *test, u64 size, u64 kernel_page = page)
{
	CRONO_CONTIG_BUFFER_INFO info = {};
	info.size = size;
	auto result = validate_contig_request(info, kernel_page);
	if (!CRONO_KEXPECT_EQ(test, CRONO_KERRNO(result), 0))
		return 0;
	return result.value();
}

CRONO_KERNEL_CMD cmd(u32 addr, u32 data) noexcept
{
	CRONO_KERNEL_CMD command;
	command.addr = addr;
	command.data = data;
	return command;
}

int program_errno(Span<const CRONO_KERNEL_CMD> commands, u64 bar_len)
{
	return CRONO_KERRNO(CleanupProgram::validate(commands, bar_len));
}

bool same(const char *a, const char *b) noexcept
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

} // namespace

extern "C" {

void crono_kt_req_sg_valid(struct kunit *test)
{
	const auto info = sg_info(0x7f0000000000ull, 3 * page + 1, 4);
	auto result = validate_sg_request(info, page);
	if (!CRONO_KEXPECT_EQ(test, CRONO_KERRNO(result), 0))
		return;
	const SgRequest &request = result.value();
	CRONO_KEXPECT_EQ(test, request.user_addr, info.addr);
	CRONO_KEXPECT_EQ(test, request.size, info.size);
	CRONO_KEXPECT_EQ(test, request.page_table_addr, info.upages);
	CRONO_KEXPECT_EQ(test, request.entries, 4u);
	CRONO_KEXPECT_EQ(test, request.kernel_pages, 4u);

	/* Exactly one page, exactly many pages. */
	CRONO_KEXPECT_EQ(test, sg_errno(sg_info(0x1000, page, 1)), 0);
	CRONO_KEXPECT_EQ(test, sg_errno(sg_info(0x1000, 1, 1)), 0);
	CRONO_KEXPECT_EQ(test, sg_errno(sg_info(0x1000, 512 * page, 512)), 0);
}

void crono_kt_req_sg_large_kernel_page(struct kunit *test)
{
	/* 16 KiB kernel pages: entries stay per 4 KiB, pins per 16 KiB. */
	const u64 kpage = 16384;
	auto result = validate_sg_request(sg_info(0x40000, 5 * page, 5), kpage);
	if (CRONO_KEXPECT_EQ(test, CRONO_KERRNO(result), 0)) {
		CRONO_KEXPECT_EQ(test, result.value().entries, 5u);
		CRONO_KEXPECT_EQ(test, result.value().kernel_pages, 2u);
	}
	/* 4 KiB aligned is not enough there. */
	CRONO_KEXPECT_EQ(test, sg_errno(sg_info(0x41000, page, 1), kpage),
			 -EINVAL);
}

void crono_kt_req_sg_address(struct kunit *test)
{
	CRONO_KEXPECT_EQ(test, sg_errno(sg_info(0, page, 1)), -EINVAL);
	CRONO_KEXPECT_EQ(test, sg_errno(sg_info(0x1001, page, 1)), -EINVAL);
	CRONO_KEXPECT_EQ(test, sg_errno(sg_info(0x1800, page, 1)), -EINVAL);
	CRONO_KEXPECT_EQ(test, sg_errno(sg_info(0x1ffc, page, 1)), -EINVAL);
}

void crono_kt_req_sg_zero_size(struct kunit *test)
{
	CRONO_KEXPECT_EQ(test, sg_errno(sg_info(0x1000, 0, 0)), -EINVAL);
	CRONO_KEXPECT_EQ(test, sg_errno(sg_info(0x1000, 0, 1)), -EINVAL);
}

void crono_kt_req_sg_wraps(struct kunit *test)
{
	/* addr + size beyond 2^64, and exactly 2^64. */
	CRONO_KEXPECT_EQ(test,
			 sg_errno(sg_info(0xfffffffffffff000ull, 2 * page, 2)),
			 -EINVAL);
	CRONO_KEXPECT_EQ(test,
			 sg_errno(sg_info(0xfffffffffffff000ull, page, 1)),
			 -EINVAL);
	CRONO_KEXPECT_EQ(test,
			 sg_errno(sg_info(0x8000000000000000ull,
					  0x8000000000000000ull, 1ull << 51)),
			 -EINVAL);
}

void crono_kt_req_sg_count_mismatch(struct kunit *test)
{
	/* pages_count must be ceil(size / 4096), exactly. */
	CRONO_KEXPECT_EQ(test, sg_errno(sg_info(0x1000, 3 * page + 1, 3)),
			 -EINVAL);
	CRONO_KEXPECT_EQ(test, sg_errno(sg_info(0x1000, 3 * page + 1, 5)),
			 -EINVAL);
	CRONO_KEXPECT_EQ(test, sg_errno(sg_info(0x1000, page, 0)), -EINVAL);
	CRONO_KEXPECT_EQ(test, sg_errno(sg_info(0x1000, page, 2)), -EINVAL);
	/* A count that only matches modulo 2^32 (the field is 32 bits). */
	CRONO_KEXPECT_EQ(test,
			 sg_errno(sg_info(0x1000, (1ull << 44) + page, 1)),
			 -EINVAL);
}

void crono_kt_req_sg_limit(struct kunit *test)
{
	/* The driver's limit is allowed, one page more is not. */
	constexpr u64 limit = limits::max_sg_buffer_bytes;
	CRONO_KEXPECT_EQ(test, sg_errno(sg_info(0x1000, limit, limit / page)),
			 0);
	CRONO_KEXPECT_EQ(
		test, sg_errno(sg_info(0x1000, limit + page, limit / page + 1)),
		-ENOMEM);
	CRONO_KEXPECT_EQ(test,
			 sg_errno(sg_info(0x1000, limit + 1, limit / page + 1)),
			 -ENOMEM);
	/* Far beyond it, still with a count that fits the 32-bit field. */
	CRONO_KEXPECT_EQ(test,
			 sg_errno(sg_info(0x1000, 4 * tib, 4 * tib / page)),
			 -ENOMEM);
	/* Whatever the limit, its page table must fit the ABI's count. */
	CRONO_KEXPECT_LE(test, limit / page, 0xffffffffull);
}

void crono_kt_req_contig(struct kunit *test)
{
	CRONO_KEXPECT_EQ(test, contig_errno(0), -EINVAL);
	CRONO_KEXPECT_EQ(test, contig_size(test, 1), page);
	CRONO_KEXPECT_EQ(test, contig_size(test, page), page);
	CRONO_KEXPECT_EQ(test, contig_size(test, page + 1), 2 * page);
	CRONO_KEXPECT_EQ(test, contig_size(test, gib), gib);
	CRONO_KEXPECT_EQ(test, contig_errno(gib + 1), -ENOMEM);
	CRONO_KEXPECT_EQ(test, contig_errno(~0ull), -ENOMEM);
	CRONO_KEXPECT_EQ(test, contig_size(test, page + 1, 65536), 65536u);
}

void crono_kt_cleanup_valid_programs(struct kunit *test)
{
	/* Empty, one write, the last word of the BAR, 16 writes. */
	CRONO_KEXPECT_EQ(test, program_errno(Span<const CRONO_KERNEL_CMD>(), 0),
			 0);
	const CRONO_KERNEL_CMD one[] = { cmd(0x04, 1) };
	CRONO_KEXPECT_EQ(
		test, program_errno(Span<const CRONO_KERNEL_CMD>(one), 8), 0);
	const CRONO_KERNEL_CMD last[] = { cmd(0xffffc, 1) };
	CRONO_KEXPECT_EQ(
		test,
		program_errno(Span<const CRONO_KERNEL_CMD>(last), 0x100000), 0);
	CRONO_KERNEL_CMD full[CRONO_KERNEL_CMDS_MAX];
	for (u32 i = 0; i < CRONO_KERNEL_CMDS_MAX; i++)
		full[i] = cmd(i * 4, i);
	auto program = CleanupProgram::validate(
		Span<const CRONO_KERNEL_CMD>(full), 64);
	if (CRONO_KEXPECT_EQ(test, CRONO_KERRNO(program), 0))
		CRONO_KEXPECT_EQ(test, program.value().size(),
				 CRONO_KERNEL_CMDS_MAX);
}

void crono_kt_cleanup_outside_bar(struct kunit *test)
{
	const CRONO_KERNEL_CMD at_end[] = { cmd(0x100000, 1) };
	CRONO_KEXPECT_EQ(
		test,
		program_errno(Span<const CRONO_KERNEL_CMD>(at_end), 0x100000),
		-EINVAL);
	/* The 32-bit offset plus 4 must not wrap around. */
	const CRONO_KERNEL_CMD top[] = { cmd(0xfffffffc, 1) };
	CRONO_KEXPECT_EQ(
		test,
		program_errno(Span<const CRONO_KERNEL_CMD>(top), 0x100000),
		-EINVAL);
	/* No MMIO BAR: no write at all. */
	const CRONO_KERNEL_CMD zero[] = { cmd(0, 1) };
	CRONO_KEXPECT_EQ(test,
			 program_errno(Span<const CRONO_KERNEL_CMD>(zero), 0),
			 -EINVAL);
	/* One bad write spoils the whole program. */
	const CRONO_KERNEL_CMD mixed[] = { cmd(0, 1), cmd(4, 2), cmd(8, 3) };
	CRONO_KEXPECT_EQ(test,
			 program_errno(Span<const CRONO_KERNEL_CMD>(mixed), 8),
			 -EINVAL);
}

void crono_kt_cleanup_unaligned(struct kunit *test)
{
	const u32 offsets[] = { 1, 2, 3, 6, 0xffffd };
	for (u32 offset : offsets) {
		const CRONO_KERNEL_CMD bad[] = { cmd(offset, 1) };
		CRONO_KEXPECT_EQ(
			test,
			program_errno(Span<const CRONO_KERNEL_CMD>(bad),
				      0x100000),
			-EINVAL);
	}
}

void crono_kt_cleanup_too_long(struct kunit *test)
{
	CRONO_KERNEL_CMD many[CRONO_KERNEL_CMDS_MAX + 1];
	for (u32 i = 0; i <= CRONO_KERNEL_CMDS_MAX; i++)
		many[i] = cmd(0, i);
	CRONO_KEXPECT_EQ(
		test,
		program_errno(Span<const CRONO_KERNEL_CMD>(many), 0x100000),
		-EINVAL);
}

void crono_kt_cleanup_replay(struct kunit *test)
{
	const CRONO_KERNEL_CMD writes[] = { cmd(0x80, 0), cmd(0x04, 7),
					    cmd(0x80, 0xffffffff) };
	auto validated = CleanupProgram::validate(
		Span<const CRONO_KERNEL_CMD>(writes), 0x100);
	if (!CRONO_KEXPECT_EQ(test, CRONO_KERRNO(validated), 0))
		return;
	CleanupProgram program = validated.release_value();
	struct Seen {
		u32 offset, value;
	} seen[4] = {};
	u32 n = 0;
	program.replay_and_clear([&](u32 offset, u32 value) {
		if (n < 4)
			seen[n] = Seen{ offset, value };
		n++;
	});
	CRONO_KEXPECT_EQ(test, n, 3u);
	for (u32 i = 0; i < 3; i++) {
		CRONO_KEXPECT_EQ(test, seen[i].offset, writes[i].addr);
		CRONO_KEXPECT_EQ(test, seen[i].value, writes[i].data);
	}
	/* Replayed once: a second release writes nothing. */
	CRONO_KEXPECT(test, program.empty());
	program.replay_and_clear([&](u32, u32) { n++; });
	CRONO_KEXPECT_EQ(test, n, 3u);
}

void crono_kt_ids_lowest_free(struct kunit *test)
{
	auto *ids = new (Gfp::kernel) IdAllocator();
	if (!ids) {
		CRONO_KEXPECT(test, !"allocation");
		return;
	}
	for (s32 expected = 0; expected < 130; expected++) {
		auto id = ids->allocate();
		if (!CRONO_KEXPECT_EQ(test, CRONO_KERRNO(id), 0) ||
		    !CRONO_KEXPECT_EQ(test, id.value(), expected))
			break;
	}
	CRONO_KEXPECT_EQ(test, ids->count(), 130u);
	CRONO_KEXPECT(test, ids->in_use(129));
	CRONO_KEXPECT(test, !ids->in_use(130));
	delete ids;
}

void crono_kt_ids_reuse(struct kunit *test)
{
	auto *ids = new (Gfp::kernel) IdAllocator();
	if (!ids) {
		CRONO_KEXPECT(test, !"allocation");
		return;
	}
	for (int i = 0; i < 100; i++)
		(void)ids->allocate();
	/* Freed ids come back lowest first, across word boundaries. */
	ids->release(70);
	ids->release(5);
	ids->release(64);
	CRONO_KEXPECT_EQ(test, ids->count(), 97u);
	CRONO_KEXPECT(test, !ids->in_use(5));
	CRONO_KEXPECT_EQ(test, ids->allocate().value(), 5);
	CRONO_KEXPECT_EQ(test, ids->allocate().value(), 64);
	CRONO_KEXPECT_EQ(test, ids->allocate().value(), 70);
	CRONO_KEXPECT_EQ(test, ids->allocate().value(), 100);
	CRONO_KEXPECT_EQ(test, ids->count(), 101u);
	delete ids;
}

void crono_kt_ids_exhaustion(struct kunit *test)
{
	auto *ids = new (Gfp::kernel) IdAllocator();
	if (!ids) {
		CRONO_KEXPECT(test, !"allocation");
		return;
	}
	const u32 capacity = limits::max_buffers_per_file;
	CRONO_KEXPECT_EQ(test, IdAllocator::capacity, capacity);
	for (u32 i = 0; i < capacity; i++) {
		auto id = ids->allocate();
		if (!CRONO_KEXPECT_EQ(test, CRONO_KERRNO(id), 0) ||
		    !CRONO_KEXPECT_EQ(test, id.value(), s32(i)))
			break;
	}
	CRONO_KEXPECT_EQ(test, CRONO_KERRNO(ids->allocate()), -ENOMEM);
	CRONO_KEXPECT_EQ(test, ids->count(), capacity);
	ids->release(s32(capacity - 1));
	ids->release(4000);
	CRONO_KEXPECT_EQ(test, ids->allocate().value(), 4000);
	CRONO_KEXPECT_EQ(test, ids->allocate().value(), s32(capacity - 1));
	CRONO_KEXPECT_EQ(test, CRONO_KERRNO(ids->allocate()), -ENOMEM);
	delete ids;
}

void crono_kt_ids_release_unknown(struct kunit *test)
{
	auto *ids = new (Gfp::kernel) IdAllocator();
	if (!ids) {
		CRONO_KEXPECT(test, !"allocation");
		return;
	}
	(void)ids->allocate();
	(void)ids->allocate();
	/* Ids never handed out, negative or out of range change nothing. */
	ids->release(7);
	ids->release(-1);
	ids->release(s32(limits::max_buffers_per_file));
	ids->release(0x7fffffff);
	CRONO_KEXPECT_EQ(test, ids->count(), 2u);
	CRONO_KEXPECT(test, !ids->in_use(-1));
	CRONO_KEXPECT(test, !ids->in_use(s32(limits::max_buffers_per_file)));
	/* A double release counts once. */
	ids->release(1);
	ids->release(1);
	CRONO_KEXPECT_EQ(test, ids->count(), 1u);
	CRONO_KEXPECT_EQ(test, ids->allocate().value(), 1);
	delete ids;
}

void crono_kt_misc_name_format(struct kunit *test)
{
	char name[CRONO_DEV_NAME_MAX_SIZE];
	auto result = format_misc_name(PciAddress{ 0x0c, 0, 0x3b, 0, 1 },
				       Span<char>(name));
	CRONO_KEXPECT_EQ(test, CRONO_KERRNO(result), 0);
	CRONO_KEXPECT(test, same(name, "crono_0C_003B001"));
	/* Widths are minimums: large values print in full. */
	result = format_misc_name(PciAddress{ 0x11e8, 0x10000, 0xff, 0x1f, 7 },
				  Span<char>(name));
	CRONO_KEXPECT_EQ(test, CRONO_KERRNO(result), 0);
	CRONO_KEXPECT(test, same(name, "crono_11E8_10000FF1F7"));
}

void crono_kt_misc_name_too_long(struct kunit *test)
{
	char small[10] = "unchanged";
	auto result = format_misc_name(PciAddress{ 1, 0, 0, 0, 0 },
				       Span<char>(small));
	CRONO_KEXPECT_EQ(test, CRONO_KERRNO(result), -ENAMETOOLONG);
	CRONO_KEXPECT_EQ(test, small[0], '\0');
	/* Exactly fits: "crono_01_0000000" is 16 characters and the NUL. */
	char exact[17];
	result = format_misc_name(PciAddress{ 1, 0, 0, 0, 0 },
				  Span<char>(exact));
	CRONO_KEXPECT_EQ(test, CRONO_KERRNO(result), 0);
	CRONO_KEXPECT(test, same(exact, "crono_01_0000000"));
	char one_short[16];
	result = format_misc_name(PciAddress{ 1, 0, 0, 0, 0 },
				  Span<char>(one_short));
	CRONO_KEXPECT_EQ(test, CRONO_KERRNO(result), -ENAMETOOLONG);
}

} // extern "C"
