# SPDX-License-Identifier: GPL-2.0
#
# make                      build for the running kernel
# make KDIR=/usr/src/linux-headers-X
#                           build against other kernel headers
# make ... BUILD=dir        build in dir (a copy of the sources), so builds
#                           for several kernels do not share objects
# sudo make install [BOOT=1] [KERNEL=release]
#                           install through DKMS, udev rule, load (see
#                           scripts/install; BOOT=1 also loads at boot)
# sudo make uninstall       unload and remove every installed file
# make deb                  build/crono-pci-dkms_VERSION_all.deb
# sudo make load            build in the tree and insmod (development)
# make demo                 the driver at work on emulated boards (QEMU)
# make check                every test (see README)
# make fuzz                 fuzz the core for 10 minutes (CRONO_FUZZ_SECONDS)
#                           and merge new inputs into tests/fuzz/corpus
# make bench                lock and unlock times beside the kernel's floor,
#                           in QEMU (docs/benchmark.md; CRONO_BENCH_* variables)

KDIR ?= /lib/modules/$(shell uname -r)/build
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# The compiler the kernel was built with (CONFIG_CC_VERSION_TEXT starts with
# its name, e.g. "gcc-12"), so kbuild does not warn about a mismatch and the
# C++ side uses the matching g++.
KERNEL_CC := $(shell sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\).*/\1/p' $(KDIR)/.config 2>/dev/null)
ifneq ($(KERNEL_CC),)
ifneq ($(shell command -v $(KERNEL_CC)),)
KBUILD_CC := CC=$(KERNEL_CC)
endif
endif

ifeq ($(BUILD),)
MODULE_DIR := $(ROOT)
else
MODULE_DIR := $(abspath $(BUILD))
endif

SOURCES := Kbuild kbuild kernel uapi
# Kept in BUILD when the sources are copied over it (excluded from --delete).
BUILD_PRODUCTS := --exclude='*.o' --exclude='.*.cmd' --exclude='.*.d' \
	--exclude='*.mod' --exclude='*.mod.c' --exclude='*.ko' --exclude='*.order'

.PHONY: all module clean check fuzz bench sync load demo install uninstall deb

all: module

module: sync
	$(MAKE) -C $(KDIR) M=$(MODULE_DIR) $(KBUILD_CC) modules

sync:
ifneq ($(BUILD),)
	@mkdir -p $(MODULE_DIR)
	@rsync -a --delete $(BUILD_PRODUCTS) $(addprefix $(ROOT)/,$(SOURCES)) $(MODULE_DIR)/
endif

clean:
	$(MAKE) -C $(KDIR) M=$(MODULE_DIR) clean

check:
	$(ROOT)/tests/check

CRONO_FUZZ_SECONDS ?= 600
fuzz:
	CRONO_FUZZ_SECONDS=$(CRONO_FUZZ_SECONDS) CRONO_FUZZ_MERGE=1 $(ROOT)/tests/fuzz/run

bench:
	$(ROOT)/tests/bench/run

load:
	$(ROOT)/scripts/load

install:
	$(ROOT)/scripts/install $(if $(BOOT),--boot) $(if $(KERNEL),--kernel $(KERNEL))

uninstall:
	$(ROOT)/scripts/install --uninstall

deb:
	$(ROOT)/scripts/build-deb

demo:
	$(ROOT)/tests/vm/run --kernels 6.1 --setups plain
