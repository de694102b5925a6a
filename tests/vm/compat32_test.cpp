// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// A 32-bit caller: /crono_compat32 (tests/vm/compat32.c, built -m32)
// drives the board through the driver's compat_ioctl.
#include "fixture.h"

#include <elf.h>

using namespace vt;

namespace {

class Compat32_PlainIommu : public BoardTest {};

// Built from tests/vm/compat32.c with gcc -m32 and packed by tests/vm/lib.sh.
const char kCompat32[] = "/crono_compat32";

// ASSERT_TRUE(is_i386_elf(path)): without an i386 executable the test proves
// nothing about the compat path.
AssertionResult is_i386_elf(const char *path)
{
	Elf32_Ehdr eh = {};
	std::ifstream f(path, std::ios::binary);
	if (!f)
		return AssertionFailure()
		       << "open " << path << ": " << errno_name(errno)
		       << " (not in the initramfs?)";
	if (!f.read(reinterpret_cast<char *>(&eh), sizeof eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS32 || eh.e_machine != EM_386)
		return AssertionFailure()
		       << path << " is not an ELF32 i386 executable";
	return AssertionSuccess();
}

// A 32-bit process drives every request through the driver's compat_ioctl:
// LOCK_BUFFER and a DMA round trip through its page table, UNLOCK_BUFFER,
// LOCK_CONTIG_BUFFER with mmap, UNLOCK_CONTIG_BUFFER, CLEANUP_SETUP (run on
// close), an unknown request, LOCK_BUFFER above 4 GiB. Its `ok`/`not ok` lines are
// echoed indented under `#`.
TEST_F(Compat32_PlainIommu, Compat32Bit)
{
	const Board &b = board(0);
	ASSERT_TRUE(is_i386_elf(kCompat32));
	const Pins base = read_pins();
	const ProgramRun run = run_program({ kCompat32, b.node(), b.pci });
	std::string first_bad;
	size_t oks = 0, bad = 0;
	std::istringstream lines(run.output);
	for (std::string line; std::getline(lines, line);) {
		if (line.find("not ok") == std::string::npos)
			oks += line.rfind("ok - ", 0) == 0;
		else if (!bad++)
			first_bad = line;
	}
	EXPECT_EQ(status_str(run.status), "exited with status 0") << kCompat32;
	EXPECT_EQ(bad, 0u) << "'not ok' lines from " << kCompat32
			   << ", the first: " << first_bad;
	EXPECT_GT(oks, 0u) << "'ok' lines from " << kCompat32;
	// Its file is released as it exits.
	EXPECT_TRUE(pins_back_to(base)) << "after the 32-bit program exited";
}

} // namespace
