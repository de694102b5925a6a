// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Runs cronoctl in-process against the fake system and keeps its output. */
#ifndef CRONO_TESTS_CRONOCTL_HARNESS_HPP
#define CRONO_TESTS_CRONOCTL_HARNESS_HPP

#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "fake_system.hpp"

namespace crono::test {

struct CliRun {
	int status;
	std::string out;
	std::string err;
};

class CronoctlTest : public FakeSystemTest {
protected:
	CliRun run(const std::vector<std::string> &args, bool terminal = false)
	{
		std::ostringstream out, err;
		cronoctl::Environment env;
		env.context = context;
		env.out = &out;
		env.err = &err;
		env.out_is_terminal = terminal;
		const int status = cronoctl::run(args, env);
		return { status, out.str(), err.str() };
	}
};

} // namespace crono::test

#endif
