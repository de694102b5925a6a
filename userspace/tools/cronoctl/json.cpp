// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "json.hpp"

#include <cstdio>

namespace cronoctl {

std::string json_string(const std::string &text)
{
	std::string out = "\"";
	for (char c : text) {
		switch (c) {
		case '"':
			out += "\\\"";
			break;
		case '\\':
			out += "\\\\";
			break;
		case '\n':
			out += "\\n";
			break;
		case '\t':
			out += "\\t";
			break;
		default:
			if (static_cast<unsigned char>(c) < 0x20) {
				char escape[8];
				std::snprintf(escape, sizeof escape, "\\u%04x",
					      static_cast<unsigned>(c));
				out += escape;
			} else {
				out += c;
			}
		}
	}
	return out + "\"";
}

JsonObject &JsonObject::add(const std::string &key, const std::string &value)
{
	members_.emplace_back(key, json_string(value));
	return *this;
}

JsonObject &JsonObject::add(const std::string &key, const char *value)
{
	return add(key, std::string(value));
}

JsonObject &JsonObject::add(const std::string &key, bool value)
{
	members_.emplace_back(key, value ? "true" : "false");
	return *this;
}

JsonObject &JsonObject::add(const std::string &key, std::uint64_t value)
{
	members_.emplace_back(key, std::to_string(value));
	return *this;
}

JsonObject &JsonObject::add(const std::string &key,
			    const std::optional<std::uint64_t> &value)
{
	if (!value)
		return add_null(key);
	return add(key, *value);
}

JsonObject &JsonObject::add_null(const std::string &key)
{
	members_.emplace_back(key, "null");
	return *this;
}

std::string JsonObject::render() const
{
	std::string out = "{";
	for (std::size_t i = 0; i < members_.size(); i++) {
		if (i)
			out += ", ";
		out += json_string(members_[i].first) + ": " +
		       members_[i].second;
	}
	return out + "}";
}

std::string json_array(const std::vector<JsonObject> &objects)
{
	if (objects.empty())
		return "[]\n";
	std::string out = "[\n";
	for (std::size_t i = 0; i < objects.size(); i++)
		out += "  " + objects[i].render() +
		       (i + 1 < objects.size() ? ",\n" : "\n");
	return out + "]\n";
}

} // namespace cronoctl
