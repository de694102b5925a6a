// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <cerrno>
#include <sys/stat.h>

#include "crono/device.hpp"
#include "crono/scatter_gather_buffer.hpp"
#include "fake_system.hpp"

namespace crono::test {
namespace {

using DeviceTest = OneBoardTest;

TEST_F(DeviceTest, OpensByNodeOrAddressAndKnowsTheBoard)
{
	for (const char *name : { "crono_06_0003000", "0000:03:00.0" }) {
		auto device = Device::open(name, context);
		ASSERT_TRUE(device) << device.error().message();
		EXPECT_TRUE(device->is_open());
		EXPECT_EQ(device->board().node, node);
		EXPECT_EQ(device->board().model, "xTDC4");
		EXPECT_EQ(device->bar0_size(), 1u << 20);
		ASSERT_FALSE(device->resources().empty());
		EXPECT_EQ(device->resources()[0].start, 0xfea00000u);
	}
	EXPECT_EQ(
		os.events_matching({ "open", "close" }),
		(std::vector<std::string>{ "open " + node, "close " + node,
					   "open " + node, "close " + node }));
}

TEST_F(DeviceTest, SaysWhenAnotherProcessHasTheBoard)
{
	auto first = Device::open(node, context);
	ASSERT_TRUE(first);
	auto second = Device::open(node, context);
	ASSERT_FALSE(second);
	EXPECT_EQ(second.error().code(), EBUSY);
	EXPECT_TRUE(contains(second.error().message(), "is busy"));
	EXPECT_TRUE(contains(second.error().message(), "another process"));
	EXPECT_TRUE(contains(second.error().message(), "fuser"));
}

TEST_F(DeviceTest, NamesTheGroupToJoinOnEacces)
{
	os.fail_open(node_path, EACCES);
	os.stat_overrides[node_path] = { S_IFCHR | 0660, 0, 1234, 0 };
	os.groups[1234] = "crono";
	auto device = Device::open(node, context);
	ASSERT_FALSE(device);
	EXPECT_EQ(device.error().code(), EACCES);
	const std::string &m = device.error().message();
	EXPECT_TRUE(contains(m, "no permission to open " + node_path)) << m;
	EXPECT_TRUE(contains(m, "mode 0660, group crono")) << m;
	EXPECT_TRUE(contains(m, "join the group crono")) << m;
	EXPECT_TRUE(contains(m, "sudo usermod -aG crono $USER")) << m;
}

TEST_F(DeviceTest, SaysOnlyRootMayOpenARootGroupNode)
{
	os.fail_open(node_path, EACCES);
	os.stat_overrides[node_path] = { S_IFCHR | 0660, 0, 0, 0 };
	os.groups[0] = "root";
	auto device = Device::open(node, context);
	ASSERT_FALSE(device);
	EXPECT_TRUE(contains(device.error().message(), "only root may open"));
	EXPECT_TRUE(contains(device.error().message(), "udev rule"));

	/* A group without a name is shown by number. */
	os.fail_open(node_path, EPERM);
	os.stat_overrides[node_path] = { S_IFCHR | 0660, 0, 4321, 0 };
	device = Device::open(node, context);
	ASSERT_FALSE(device);
	EXPECT_EQ(device.error().code(), EPERM);
	EXPECT_TRUE(contains(device.error().message(), "join the group 4321"));
}

TEST_F(DeviceTest, ExplainsMissingNodesAndRemovedBoards)
{
	BoardSpec no_dev;
	no_dev.address = "0000:04:00.0";
	no_dev.dev_node = false;
	tree.add_board(no_dev);
	auto device = Device::open("04:00.0", context);
	ASSERT_FALSE(device);
	EXPECT_EQ(device.error().code(), ENOENT);
	EXPECT_TRUE(contains(device.error().message(), "devtmpfs"));

	BoardSpec unregistered;
	unregistered.address = "0000:05:00.0";
	unregistered.registered = false;
	unregistered.dev_node = false;
	tree.add_board(unregistered);
	device = Device::open("05:00.0", context);
	ASSERT_FALSE(device);
	EXPECT_TRUE(contains(device.error().message(), "dmesg"));

	os.fail_open(node_path, ENODEV);
	device = Device::open(node, context);
	ASSERT_FALSE(device);
	EXPECT_EQ(device.error().code(), ENODEV);
	EXPECT_TRUE(contains(device.error().message(), "is gone"));

	os.fail_open(node_path, EIO);
	device = Device::open(node, context);
	ASSERT_FALSE(device);
	EXPECT_TRUE(contains(device.error().message(), "EIO"));
}

TEST_F(DeviceTest, ReportsABrokenResourceFileBeforeOpening)
{
	tree.write(FakeSysfs::device_dir("0000:03:00.0") + "/resource", "junk");
	auto device = Device::open(node, context);
	ASSERT_FALSE(device);
	EXPECT_EQ(device.error().code(), EINVAL);
	EXPECT_TRUE(contains(device.error().message(), "resource"));
	EXPECT_TRUE(os.events_matching({ "open" }).empty());
}

TEST_F(DeviceTest, HandsAValidCleanupProgramToTheDriver)
{
	auto device = Device::open(node, context);
	ASSERT_TRUE(device);
	const RegisterWrite program[] = { { 0x04, 0x1234 }, { 0xfffffc, 0 } };
	/* 0xfffffc is beyond this 1 MiB BAR0. */
	auto refused = device->set_cleanup_program(program);
	ASSERT_FALSE(refused);
	EXPECT_EQ(refused.error().code(), EINVAL);
	EXPECT_TRUE(contains(refused.error().message(), "outside BAR0"));
	EXPECT_TRUE(os.events_matching({ "ioctl" }).empty());

	const RegisterWrite good[] = { { 0x04, 0x1234 }, { 0xffffc, 7 } };
	ASSERT_TRUE(device->set_cleanup_program(good));
	auto stored = os.cleanup_program_of(node);
	ASSERT_EQ(stored.size(), 2u);
	EXPECT_EQ(stored[1].offset, 0xffffcu);
	EXPECT_EQ(stored[1].value, 7u);

	ASSERT_TRUE(device->clear_cleanup_program());
	EXPECT_TRUE(os.cleanup_program_of(node).empty());
	EXPECT_EQ(os.events_matching({ "ioctl" }),
		  (std::vector<std::string>{ "ioctl CLEANUP_SETUP count=2",
					     "ioctl CLEANUP_SETUP count=0" }));
}

TEST_F(DeviceTest, ValidatesTheCleanupProgramBeforeTheIoctl)
{
	auto device = Device::open(node, context);
	ASSERT_TRUE(device);
	std::vector<RegisterWrite> seventeen(17, RegisterWrite{ 0, 0 });
	EXPECT_FALSE(device->set_cleanup_program(seventeen));
	const RegisterWrite unaligned[] = { { 0x06, 0 } };
	EXPECT_FALSE(device->set_cleanup_program(unaligned));
	EXPECT_TRUE(os.events_matching({ "ioctl" }).empty());
}

TEST_F(DeviceTest, ExplainsDriverErrorsOfTheCleanupProgram)
{
	auto device = Device::open(node, context);
	ASSERT_TRUE(device);
	const RegisterWrite program[] = { { 0x04, 1 } };
	os.fail_ioctl(0xC0086302u, ENODEV);
	auto removed = device->set_cleanup_program(program);
	ASSERT_FALSE(removed);
	EXPECT_EQ(removed.error().code(), ENODEV);
	EXPECT_TRUE(contains(removed.error().message(), "board was removed"));
	os.fail_ioctl(0xC0086302u, EFAULT);
	auto fault = device->set_cleanup_program(program);
	ASSERT_FALSE(fault);
	EXPECT_TRUE(contains(fault.error().message(), "EFAULT"));
}

TEST_F(DeviceTest, TheDriverRunsTheProgramWhenTheFileCloses)
{
	{
		auto device = Device::open(node, context);
		ASSERT_TRUE(device);
		const RegisterWrite program[] = { { 0x04, 0xabc } };
		ASSERT_TRUE(device->set_cleanup_program(program));
	}
	ASSERT_EQ(os.replayed[node].size(), 1u);
	EXPECT_EQ(os.replayed[node][0].value, 0xabcu);
	EXPECT_FALSE(os.node_is_open(node));
}

TEST_F(DeviceTest, MovesOwnershipOfTheFile)
{
	auto opened = Device::open(node, context);
	ASSERT_TRUE(opened);
	Device a = std::move(*opened);
	EXPECT_FALSE(opened->is_open());
	Device b = std::move(a);
	EXPECT_FALSE(a.is_open());
	EXPECT_TRUE(b.is_open());
	EXPECT_EQ(b.board().node, node);
	auto closed = a.set_cleanup_program({});
	ASSERT_FALSE(closed);
	EXPECT_EQ(closed.error().code(), EBADF);

	auto other = Device::open(node, context);
	EXPECT_FALSE(other); /* still open, in b */
	b = std::move(a);    /* drops b's file */
	EXPECT_FALSE(os.node_is_open(node));
	EXPECT_EQ(os.events_matching({ "open", "close" }).size(), 3u);
}

TEST_F(DeviceTest, BuffersKeepTheFileOpenAfterTheDeviceGoes)
{
	auto device = Device::open(node, context);
	ASSERT_TRUE(device);
	auto buffer = ScatterGatherBuffer::lock(*device, 8192);
	ASSERT_TRUE(buffer);
	device->close();
	EXPECT_FALSE(device->is_open());
	EXPECT_TRUE(os.node_is_open(node));
	EXPECT_TRUE(buffer->unlock());
	EXPECT_FALSE(os.node_is_open(node));
	EXPECT_EQ(os.events_matching({ "ioctl", "munmap", "close" }),
		  (std::vector<std::string>{ "ioctl LOCK_BUFFER id=0 pages=2",
					     "ioctl UNLOCK_BUFFER id=0",
					     "munmap sg id=0",
					     "close " + node }));
}

} // namespace
} // namespace crono::test
