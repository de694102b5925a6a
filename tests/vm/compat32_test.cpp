// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// A 32-bit caller: /crono_compat32 (tests/vm/compat32.c, built -m32)
// drives the board through the driver's compat_ioctl.
#include "fixture.h"

#include <elf.h>

#include <sstream>

using namespace vt;

namespace {

class Compat32_PlainIommu : public BoardTest {};

// Built from tests/vm/compat32.c with gcc -m32 and packed by tests/vm/lib.sh.
const char kCompat32[] = "/crono_compat32";

// The program must be an i386 executable, or the test proves nothing about
// the compat path.
bool is_i386_elf(const char *path, std::string *err)
{
	Elf32_Ehdr eh;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = strf("open %s: %s (not in the initramfs?)", path,
			    errno_name(errno).c_str());
		return false;
	}
	ssize_t n = read(fd, &eh, sizeof eh);
	close(fd);
	if (n != static_cast<ssize_t>(sizeof eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS32 || eh.e_machine != EM_386) {
		*err = strf("%s is not an ELF32 i386 executable", path);
		return false;
	}
	return true;
}

// A 32-bit process drives every request through the driver's compat_ioctl:
// LOCK_BUFFER and a DMA round trip through its page table, UNLOCK_BUFFER,
// LOCK_CONTIG_BUFFER with mmap, UNLOCK_CONTIG_BUFFER, CLEANUP_SETUP (run on
// close), an unknown request, LOCK_BUFFER above 4 GiB. Its `ok`/`not ok` lines are
// echoed indented under `#`.
TEST_F(Compat32_PlainIommu, Compat32Bit)
{
	const Board &b = board(0);
	std::string err;
	ASSERT_TRUE(is_i386_elf(kCompat32, &err)) << err;
	Pins base = read_pins();
	const ProgramRun run = run_program({ kCompat32, b.node(), b.pci });
	std::string first_bad;
	size_t oks = 0, bad = 0;
	std::istringstream lines(run.output);
	for (std::string line; std::getline(lines, line);) {
		if (line.find("not ok") != std::string::npos) {
			if (!bad++)
				first_bad = line;
		} else if (line.rfind("ok - ", 0) == 0) {
			oks++;
		}
	}
	EXPECT_TRUE(exited_ok(run)) << strf(
		"%s %s", kCompat32, wait_status_str(run.status).c_str());
	EXPECT_TRUE(bad == 0) << strf("%zu 'not ok' lines from %s, first: %s",
				      bad, kCompat32, first_bad.c_str());
	EXPECT_TRUE(oks > 0) << strf("no 'ok' lines from %s", kCompat32);
	// Its file is released as it exits.
	EXPECT_TRUE(pins_back_to(base)) << "after the 32-bit program exited";
}

} // namespace
