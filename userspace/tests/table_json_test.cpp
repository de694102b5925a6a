// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <gtest/gtest.h>

#include "json.hpp"
#include "table.hpp"

namespace cronoctl {
namespace {

TEST(Table, AlignsColumnsAndTrimsTrailingBlanks)
{
	Table t;
	t.add_column("NAME");
	t.add_column("SIZE", Table::Align::right);
	t.add_column("NOTE");
	t.add_row({ "a", "4 KiB", "" });
	t.add_row({ "longer name", "1 GiB", "x" });
	t.add_row({ "short" }); /* missing cells are empty */
	EXPECT_EQ(t.render(), "NAME          SIZE  NOTE\n"
			      "a            4 KiB\n"
			      "longer name  1 GiB  x\n"
			      "short\n");
}

TEST(Json, EscapesStrings)
{
	EXPECT_EQ(json_string("plain"), "\"plain\"");
	EXPECT_EQ(json_string("a\"b\\c\nd\te"), "\"a\\\"b\\\\c\\nd\\te\"");
	EXPECT_EQ(json_string(std::string("\x01", 1)), "\"\\u0001\"");
	EXPECT_EQ(json_string("µ"), "\"µ\"");
}

TEST(Json, WritesObjectsInOrderAndArraysOnePerLine)
{
	JsonObject a;
	a.add("s", "x")
		.add("n", std::uint64_t{ 18446744073709551615u })
		.add("b", false)
		.add("o", std::optional<std::uint64_t>())
		.add("p", std::optional<std::uint64_t>(3));
	EXPECT_EQ(a.render(), "{\"s\": \"x\", \"n\": 18446744073709551615, "
			      "\"b\": false, \"o\": null, \"p\": 3}");
	JsonObject b;
	EXPECT_EQ(json_array({}), "[]\n");
	EXPECT_EQ(json_array({ a, b }), "[\n  " + a.render() + ",\n  {}\n]\n");
}

} // namespace
} // namespace cronoctl
