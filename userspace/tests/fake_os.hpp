// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * FakeOs: the real system calls for files (the fake sysfs tree is real
 * files), plus a fake crono_pci_drvmod behind the device nodes of that tree:
 * one open file per node, LOCK/UNLOCK of both buffer kinds with page tables
 * of made-up device addresses, CLEANUP_SETUP, mmap of contiguous buffers,
 * and the statistics attributes kept up to date. Any call can be made to
 * fail with an errno, and every driver-visible call is recorded in order.
 */
#ifndef CRONO_TESTS_FAKE_OS_HPP
#define CRONO_TESTS_FAKE_OS_HPP

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "crono/cleanup_program.hpp"
#include "crono/os.hpp"
#include "fake_sysfs.hpp"

namespace crono::test {

class FakeOs : public SystemOs {
public:
	explicit FakeOs(const FakeSysfs &tree) : tree_(tree) {}
	~FakeOs() override;

	/* What the driver and the system saw, e.g. "open crono_06_0003000",
	 * "ioctl LOCK_BUFFER id=0 pages=4", "munmap sg id=0", "close". */
	std::vector<std::string> events;
	/* Events whose text starts with one of these prefixes, in order. */
	std::vector<std::string>
	events_matching(const std::vector<std::string> &prefixes) const;

	/* ---- failures, each used once unless `times` says otherwise ----- */
	void fail_open(const std::string &path, int code);
	void fail_read(const std::string &path, int code);
	void fail_list(const std::string &path, int code);
	void fail_ioctl(unsigned long request, int code, int times = 1);
	void fail_device_mmap(int code) { device_mmap_error_ = code; }
	void fail_anonymous_mmap(int code) { anonymous_mmap_error_ = code; }
	bool hugetlb_available = false;
	bool thp_available = true;
	/* The driver returns this page table entry twice. */
	bool duplicate_page_table_entries = false;
	/* The statistics attributes stay as they are. */
	bool freeze_statistics = false;

	/* ---- what the permission and memlock messages see ---------------- */
	std::map<std::string, FileStatus> stat_overrides;
	std::map<unsigned, std::string> groups;
	MemlockLimit memlock{ 8 << 20, 8 << 20, false };

	/* ---- the fake driver's state ------------------------------------- */
	bool node_is_open(const std::string &node) const;
	std::vector<RegisterWrite>
	cleanup_program_of(const std::string &node) const;
	/* The last cleanup program replayed on a release, per node. */
	std::map<std::string, std::vector<RegisterWrite>> replayed;
	std::size_t open_mappings() const { return mappings_.size(); }

	Result<int> open(const std::string &path, int flags) override;
	void close(int fd) override;
	Result<std::size_t> read(int fd, void *buffer,
				 std::size_t size) override;
	Result<void> ioctl(int fd, unsigned long request,
			   void *argument) override;
	Result<void *> mmap(void *address, std::size_t length, int protection,
			    int flags, int fd, off_t offset) override;
	Result<void> munmap(void *address, std::size_t length) override;
	Result<void> madvise(void *address, std::size_t length,
			     int advice) override;
	Result<FileStatus> stat(const std::string &path) override;
	Result<std::vector<std::string>>
	list_directory(const std::string &path) override;
	std::string group_name(unsigned gid) override;
	MemlockLimit memlock_limit() override { return memlock; }

private:
	struct SgLock {
		std::uint64_t address;
		std::uint64_t size;
	};
	struct ContigLock {
		std::uint64_t size;
		std::uint64_t dma;
		bool mapped = false;
	};
	struct OpenNode {
		std::string node;
		int next_id = 0;
		std::map<int, SgLock> sg;
		std::map<int, ContigLock> contig;
		std::vector<RegisterWrite> cleanup;
	};
	struct Mapping {
		std::string what; /* "sg id=0", "contig id=1" */
		std::size_t length;
	};

	static constexpr int kFirstFakeFd = 1 << 20;
	Result<void>
	take_failure(std::map<unsigned long, std::pair<int, int>> &,
		     unsigned long key);
	Result<void> driver_ioctl(OpenNode &file, unsigned long request,
				  void *argument);
	void release(OpenNode &file);
	void update_statistics(const OpenNode &file);

	const FakeSysfs &tree_;
	std::map<std::string, int> open_errors_, read_errors_, list_errors_;
	std::map<unsigned long, std::pair<int, int>> ioctl_errors_;
	int device_mmap_error_ = 0;
	int anonymous_mmap_error_ = 0;
	std::map<int, OpenNode> files_;		/* by fake fd */
	std::map<int, std::string> read_paths_; /* real fd -> path */
	int next_fd_ = kFirstFakeFd;
	std::map<std::uintptr_t, Mapping> mappings_;
	std::map<std::uintptr_t, std::string> sg_memory_; /* address -> id */
	std::map<std::string, std::vector<RegisterWrite>> last_cleanup_;
};

} // namespace crono::test

#endif
