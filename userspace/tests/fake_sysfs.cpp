// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "fake_sysfs.hpp"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "crono/models.hpp"
#include "crono/pci_address.hpp"

namespace crono::test {

namespace {

void must(bool ok, const std::string &what)
{
	if (!ok)
		throw std::runtime_error("fake sysfs: " + what);
}

void make_dirs(const std::string &path)
{
	std::string partial;
	std::stringstream parts(path);
	std::string part;
	while (std::getline(parts, part, '/')) {
		partial += part + "/";
		if (part.empty())
			continue;
		::mkdir(partial.c_str(), 0755);
	}
	struct stat st;
	must(::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode),
	     "mkdir " + path);
}

std::string dirname(const std::string &path)
{
	return path.substr(0, path.rfind('/'));
}

int remove_entry(const char *path, const struct stat *, int, struct FTW *)
{
	return ::remove(path);
}

} // namespace

FakeSysfs::FakeSysfs()
{
	const char *tmp = std::getenv("TMPDIR");
	std::string pattern =
		std::string(tmp && *tmp ? tmp : "/tmp") + "/crono-sysfs-XXXXXX";
	must(::mkdtemp(&pattern[0]) != nullptr, "mkdtemp");
	root_ = pattern;
	make_dirs(sys() + "/bus/pci/devices");
	make_dirs(sys() + "/bus/pci/drivers");
	make_dirs(sys() + "/class/misc");
	make_dirs(dev());
}

FakeSysfs::~FakeSysfs()
{
	::nftw(root_.c_str(), remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

Context FakeSysfs::context(Os *os) const
{
	Context c;
	c.sysfs_root = sys();
	c.dev_root = dev();
	c.os = os;
	return c;
}

std::string FakeSysfs::path(const std::string &relative) const
{
	return sys() + "/" + relative;
}

void FakeSysfs::write(const std::string &relative,
		      const std::string &text) const
{
	const std::string p = path(relative);
	make_dirs(dirname(p));
	std::ofstream out(p, std::ios::trunc);
	out << text;
	must(out.good(), "write " + p);
}

std::string FakeSysfs::read(const std::string &relative) const
{
	std::ifstream in(path(relative));
	std::stringstream text;
	text << in.rdbuf();
	return text.str();
}

void FakeSysfs::remove(const std::string &relative) const
{
	::nftw(path(relative).c_str(), remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void FakeSysfs::make_directory(const std::string &relative) const
{
	make_dirs(path(relative));
}

void FakeSysfs::symlink(const std::string &target,
			const std::string &relative) const
{
	const std::string p = path(relative);
	make_dirs(dirname(p));
	must(::symlink(target.c_str(), p.c_str()) == 0, "symlink " + p);
}

std::string FakeSysfs::device_dir(const std::string &address)
{
	/* devices/pci0000:00/0000:00:03.0, as for a root-bus device. */
	return "devices/pci" + address.substr(0, 7) + "/" + address;
}

void FakeSysfs::load_driver()
{
	const std::string d = "bus/pci/drivers/crono_pci_driver/";
	for (const char *file :
	     { "bind", "unbind", "new_id", "remove_id", "uevent" })
		write(d + file, "");
	make_directory("module/crono_pci_drvmod");
	symlink("../../../../module/crono_pci_drvmod", d + "module");
}

std::string FakeSysfs::add_board(const BoardSpec &spec)
{
	const std::optional<PciAddress> address =
		PciAddress::parse(spec.address);
	must(address.has_value(), "bad address " + spec.address);
	const std::string node = misc_node_name(spec.device, *address);
	const std::string dir = device_dir(spec.address);
	char text[160];
	std::snprintf(text, sizeof text, "0x%04x\n", spec.vendor);
	write(dir + "/vendor", text);
	std::snprintf(text, sizeof text, "0x%04x\n", spec.device);
	write(dir + "/device", text);
	write(dir + "/class", "0x00ff00\n");

	/* resource: BAR0 a 32-bit memory BAR, the rest unused. */
	std::string resource;
	const std::uint64_t start = 0xfea00000;
	for (int i = 0; i < 13; i++) {
		if (i == 0 && spec.bar0_size)
			std::snprintf(text, sizeof text,
				      "0x%016" PRIx64 " 0x%016" PRIx64
				      " 0x%016" PRIx64 "\n",
				      start, start + spec.bar0_size - 1,
				      std::uint64_t{ 0x40200 });
		else
			std::snprintf(text, sizeof text,
				      "0x%016x 0x%016x 0x%016x\n", 0, 0, 0);
		resource += text;
	}
	write(dir + "/resource", resource);
	if (spec.bar0_size) {
		/* sysfs sizes resource0 like the BAR; sparse here. */
		write(dir + "/resource0", "");
		must(::truncate(path(dir + "/resource0").c_str(),
				static_cast<off_t>(spec.bar0_size)) == 0,
		     "truncate resource0");
	}

	symlink("../../../" + dir, "bus/pci/devices/" + spec.address);
	if (spec.bound)
		symlink("../../../../" + dir,
			"bus/pci/drivers/crono_pci_driver/" + spec.address);
	if (spec.registered) {
		const std::string misc = dir + "/misc/" + node;
		write(misc + "/locked_buffers", "0\n");
		write(misc + "/pinned_bytes", "0\n");
		write(misc + "/coherent_bytes", "0\n");
		write(misc + "/dev", "10:124\n");
		symlink("../../../" + spec.address, misc + "/device");
		symlink("../../" + misc, "class/misc/" + node);
	}
	if (spec.dev_node) {
		const std::string p = dev() + "/" + node;
		std::ofstream(p).flush();
		::chmod(p.c_str(), 0660);
	}
	return node;
}

} // namespace crono::test
