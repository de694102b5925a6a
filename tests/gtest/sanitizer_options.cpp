// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The sanitizers' settings for every test binary, built in rather than set
 * in the environment so that a test run by hand behaves as under ctest.
 * ASAN_OPTIONS and UBSAN_OPTIONS still override them.
 */

extern "C" const char *__asan_default_options()
{
	return "detect_leaks=1:halt_on_error=1:"
	       "detect_stack_use_after_return=1:strict_string_checks=1:"
	       "check_initialization_order=1";
}

extern "C" const char *__ubsan_default_options()
{
	return "print_stacktrace=1:halt_on_error=1";
}
