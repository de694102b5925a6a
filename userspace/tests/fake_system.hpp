// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A fake sysfs tree with the fake driver behind it, for one test. */
#ifndef CRONO_TESTS_FAKE_SYSTEM_HPP
#define CRONO_TESTS_FAKE_SYSTEM_HPP

#include <gtest/gtest.h>

#include <optional>

#include "crono/context.hpp"
#include "crono/device.hpp"
#include "fake_os.hpp"
#include "fake_sysfs.hpp"

namespace crono::test {

class FakeSystemTest : public ::testing::Test {
protected:
	FakeSysfs tree;
	FakeOs os{ tree };
	Context context = tree.context(&os);
};

/* An xTDC4 at 0000:03:00.0 bound to a loaded driver. */
class OneBoardTest : public FakeSystemTest {
protected:
	void SetUp() override
	{
		tree.load_driver();
		node = tree.add_board({});
		node_path = tree.dev() + "/" + node;
	}
	std::string node, node_path;
};

/* The same board, opened. */
class OpenBoardTest : public OneBoardTest {
protected:
	void SetUp() override
	{
		OneBoardTest::SetUp();
		auto opened = Device::open(node, context);
		ASSERT_TRUE(opened) << opened.error().message();
		device.emplace(std::move(*opened));
	}
	std::optional<Device> device;
};

inline bool contains(const std::string &text, const std::string &part)
{
	return text.find(part) != std::string::npos;
}

} // namespace crono::test

#endif
