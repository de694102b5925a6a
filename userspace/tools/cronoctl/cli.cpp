// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "cli.hpp"

#include <cstdlib>

#include "commands.hpp"
#include "crono/units.hpp"
#include "crono/version.hpp"

namespace cronoctl {

namespace {

const char kUsage[] =
	"usage: cronoctl [--sysfs-root DIR] [--dev-root DIR] COMMAND ...\n"
	"\n"
	"  list [--json]          the boards the driver serves, with their "
	"buffers\n"
	"  info DEV               PCI address, ids, BARs, node, locked "
	"buffers\n"
	"  selftest DEV [--size SIZE] [--huge] [--seed N]\n"
	"                         lock buffers, check the page table; on "
	"QEMU's edu\n"
	"                         device, DMA through first, last and random "
	"pages\n"
	"  bench DEV [--min SIZE] [--max SIZE] [--repeat N] [--huge]\n"
	"                         lock and unlock times from 4 MiB up\n"
	"\n"
	"DEV is a PCI address (0000:03:00.0 or 03:00.0), a node "
	"(crono_06_0003000)\n"
	"or its path (/dev/crono_06_0003000). SIZE takes K, M, G suffixes "
	"(64M).\n"
	"list and info need no privileges; selftest and bench open the node, "
	"and\n"
	"selftest on edu maps BAR0 through sysfs, which needs root.\n"
	"--sysfs-root and --dev-root read another tree instead of /sys and "
	"/dev.\n";

int usage_error(Environment &env, const std::string &message)
{
	*env.err << "cronoctl: " << message << "\n"
		 << "Run 'cronoctl --help' for the commands.\n";
	return kExitUsage;
}

/* Options after the command: flags, and options with a value. */
class Arguments {
public:
	Arguments(const std::vector<std::string> &args, std::size_t first)
	    : args_(args), next_(first)
	{
	}

	bool done() const { return next_ >= args_.size(); }
	const std::string &take() { return args_[next_++]; }
	bool take_value(std::string *value)
	{
		if (done())
			return false;
		*value = take();
		return true;
	}

private:
	const std::vector<std::string> &args_;
	std::size_t next_;
};

bool parse_size(const std::string &text, std::uint64_t *size)
{
	std::optional<std::uint64_t> parsed = crono::parse_bytes(text);
	if (!parsed)
		return false;
	*size = *parsed;
	return true;
}

bool parse_number(const std::string &text, std::uint32_t *number)
{
	if (text.empty() || text.size() > 9 ||
	    text.find_first_not_of("0123456789") != std::string::npos)
		return false;
	*number = static_cast<std::uint32_t>(
		std::strtoul(text.c_str(), nullptr, 10));
	return true;
}

const char kWhichBoard[] = "which board? Give its PCI address or node "
			   "(cronoctl list shows them)";

int run_list(Arguments &a, Environment &env)
{
	ListOptions options;
	while (!a.done()) {
		const std::string &arg = a.take();
		if (arg == "--json")
			options.json = true;
		else
			return usage_error(env, "list: unknown option '" + arg +
							"'");
	}
	return list_command(options, env);
}

int run_info(Arguments &a, Environment &env)
{
	std::string device;
	while (!a.done()) {
		const std::string &arg = a.take();
		if (!arg.empty() && arg[0] == '-')
			return usage_error(env, "info: unknown option '" + arg +
							"'");
		if (!device.empty())
			return usage_error(env, "info: one board at a time");
		device = arg;
	}
	if (device.empty())
		return usage_error(env, std::string("info: ") + kWhichBoard);
	return info_command(device, env);
}

int run_selftest(Arguments &a, Environment &env)
{
	SelftestOptions options;
	while (!a.done()) {
		const std::string arg = a.take();
		std::string value;
		if (arg == "--huge") {
			options.huge_pages = true;
		} else if (arg == "--size") {
			if (!a.take_value(&value) ||
			    !parse_size(value, &options.size))
				return usage_error(env,
						   "selftest: --size needs "
						   "a size such as 4M");
		} else if (arg == "--seed") {
			if (!a.take_value(&value) ||
			    !parse_number(value, &options.seed))
				return usage_error(env,
						   "selftest: --seed needs "
						   "a number");
		} else if (!arg.empty() && arg[0] == '-') {
			return usage_error(env, "selftest: unknown option '" +
							arg + "'");
		} else if (!options.device.empty()) {
			return usage_error(env,
					   "selftest: one board at a time");
		} else {
			options.device = arg;
		}
	}
	if (options.device.empty())
		return usage_error(env,
				   std::string("selftest: ") + kWhichBoard);
	return selftest_command(options, env);
}

int run_bench(Arguments &a, Environment &env)
{
	BenchOptions options;
	while (!a.done()) {
		const std::string arg = a.take();
		std::string value;
		if (arg == "--huge") {
			options.huge_pages = true;
		} else if (arg == "--min" || arg == "--max") {
			std::uint64_t *size = arg == "--min"
						      ? &options.min_size
						      : &options.max_size;
			if (!a.take_value(&value) || !parse_size(value, size))
				return usage_error(env,
						   "bench: " + arg +
							   " needs a size such "
							   "as 64M");
		} else if (arg == "--repeat") {
			std::uint32_t n = 0;
			if (!a.take_value(&value) || !parse_number(value, &n) ||
			    n == 0)
				return usage_error(env, "bench: --repeat needs "
							"a number from 1");
			options.repeat = n;
		} else if (!arg.empty() && arg[0] == '-') {
			return usage_error(env, "bench: unknown option '" +
							arg + "'");
		} else if (!options.device.empty()) {
			return usage_error(env, "bench: one board at a time");
		} else {
			options.device = arg;
		}
	}
	if (options.device.empty())
		return usage_error(env, std::string("bench: ") + kWhichBoard);
	return bench_command(options, env);
}

} // namespace

int report_error(Environment &env, const std::string &message)
{
	*env.err << "cronoctl: " << message << "\n";
	return kExitFailure;
}

int run(const std::vector<std::string> &args, Environment &env)
{
	std::size_t i = 0;
	for (; i < args.size(); i++) {
		const std::string &arg = args[i];
		if (arg == "--help" || arg == "-h" || arg == "help") {
			*env.out << kUsage;
			return kExitOk;
		}
		if (arg == "--version") {
			*env.out << "cronoctl " << crono::library_version()
				 << "\n";
			return kExitOk;
		}
		if (arg == "--sysfs-root" || arg == "--dev-root") {
			if (i + 1 >= args.size())
				return usage_error(env, arg + " needs a "
							      "directory");
			(arg == "--sysfs-root" ? env.context.sysfs_root
					       : env.context.dev_root) =
				args[++i];
			continue;
		}
		break;
	}
	if (i >= args.size()) {
		*env.err << kUsage;
		return kExitUsage;
	}
	const std::string &command = args[i];
	Arguments rest(args, i + 1);
	if (command == "list")
		return run_list(rest, env);
	if (command == "info")
		return run_info(rest, env);
	if (command == "selftest")
		return run_selftest(rest, env);
	if (command == "bench")
		return run_bench(rest, env);
	return usage_error(env, "unknown command '" + command +
					"' (commands: list, info, selftest, "
					"bench)");
}

} // namespace cronoctl
