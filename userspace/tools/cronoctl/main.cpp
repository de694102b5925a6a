// SPDX-License-Identifier: GPL-2.0 OR MIT
/* cronoctl: boards, buffers and self-tests of the crono_pci_drvmod driver. */
#include <unistd.h>

#include <iostream>

#include "cli.hpp"

int main(int argc, char **argv)
{
	cronoctl::Environment env;
	env.out = &std::cout;
	env.err = &std::cerr;
	env.out_is_terminal = ::isatty(STDOUT_FILENO) == 1;
	return cronoctl::run(std::vector<std::string>(argv + 1, argv + argc),
			     env);
}
