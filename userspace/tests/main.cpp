// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * GoogleTest main of the unit test binaries. Besides GoogleTest's own output
 * it appends "start NAME" and "pass NAME" / "fail NAME" to the file named by
 * $CRONO_RESULTS as each test starts and ends, flushed at once: a test that
 * crashes the binary (a sanitizer report aborts it) is then still counted,
 * as failed, by userspace/run.
 */
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

namespace {

class ResultLines : public ::testing::EmptyTestEventListener {
public:
	explicit ResultLines(std::FILE *file) : file_(file) {}

	void OnTestStart(const ::testing::TestInfo &test) override
	{
		line("start", test);
	}
	void OnTestEnd(const ::testing::TestInfo &test) override
	{
		line(test.result()->Failed() ? "fail" : "pass", test);
	}

private:
	void line(const char *event, const ::testing::TestInfo &test)
	{
		std::fprintf(file_, "%s %s.%s\n", event, test.test_suite_name(),
			     test.name());
		std::fflush(file_);
	}

	std::FILE *file_;
};

} // namespace

int main(int argc, char **argv)
{
	::testing::InitGoogleTest(&argc, argv);
	if (const char *path = std::getenv("CRONO_RESULTS")) {
		std::FILE *file = std::fopen(path, "a");
		if (!file) {
			std::perror(path);
			return 2;
		}
		::testing::UnitTest::GetInstance()->listeners().Append(
			new ResultLines(file));
	}
	return RUN_ALL_TESTS();
}
