// SPDX-License-Identifier: GPL-2.0
/*
 * A second copy of the driver's C++ core, built from the very same sources
 * with the same flags, under other names (release_rename.h): its calls into
 * the glue reach the recording fake of test_release.cpp. The runtime
 * (operator delete, __cxa_pure_virtual) is the real one.
 */
#include "release_rename.h"

#include "../kernel/board.cpp"
#include "../kernel/board_registry.cpp"
#include "../kernel/cleanup_program.cpp"
#include "../kernel/contig_buffer.cpp"
#include "../kernel/id_allocator.cpp"
#include "../kernel/ioctl.cpp"
#include "../kernel/misc_name.cpp"
#include "../kernel/open_file.cpp"
#include "../kernel/page_table.cpp"
#include "../kernel/requests.cpp"
#include "../kernel/sg_buffer.cpp"
/* Last: it has a using-directive for the whole namespace. */
#include "../kernel/entry.cpp"
