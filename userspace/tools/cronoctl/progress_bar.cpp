// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "progress_bar.hpp"

namespace cronoctl {

namespace {
constexpr std::size_t kWidth = 30;
}

void ProgressBar::update(std::size_t done, const std::string &label)
{
	if (!enabled_ || total_ == 0)
		return;
	if (done > total_)
		done = total_;
	const std::size_t filled = done * kWidth / total_;
	out_ << "\r\033[K[" << std::string(filled, '#')
	     << std::string(kWidth - filled, ' ') << "] " << done << "/"
	     << total_ << " " << label << std::flush;
	drawn_ = true;
}

void ProgressBar::clear()
{
	if (drawn_)
		out_ << "\r\033[K" << std::flush;
	drawn_ = false;
}

} // namespace cronoctl
