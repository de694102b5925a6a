// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "sysfs_files.hpp"

#include <fcntl.h>

#include <cerrno>

#include "errno_text.hpp"

namespace crono {

namespace {

constexpr std::size_t kMaxFileSize = 64 * 1024;

std::string trimmed(const std::string &text)
{
	std::size_t end = text.find_last_not_of(" \t\n");
	return end == std::string::npos ? "" : text.substr(0, end + 1);
}

/* Garbage shown in a message: short and printable. */
std::string quoted(const std::string &text)
{
	std::string shown;
	for (char c : text.substr(0, 40))
		shown += (c >= 0x20 && c < 0x7f) ? c : '?';
	if (text.size() > 40)
		shown += "...";
	return "\"" + shown + "\"";
}

Error garbage(const std::string &path, const std::string &text,
	      const char *expected)
{
	return Error(EINVAL, "unexpected contents in " + path + ": " +
				     quoted(trimmed(text)) + " (expected " +
				     expected + ")");
}

} // namespace

Result<std::string> read_text_file(Os &os, const std::string &path)
{
	Result<int> fd = os.open(path, O_RDONLY);
	if (!fd)
		return Error(fd.error().code(),
			     "cannot read " + path + ": " +
				     errno_text(fd.error().code()));
	std::string text;
	char chunk[4096];
	for (;;) {
		Result<std::size_t> n = os.read(*fd, chunk, sizeof chunk);
		if (!n) {
			os.close(*fd);
			return Error(n.error().code(),
				     "cannot read " + path + ": " +
					     errno_text(n.error().code()));
		}
		if (*n == 0)
			break;
		text.append(chunk, *n);
		if (text.size() > kMaxFileSize) {
			os.close(*fd);
			return Error(EFBIG, path + " is larger than a sysfs "
						   "attribute can be");
		}
	}
	os.close(*fd);
	return text;
}

Result<std::uint16_t> read_hex_id(Os &os, const std::string &path)
{
	Result<std::string> text = read_text_file(os, path);
	if (!text)
		return std::move(text).error();
	std::string t = trimmed(*text);
	if (t.size() < 3 || t.size() > 6 || t[0] != '0' || t[1] != 'x')
		return garbage(path, *text, "a hex id such as 0x1a13");
	unsigned value = 0;
	for (std::size_t i = 2; i < t.size(); i++) {
		char c = t[i];
		if (c >= '0' && c <= '9')
			value = value * 16 + static_cast<unsigned>(c - '0');
		else if (c >= 'a' && c <= 'f')
			value = value * 16 +
				static_cast<unsigned>(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			value = value * 16 +
				static_cast<unsigned>(c - 'A' + 10);
		else
			return garbage(path, *text, "a hex id such as 0x1a13");
	}
	return static_cast<std::uint16_t>(value);
}

Result<std::uint64_t> read_decimal(Os &os, const std::string &path)
{
	Result<std::string> text = read_text_file(os, path);
	if (!text)
		return std::move(text).error();
	std::string t = trimmed(*text);
	if (t.empty() || t.size() > 20)
		return garbage(path, *text, "a decimal number");
	std::uint64_t value = 0;
	for (char c : t) {
		if (c < '0' || c > '9')
			return garbage(path, *text, "a decimal number");
		unsigned digit = static_cast<unsigned>(c - '0');
		if (value > (UINT64_MAX - digit) / 10)
			return garbage(path, *text, "a decimal number");
		value = value * 10 + digit;
	}
	return value;
}

bool path_exists(Os &os, const std::string &path)
{
	return os.stat(path).ok();
}

} // namespace crono
