// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A one-line progress bar, drawn only on a terminal. */
#ifndef CRONOCTL_PROGRESS_BAR_HPP
#define CRONOCTL_PROGRESS_BAR_HPP

#include <cstddef>
#include <ostream>
#include <string>

namespace cronoctl {

class ProgressBar {
public:
	/* Disabled, it prints nothing at all (output to a file or pipe). */
	ProgressBar(std::ostream &out, bool enabled, std::size_t total)
	    : out_(out), enabled_(enabled), total_(total)
	{
	}
	ProgressBar(const ProgressBar &) = delete;
	ProgressBar &operator=(const ProgressBar &) = delete;
	~ProgressBar() { clear(); }

	void update(std::size_t done, const std::string &label);
	/* Erases the bar, so that ordinary output follows on a clean line. */
	void clear();

private:
	std::ostream &out_;
	bool enabled_;
	std::size_t total_;
	bool drawn_ = false;
};

} // namespace cronoctl

#endif
