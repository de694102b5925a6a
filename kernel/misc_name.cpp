// SPDX-License-Identifier: GPL-2.0
#include "misc_name.h"

#include "cxxrt/errno.h"

namespace crono {

namespace {

class NameWriter {
public:
	explicit NameWriter(Span<char> out) noexcept : out_(out) {}

	void text(const char *s) noexcept
	{
		while (*s)
			put(*s++);
	}

	/* Upper-case hex, at least min_digits wide. */
	void hex(u32 value, u32 min_digits) noexcept
	{
		char digits[8];
		u32 n = 0;
		do {
			digits[n++] = "0123456789ABCDEF"[value & 0xf];
			value >>= 4;
		} while (value != 0);
		for (u32 pad = n; pad < min_digits; pad++)
			put('0');
		while (n > 0)
			put(digits[--n]);
	}

	Result<void> finish() noexcept
	{
		if (out_.empty())
			return Error::from_errno(-ENAMETOOLONG);
		put('\0');
		if (overflow_) {
			out_[0] = '\0';
			return Error::from_errno(-ENAMETOOLONG);
		}
		return {};
	}

private:
	void put(char c) noexcept
	{
		if (length_ < out_.size())
			out_[length_++] = c;
		else
			overflow_ = true;
	}

	Span<char> out_;
	size_t length_ = 0;
	bool overflow_ = false;
};

} // namespace

Result<void> format_misc_name(const PciAddress &address,
			      Span<char> out) noexcept
{
	NameWriter name(out);
	name.text("crono_");
	name.hex(address.device_id, 2);
	name.text("_");
	name.hex(address.domain, 2);
	name.hex(address.bus, 2);
	name.hex(address.slot, 2);
	name.hex(address.func, 1);
	return name.finish();
}

} // namespace crono
