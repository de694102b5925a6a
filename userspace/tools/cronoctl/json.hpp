// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Just enough JSON output for `cronoctl list --json`. */
#ifndef CRONOCTL_JSON_HPP
#define CRONOCTL_JSON_HPP

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cronoctl {

/* "text" with JSON escapes. */
std::string json_string(const std::string &text);

/* One object, members in the order they were added. */
class JsonObject {
public:
	JsonObject &add(const std::string &key, const std::string &value);
	JsonObject &add(const std::string &key, const char *value);
	JsonObject &add(const std::string &key, bool value);
	JsonObject &add(const std::string &key, std::uint64_t value);
	/* null when empty */
	JsonObject &add(const std::string &key,
			const std::optional<std::uint64_t> &value);
	JsonObject &add_null(const std::string &key);
	std::string render() const;

private:
	std::vector<std::pair<std::string, std::string>> members_;
};

/* An array of objects, one per line. */
std::string json_array(const std::vector<JsonObject> &objects);

} // namespace cronoctl

#endif
