// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// What crono_bench reads and writes of the guest system: /proc, sysfs,
// modules and device binding.
#include "bench.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace bench {

std::string read_text(const std::string &path)
{
	std::ifstream f(path);
	std::stringstream s;
	s << f.rdbuf();
	std::string t = s.str();
	while (!t.empty() && (t.back() == '\n' || t.back() == ' '))
		t.pop_back();
	return t;
}

int write_text(const std::string &path, const std::string &text)
{
	const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	const ssize_t n = write(fd, text.data(), text.size());
	const int err = n < 0 ? errno : 0;
	close(fd);
	return err ? err : (size_t(n) == text.size() ? 0 : EIO);
}

std::string errno_text(int err)
{
	return std::string(strerror(err)) + " (errno " + std::to_string(err) +
	       ")";
}

uint64_t meminfo_kib(const std::string &key)
{
	std::ifstream f("/proc/meminfo");
	std::string name;
	uint64_t value;
	std::string unit;
	while (f >> name >> value) {
		std::getline(f, unit);
		if (name == key + ":")
			return value;
	}
	return 0;
}

uint64_t free_pages()
{
	// Folds the per-CPU counter deltas into the zones' counters.
	write_text("/proc/sys/vm/stat_refresh", "1");
	std::ifstream f("/proc/zoneinfo");
	std::string line;
	uint64_t pages = 0;
	while (std::getline(f, line)) {
		std::istringstream words(line);
		std::string a, b;
		uint64_t n;
		words >> a;
		if (a == "pages" && (words >> b >> n) && b == "free")
			pages += n; // the zone's free count
		else if (a == "count:" && (words >> n))
			pages += n; // one CPU's list of free pages
	}
	return pages;
}

int64_t outstanding_pins()
{
	write_text("/proc/sys/vm/stat_refresh", "1");
	std::ifstream f("/proc/vmstat");
	std::string name;
	int64_t acquired = 0, released = 0;
	for (int64_t v; f >> name >> v;) {
		if (name == "nr_foll_pin_acquired")
			acquired = v;
		else if (name == "nr_foll_pin_released")
			released = v;
	}
	return acquired - released;
}

std::vector<std::string> edu_devices()
{
	std::vector<std::string> found;
	const std::string dir = "/sys/bus/pci/devices";
	if (DIR *d = opendir(dir.c_str())) {
		while (dirent *e = readdir(d)) {
			const std::string pci = e->d_name, at = dir + "/" + pci;
			if (pci[0] != '.' &&
			    read_text(at + "/vendor") == "0x1234" &&
			    read_text(at + "/device") == "0x11e8")
				found.push_back(pci);
		}
		closedir(d);
	}
	std::sort(found.begin(), found.end());
	return found;
}

std::string driver_of(const std::string &pci)
{
	char target[256];
	const std::string link = "/sys/bus/pci/devices/" + pci + "/driver";
	const ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
	if (n <= 0)
		return "";
	target[n] = 0;
	const char *slash = strrchr(target, '/');
	return slash ? slash + 1 : target;
}

int load_module(const std::string &path)
{
	const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	const int err = syscall(SYS_finit_module, fd, "", 0) ? errno : 0;
	close(fd);
	return err;
}

std::string misc_name_of(const std::string &pci)
{
	std::string name;
	const std::string dir = "/sys/bus/pci/devices/" + pci + "/misc";
	if (DIR *d = opendir(dir.c_str())) {
		while (dirent *e = readdir(d))
			if (e->d_name[0] != '.')
				name = e->d_name;
		closedir(d);
	}
	return name;
}

} // namespace bench
