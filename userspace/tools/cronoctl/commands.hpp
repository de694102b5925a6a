// SPDX-License-Identifier: GPL-2.0 OR MIT
/* cronoctl's commands, each given its parsed options. */
#ifndef CRONOCTL_COMMANDS_HPP
#define CRONOCTL_COMMANDS_HPP

#include <cstdint>
#include <string>

#include "cli.hpp"

namespace cronoctl {

struct ListOptions {
	bool json = false;
};
int list_command(const ListOptions &options, Environment &env);

int info_command(const std::string &device, Environment &env);

struct SelftestOptions {
	std::string device;
	std::uint64_t size = 4u << 20;
	bool huge_pages = false;
	std::uint32_t seed = 1;
};
int selftest_command(const SelftestOptions &options, Environment &env);

struct BenchOptions {
	std::string device;
	std::uint64_t min_size = 4u << 20;
	std::uint64_t max_size = 1u << 30;
	unsigned repeat = 3;
	bool huge_pages = false;
};
int bench_command(const BenchOptions &options, Environment &env);

/* "cronoctl: MESSAGE" on stderr; returns kExitFailure. */
int report_error(Environment &env, const std::string &message);

} // namespace cronoctl

#endif
