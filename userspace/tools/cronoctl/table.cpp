// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "table.hpp"

#include <algorithm>

namespace cronoctl {

void Table::add_column(std::string title, Align align)
{
	columns_.push_back({ std::move(title), align });
}

void Table::add_row(std::vector<std::string> cells)
{
	cells.resize(columns_.size());
	rows_.push_back(std::move(cells));
}

std::string Table::render() const
{
	std::vector<std::size_t> widths;
	for (const Column &c : columns_)
		widths.push_back(c.title.size());
	for (const auto &row : rows_)
		for (std::size_t i = 0; i < row.size(); i++)
			widths[i] = std::max(widths[i], row[i].size());

	auto line = [&](const std::vector<std::string> &cells) {
		std::string text;
		for (std::size_t i = 0; i < cells.size(); i++) {
			const std::size_t pad = widths[i] - cells[i].size();
			if (i)
				text += "  ";
			if (columns_[i].align == Align::right)
				text += std::string(pad, ' ') + cells[i];
			else
				text += cells[i] + std::string(pad, ' ');
		}
		text.erase(text.find_last_not_of(' ') + 1);
		return text + "\n";
	};
	std::vector<std::string> titles;
	for (const Column &c : columns_)
		titles.push_back(c.title);
	std::string text = line(titles);
	for (const auto &row : rows_)
		text += line(row);
	return text;
}

} // namespace cronoctl
