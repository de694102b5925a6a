# SPDX-License-Identifier: GPL-2.0
#
# The one list of the driver's sources, relative to kernel/. Included by the
# module's Kbuild and ktests/Kbuild; tests/crono_core.cmake parses it for the
# host tests and the fuzzer, so keep to plain `name := file...` assignments
# with backslash continuations.

# The C glue, the only code that includes kernel headers. glue/module.c holds
# module_init and the pci_driver: the module links it, the KUnit kernel not.
crono_glue_module_sources := glue/module.c
crono_glue_sources := \
	glue/memory.c \
	glue/log.c \
	glue/mutex.c \
	glue/user_memory.c \
	glue/pci.c \
	glue/dma.c \
	glue/mapping.c \
	glue/task.c \
	glue/atomic.c

# The C++ core and the part of its runtime that user space can build too.
crono_core_sources := \
	entry.cpp \
	board.cpp \
	board_registry.cpp \
	open_file.cpp \
	ioctl.cpp \
	sg_buffer.cpp \
	pinned_sg_table.cpp \
	contig_buffer.cpp \
	page_table.cpp \
	cleanup_program.cpp \
	requests.cpp \
	id_allocator.cpp \
	misc_name.cpp \
	cxxrt/allocation.cpp \
	cxxrt/result.cpp

# What only a freestanding (kernel) build of the C++ core needs.
crono_freestanding_sources := cxxrt/abi.cpp

# $(call crono_objects,PREFIX,SOURCES): kbuild's object names for SOURCES,
# each with PREFIX (their directory relative to the including Kbuild).
crono_objects = $(patsubst %.cpp,%.o,$(patsubst %.c,%.o,$(addprefix $(1),$(2))))
