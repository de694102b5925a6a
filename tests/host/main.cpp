// SPDX-License-Identifier: GPL-2.0
/*
 * GoogleTest main of the host test binaries. Besides the usual output it
 * appends one line per test to the file named by $CRONO_RESULTS as the test
 * starts and ends ("start NAME", "pass NAME", "fail NAME"), flushed at once,
 * so tests/host/run can count a test that crashed the binary (a sanitizer
 * report aborts it) as failed.
 */
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

namespace {

class ResultsFile : public ::testing::EmptyTestEventListener {
public:
	explicit ResultsFile(std::FILE *out) : out_(out) {}

	void OnTestStart(const ::testing::TestInfo &info) override
	{
		write("start", info);
	}
	void OnTestEnd(const ::testing::TestInfo &info) override
	{
		write(info.result()->Passed() || info.result()->Skipped()
			      ? "pass"
			      : "fail",
		      info);
	}

private:
	void write(const char *what, const ::testing::TestInfo &info)
	{
		std::fprintf(out_, "%s %s.%s\n", what, info.test_suite_name(),
			     info.name());
		std::fflush(out_);
	}

	std::FILE *out_;
};

} // namespace

int main(int argc, char **argv)
{
	::testing::InitGoogleTest(&argc, argv);
	if (const char *path = std::getenv("CRONO_RESULTS")) {
		std::FILE *out = std::fopen(path, "a");
		if (!out) {
			std::perror(path);
			return 2;
		}
		::testing::UnitTest::GetInstance()->listeners().Append(
			new ResultsFile(out));
	}
	return RUN_ALL_TESTS();
}
