// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A text table with aligned columns, as cronoctl prints lists. */
#ifndef CRONOCTL_TABLE_HPP
#define CRONOCTL_TABLE_HPP

#include <string>
#include <vector>

namespace cronoctl {

class Table {
public:
	enum class Align { left, right };

	void add_column(std::string title, Align align = Align::left);
	void add_row(std::vector<std::string> cells);
	/* Header and rows, columns two spaces apart, no trailing blanks. */
	std::string render() const;

private:
	struct Column {
		std::string title;
		Align align;
	};
	std::vector<Column> columns_;
	std::vector<std::vector<std::string>> rows_;
};

} // namespace cronoctl

#endif
