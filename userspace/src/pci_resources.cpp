// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "crono/pci_resources.hpp"

#include <cerrno>
#include <cinttypes>
#include <sstream>

#include "hex_digit.hpp"
#include "sysfs_files.hpp"

namespace crono {

namespace {

bool parse_hex64(const std::string &word, std::uint64_t *value)
{
	if (word.size() < 3 || word.size() > 18 || word[0] != '0' ||
	    (word[1] != 'x' && word[1] != 'X'))
		return false;
	std::uint64_t v = 0;
	for (std::size_t i = 2; i < word.size(); i++) {
		const int d = hex_digit_value(word[i]);
		if (d < 0)
			return false;
		v = v << 4 | static_cast<unsigned>(d);
	}
	*value = v;
	return true;
}

} // namespace

std::string PciResource::kind() const
{
	if (!present())
		return "unused";
	if (is_io())
		return "io";
	std::string k = is_memory() ? "mem" : "other";
	if (is_memory())
		k += is_64bit() ? " 64-bit" : " 32-bit";
	if (prefetchable())
		k += " prefetchable";
	return k;
}

Result<std::vector<PciResource>> parse_pci_resources(const std::string &text,
						     const std::string &path)
{
	std::vector<PciResource> resources;
	std::istringstream lines(text);
	std::string line;
	unsigned index = 0;
	while (std::getline(lines, line)) {
		std::istringstream words(line);
		std::string start, end, flags, extra;
		PciResource r;
		r.index = index;
		std::uint64_t last = 0;
		if (!(words >> start >> end >> flags) || (words >> extra) ||
		    !parse_hex64(start, &r.start) || !parse_hex64(end, &last) ||
		    !parse_hex64(flags, &r.flags))
			return Error(EINVAL,
				     "unexpected line " +
					     std::to_string(index + 1) +
					     " in " + path + ": \"" + line +
					     "\" (expected three hex numbers)");
		/* An unimplemented region reads as all zeroes. */
		if (last != 0 || r.start != 0) {
			if (last < r.start)
				return Error(EINVAL,
					     "region " + std::to_string(index) +
						     " in " + path +
						     " ends before it starts");
			r.size = last - r.start + 1;
		}
		resources.push_back(r);
		index++;
	}
	if (resources.empty())
		return Error(EINVAL, path + " lists no regions");
	return resources;
}

Result<std::vector<PciResource>> read_pci_resources(const Context &context,
						    const PciAddress &address)
{
	const std::string path = context.pci_device_dir(address) + "/resource";
	Result<std::string> text = read_text_file(*context.os, path);
	if (!text)
		return std::move(text).error();
	return parse_pci_resources(*text, path);
}

} // namespace crono
