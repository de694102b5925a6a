// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The real system calls, on files of a temporary directory. */
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>

#include "crono/os.hpp"
#include "fake_sysfs.hpp"

namespace crono {
namespace {

TEST(SystemOs, ReadsFilesAndReportsErrnoWithThePath)
{
	test::FakeSysfs tree;
	tree.write("a/file", "hello\n");
	Os &os = system_os();
	Result<int> fd = os.open(tree.path("a/file"), O_RDONLY);
	ASSERT_TRUE(fd) << fd.error().message();
	char text[16] = {};
	Result<std::size_t> n = os.read(*fd, text, sizeof text);
	ASSERT_TRUE(n);
	EXPECT_EQ(std::string(text, *n), "hello\n");
	os.close(*fd);

	Result<int> missing = os.open(tree.path("a/missing"), O_RDONLY);
	ASSERT_FALSE(missing);
	EXPECT_EQ(missing.error().code(), ENOENT);
	EXPECT_NE(missing.error().message().find("a/missing"),
		  std::string::npos);
	EXPECT_NE(missing.error().message().find("ENOENT"), std::string::npos);
}

TEST(SystemOs, ListsDirectoriesAndReadsLinks)
{
	test::FakeSysfs tree;
	tree.write("d/one", "");
	tree.write("d/two", "");
	tree.symlink("../elsewhere/0000:00:03.0", "d/link");
	auto names = system_os().list_directory(tree.path("d"));
	ASSERT_TRUE(names);
	std::sort(names->begin(), names->end());
	EXPECT_EQ(*names, (std::vector<std::string>{ "link", "one", "two" }));
	auto target = system_os().read_link(tree.path("d/link"));
	ASSERT_TRUE(target);
	EXPECT_EQ(*target, "../elsewhere/0000:00:03.0");
	EXPECT_EQ(
		system_os().list_directory(tree.path("nothing")).error().code(),
		ENOENT);
	EXPECT_EQ(system_os().read_link(tree.path("d/one")).error().code(),
		  EINVAL);
}

TEST(SystemOs, StatsMapsAndAdvises)
{
	test::FakeSysfs tree;
	tree.write("f", "12345");
	auto st = system_os().stat(tree.path("f"));
	ASSERT_TRUE(st);
	EXPECT_EQ(st->size, 5u);
	Result<void *> p =
		system_os().mmap(nullptr, 8192, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(p);
	static_cast<char *>(*p)[8191] = 1;
	EXPECT_TRUE(system_os().munmap(*p, 8192));
	Result<void *> bad = system_os().mmap(
		nullptr, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_FALSE(bad);
	EXPECT_EQ(bad.error().code(), EINVAL);
	Result<int> fd = system_os().open(tree.path("f"), O_RDONLY);
	ASSERT_TRUE(fd);
	EXPECT_EQ(system_os().ioctl(*fd, 0xC0086300u, nullptr).error().code(),
		  ENOTTY);
	system_os().close(*fd);
}

TEST(SystemOs, KnowsLimitsAndGroups)
{
	MemlockLimit limit = system_os().memlock_limit();
	EXPECT_LE(limit.soft, limit.hard);
	/* /etc/group names gid 0 on every Debian system. */
	EXPECT_EQ(system_os().group_name(0), "root");
	EXPECT_EQ(system_os().group_name(4000000000u), "");
}

} // namespace
} // namespace crono
