// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * cronoctl's entry point as a function, so tests run it in-process with a
 * fake sysfs tree and driver and read what it prints.
 */
#ifndef CRONOCTL_CLI_HPP
#define CRONOCTL_CLI_HPP

#include <ostream>
#include <string>
#include <vector>

#include "crono/context.hpp"

namespace cronoctl {

struct Environment {
	crono::Context context;
	std::ostream *out;
	std::ostream *err;
	/* stdout is a terminal: progress bars are drawn only then. */
	bool out_is_terminal = false;
};

/* Exit status: 0 success, 1 failure, 2 usage error. */
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

/* args without the program name. */
int run(const std::vector<std::string> &args, Environment &env);

} // namespace cronoctl

#endif
