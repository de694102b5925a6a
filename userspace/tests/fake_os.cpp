// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "fake_os.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "crono_pci_drvmod.h"

namespace crono::test {

namespace {

constexpr std::uint64_t kPage = 4096;

const char *request_name(unsigned long request)
{
	switch (request) {
	case IOCTL_CRONO_LOCK_BUFFER:
		return "LOCK_BUFFER";
	case IOCTL_CRONO_UNLOCK_BUFFER:
		return "UNLOCK_BUFFER";
	case IOCTL_CRONO_CLEANUP_SETUP:
		return "CLEANUP_SETUP";
	case IOCTL_CRONO_LOCK_CONTIG_BUFFER:
		return "LOCK_CONTIG_BUFFER";
	case IOCTL_CRONO_UNLOCK_CONTIG_BUFFER:
		return "UNLOCK_CONTIG_BUFFER";
	default:
		return "UNKNOWN";
	}
}

Error fake_error(const std::string &what, int code)
{
	return Error(code, what + ": " + std::strerror(code));
}

template <class T> T *user_pointer(std::uint64_t address)
{
	return reinterpret_cast<T *>(static_cast<std::uintptr_t>(address));
}

} // namespace

FakeOs::~FakeOs()
{
	for (auto &[address, mapping] : mappings_)
		SystemOs::munmap(reinterpret_cast<void *>(address),
				 mapping.length)
			.ok();
}

std::vector<std::string>
FakeOs::events_matching(const std::vector<std::string> &prefixes) const
{
	std::vector<std::string> matching;
	for (const std::string &e : events)
		for (const std::string &p : prefixes)
			if (e.rfind(p, 0) == 0) {
				matching.push_back(e);
				break;
			}
	return matching;
}

void FakeOs::fail_open(const std::string &path, int code)
{
	open_errors_[path] = code;
}

void FakeOs::fail_read(const std::string &path, int code)
{
	read_errors_[path] = code;
}

void FakeOs::fail_list(const std::string &path, int code)
{
	list_errors_[path] = code;
}

void FakeOs::fail_ioctl(unsigned long request, int code, int times)
{
	ioctl_errors_[request] = { code, times };
}

bool FakeOs::node_is_open(const std::string &node) const
{
	for (const auto &[fd, file] : files_)
		if (file.node == node)
			return true;
	return false;
}

std::vector<RegisterWrite>
FakeOs::cleanup_program_of(const std::string &node) const
{
	for (const auto &[fd, file] : files_)
		if (file.node == node)
			return file.cleanup;
	return {};
}

Result<int> FakeOs::open(const std::string &path, int flags)
{
	auto failure = open_errors_.find(path);
	if (failure != open_errors_.end()) {
		const int code = failure->second;
		open_errors_.erase(failure);
		return fake_error("open " + path, code);
	}
	const std::string nodes = tree_.dev() + "/crono_";
	if (path.rfind(nodes, 0) == 0 && SystemOs::stat(path)) {
		const std::string node = path.substr(tree_.dev().size() + 1);
		/* The driver allows one open file per board. */
		if (node_is_open(node)) {
			events.push_back("open " + node + " EBUSY");
			return fake_error("open " + path, EBUSY);
		}
		const int fd = next_fd_++;
		files_[fd].node = node;
		events.push_back("open " + node);
		return fd;
	}
	Result<int> fd = SystemOs::open(path, flags);
	if (fd)
		read_paths_[*fd] = path;
	return fd;
}

void FakeOs::close(int fd)
{
	auto file = files_.find(fd);
	if (file != files_.end()) {
		events.push_back("close " + file->second.node);
		release(file->second);
		files_.erase(file);
		return;
	}
	read_paths_.erase(fd);
	SystemOs::close(fd);
}

Result<std::size_t> FakeOs::read(int fd, void *buffer, std::size_t size)
{
	auto path = read_paths_.find(fd);
	if (path != read_paths_.end()) {
		auto failure = read_errors_.find(path->second);
		if (failure != read_errors_.end()) {
			const int code = failure->second;
			read_errors_.erase(failure);
			return fake_error("read " + path->second, code);
		}
	}
	return SystemOs::read(fd, buffer, size);
}

Result<void> FakeOs::ioctl(int fd, unsigned long request, void *argument)
{
	auto file = files_.find(fd);
	if (file == files_.end())
		return fake_error("ioctl on a file of no board", ENOTTY);
	auto failure = ioctl_errors_.find(request);
	if (failure != ioctl_errors_.end()) {
		const int code = failure->second.first;
		if (--failure->second.second <= 0)
			ioctl_errors_.erase(failure);
		events.push_back(std::string("ioctl ") + request_name(request) +
				 " " + std::strerror(code));
		return fake_error("ioctl", code);
	}
	return driver_ioctl(file->second, request, argument);
}

Result<void> FakeOs::driver_ioctl(OpenNode &file, unsigned long request,
				  void *argument)
{
	const std::string name = std::string("ioctl ") + request_name(request);
	switch (request) {
	case IOCTL_CRONO_LOCK_BUFFER: {
		auto *info = static_cast<CRONO_SG_BUFFER_INFO *>(argument);
		const std::uint64_t pages = (info->size + kPage - 1) / kPage;
		if (!info->addr || info->addr % kPage || !info->size ||
		    info->pages_count != pages) {
			events.push_back(name + " EINVAL");
			return fake_error("ioctl", EINVAL);
		}
		const int id = file.next_id++;
		auto *table = user_pointer<std::uint64_t>(info->upages);
		/* Made-up device addresses: distinct, page aligned, not in
		 * order (pairs swapped), in a range per buffer id. */
		const std::uint64_t base =
			0x200000000ull + (std::uint64_t(id) << 32);
		for (std::uint64_t i = 0; i < pages; i++)
			table[i] = base + (i ^ 1) * kPage;
		if (duplicate_page_table_entries && pages > 1)
			table[pages - 1] = table[0];
		info->id = id;
		file.sg[id] = { info->addr, info->size };
		sg_memory_[static_cast<std::uintptr_t>(info->addr)] =
			"sg id=" + std::to_string(id);
		events.push_back(name + " id=" + std::to_string(id) +
				 " pages=" + std::to_string(pages));
		update_statistics(file);
		return {};
	}
	case IOCTL_CRONO_UNLOCK_BUFFER:
	case IOCTL_CRONO_UNLOCK_CONTIG_BUFFER: {
		const int id = *static_cast<int *>(argument);
		const bool sg = request == IOCTL_CRONO_UNLOCK_BUFFER;
		const bool erased =
			sg ? file.sg.erase(id) : file.contig.erase(id);
		if (!erased) {
			events.push_back(name + " id=" + std::to_string(id) +
					 " EINVAL");
			return fake_error("ioctl", EINVAL);
		}
		events.push_back(name + " id=" + std::to_string(id));
		update_statistics(file);
		return {};
	}
	case IOCTL_CRONO_CLEANUP_SETUP: {
		auto *info = static_cast<CRONO_KERNEL_CMDS_INFO *>(argument);
		if (info->count > CRONO_KERNEL_CMDS_MAX) {
			events.push_back(name + " EINVAL");
			return fake_error("ioctl", EINVAL);
		}
		const auto *commands = user_pointer<RegisterWrite>(info->ucmds);
		file.cleanup.assign(commands, commands + info->count);
		events.push_back(name +
				 " count=" + std::to_string(info->count));
		return {};
	}
	case IOCTL_CRONO_LOCK_CONTIG_BUFFER: {
		auto *info = static_cast<CRONO_CONTIG_BUFFER_INFO *>(argument);
		if (!info->size) {
			events.push_back(name + " EINVAL");
			return fake_error("ioctl", EINVAL);
		}
		const int id = file.next_id++;
		info->id = id;
		info->addr = 0;
		info->dma_handle = 0x80000000ull + std::uint64_t(id) * 0x100000;
		file.contig[id] = { info->size, info->dma_handle };
		events.push_back(name + " id=" + std::to_string(id));
		update_statistics(file);
		return {};
	}
	default:
		events.push_back(name + " ENOTTY");
		return fake_error("ioctl", ENOTTY);
	}
}

void FakeOs::release(OpenNode &file)
{
	/* As the driver: cleanup writes first, then the buffers. */
	if (!file.cleanup.empty())
		events.push_back("release runs cleanup count=" +
				 std::to_string(file.cleanup.size()));
	replayed[file.node] = file.cleanup;
	for (const auto &[id, lock] : file.sg)
		events.push_back("release frees sg id=" + std::to_string(id));
	for (const auto &[id, lock] : file.contig)
		events.push_back("release frees contig id=" +
				 std::to_string(id));
	file.sg.clear();
	file.contig.clear();
	update_statistics(file);
}

void FakeOs::update_statistics(const OpenNode &file)
{
	if (freeze_statistics)
		return;
	std::uint64_t pinned = 0, coherent = 0;
	for (const auto &[id, lock] : file.sg)
		pinned += lock.size;
	for (const auto &[id, lock] : file.contig)
		coherent += (lock.size + kPage - 1) / kPage * kPage;
	const std::string dir = "class/misc/" + file.node + "/";
	if (!SystemOs::stat(tree_.path(dir + "locked_buffers")))
		return;
	tree_.write(dir + "locked_buffers",
		    std::to_string(file.sg.size() + file.contig.size()) + "\n");
	tree_.write(dir + "pinned_bytes", std::to_string(pinned) + "\n");
	tree_.write(dir + "coherent_bytes", std::to_string(coherent) + "\n");
}

Result<void *> FakeOs::mmap(void *address, std::size_t length, int protection,
			    int flags, int fd, off_t offset)
{
	auto file = files_.find(fd);
	if (file != files_.end()) {
		if (device_mmap_error_) {
			const int code = device_mmap_error_;
			device_mmap_error_ = 0;
			events.push_back("mmap device failed");
			return fake_error("mmap", code);
		}
		const int id =
			static_cast<int>(offset / ::sysconf(_SC_PAGESIZE));
		auto contig = file->second.contig.find(id);
		if (contig == file->second.contig.end() ||
		    length > contig->second.size || !(flags & MAP_SHARED)) {
			events.push_back("mmap device EINVAL");
			return fake_error("mmap", EINVAL);
		}
		Result<void *> memory =
			SystemOs::mmap(nullptr, length, protection,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (memory) {
			const std::string what =
				"contig id=" + std::to_string(id);
			mappings_[reinterpret_cast<std::uintptr_t>(*memory)] = {
				what, length
			};
			events.push_back("mmap " + what);
		}
		return memory;
	}
	if (fd < 0) {
		if (anonymous_mmap_error_) {
			const int code = anonymous_mmap_error_;
			anonymous_mmap_error_ = 0;
			events.push_back("mmap anonymous failed");
			return fake_error("mmap", code);
		}
		if (flags & MAP_HUGETLB) {
			if (!hugetlb_available) {
				events.push_back("mmap hugetlb ENOMEM");
				return fake_error("mmap", ENOMEM);
			}
			events.push_back("mmap hugetlb");
			/* Ordinary memory stands in for the huge pages. */
			flags &= ~(MAP_HUGETLB | (0x3f << MAP_HUGE_SHIFT));
		} else {
			events.push_back("mmap anonymous");
		}
		return SystemOs::mmap(address, length, protection, flags, fd,
				      offset);
	}
	Result<void *> memory =
		SystemOs::mmap(address, length, protection, flags, fd, offset);
	if (memory) {
		mappings_[reinterpret_cast<std::uintptr_t>(*memory)] = {
			"file", length
		};
		events.push_back("mmap file");
	}
	return memory;
}

Result<void> FakeOs::munmap(void *address, std::size_t length)
{
	const auto key = reinterpret_cast<std::uintptr_t>(address);
	auto mapping = mappings_.find(key);
	if (mapping != mappings_.end()) {
		events.push_back("munmap " + mapping->second.what);
		mappings_.erase(mapping);
	} else if (auto sg = sg_memory_.find(key); sg != sg_memory_.end()) {
		events.push_back("munmap " + sg->second);
		sg_memory_.erase(sg);
	} else {
		events.push_back("munmap other");
	}
	return SystemOs::munmap(address, length);
}

Result<void> FakeOs::madvise(void *address, std::size_t length, int advice)
{
	if (advice == MADV_HUGEPAGE) {
		events.push_back("madvise hugepage");
		if (!thp_available)
			return fake_error("madvise", EINVAL);
		return {};
	}
	return SystemOs::madvise(address, length, advice);
}

Result<FileStatus> FakeOs::stat(const std::string &path)
{
	auto status = stat_overrides.find(path);
	if (status != stat_overrides.end())
		return status->second;
	return SystemOs::stat(path);
}

Result<std::vector<std::string>> FakeOs::list_directory(const std::string &path)
{
	auto failure = list_errors_.find(path);
	if (failure != list_errors_.end()) {
		const int code = failure->second;
		list_errors_.erase(failure);
		return fake_error("opendir " + path, code);
	}
	return SystemOs::list_directory(path);
}

std::string FakeOs::group_name(unsigned gid)
{
	auto name = groups.find(gid);
	return name == groups.end() ? "" : name->second;
}

} // namespace crono::test
