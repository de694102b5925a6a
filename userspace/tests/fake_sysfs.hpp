// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * FakeSysfs: a sysfs tree (and a /dev) in a temporary directory, laid out as
 * the kernel lays out PCI devices, crono_pci_driver and its misc devices, so
 * the library's discovery runs unchanged against it.
 */
#ifndef CRONO_TESTS_FAKE_SYSFS_HPP
#define CRONO_TESTS_FAKE_SYSFS_HPP

#include <cstdint>
#include <string>

#include "crono/context.hpp"

namespace crono::test {

struct BoardSpec {
	std::string address = "0000:03:00.0";
	std::uint16_t vendor = 0x1A13;
	std::uint16_t device = 0x06;
	bool bound = true;	/* linked into the driver's directory */
	bool registered = true; /* misc/NODE exists (the driver made it) */
	bool dev_node = true;	/* /dev/NODE exists */
	std::uint64_t bar0_size = 1 << 20;
};

class FakeSysfs {
public:
	FakeSysfs();
	~FakeSysfs();
	FakeSysfs(const FakeSysfs &) = delete;
	FakeSysfs &operator=(const FakeSysfs &) = delete;

	const std::string &root() const { return root_; }
	std::string sys() const { return root_ + "/sys"; }
	std::string dev() const { return root_ + "/dev"; }
	Context context(Os *os) const;

	/* /sys/bus/pci/drivers/crono_pci_driver and its files. */
	void load_driver();
	/* Adds the PCI function (and, per spec, binds it); returns its node. */
	std::string add_board(const BoardSpec &spec);

	/* SYS-relative paths, e.g. "bus/pci/devices/0000:03:00.0/vendor". */
	std::string path(const std::string &relative) const;
	void write(const std::string &relative, const std::string &text) const;
	std::string read(const std::string &relative) const;
	void remove(const std::string &relative) const;
	void make_directory(const std::string &relative) const;
	void symlink(const std::string &target,
		     const std::string &relative) const;

	/* The board's device directory, SYS-relative. */
	static std::string device_dir(const std::string &address);

private:
	std::string root_;
};

} // namespace crono::test

#endif
