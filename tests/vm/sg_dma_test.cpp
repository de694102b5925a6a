// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Scatter/gather locks end to end: the page table the driver fills is
// checked by the edu DMA engine; physical addresses, IOVAs, the swiotlb
// refusal, and no long-term pin of a file the kernel writes back.
#include "fixture.h"

#include <dirent.h>
#include <sys/mount.h>

using namespace vt;

namespace {

class SgDma_PlainIommuInstalled : public BoardTest {};
class SgDma_PlainIommu : public BoardTest {};
class SgDma_Iommu : public BoardTest {};
class SgDma_Swiotlb : public BoardTest {};

void sg_lock_and_dma(size_t size, size_t nrandom, uint64_t seed)
{
	const Board &b = board(0);
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	Pins base = read_pins();
	SgBuf buf;
	bool ok = sg_lock_checked(fd.get(), size, &buf);
	// DMA only into a table that passed the checks: the device writes
	// wherever it says.
	if (ok)
		sg_dma_check(b.bar, buf, pick_pairs(buf.count, nrandom, seed));
	if (buf.locked) {
		int e = buf.unlock();
		EXPECT_TRUE(no_error(e)) << strf("UNLOCK_BUFFER(%d)", buf.id);
	}
	EXPECT_TRUE(pins_moved_by(base, 0))
		<< "after UNLOCK_BUFFER, file still open";
}

TEST_F(SgDma_PlainIommuInstalled, SgLock4k)
{
	sg_lock_and_dma(4096, 0, 1);
}
TEST_F(SgDma_PlainIommuInstalled, SgLock64k)
{
	sg_lock_and_dma(64 << 10, 2, 2);
}
TEST_F(SgDma_PlainIommuInstalled, SgLock4m)
{
	sg_lock_and_dma(4 << 20, 2, 3);
}
TEST_F(SgDma_PlainIommu, SgLock256m)
{
	sg_lock_and_dma(256 << 20, 4, 4);
}

// Several buffers in one file: distinct ids, unlocking one leaves the others
// intact, and closing the file releases what is still locked.
TEST_F(SgDma_PlainIommu, SgMultiClose)
{
	const Board &b = board(0);
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	Pins base = read_pins();
	SgBuf x, y, z;
	bool ok = sg_lock_checked(fd.get(), 64 << 10, &x);
	ok = sg_lock_checked(fd.get(), 64 << 10, &y) && ok;
	ok = sg_lock_checked(fd.get(), 64 << 10, &z) && ok;
	ASSERT_TRUE(ok);
	EXPECT_TRUE(x.id != y.id && y.id != z.id && x.id != z.id)
		<< strf("ids not distinct: %d %d %d", x.id, y.id, z.id);
	EXPECT_TRUE(pins_moved_by(base, 48))
		<< "with three 64 KiB buffers locked";
	int e = y.unlock();
	EXPECT_TRUE(no_error(e)) << strf("UNLOCK_BUFFER(%d)", y.id);
	EXPECT_TRUE(pins_moved_by(base, 32))
		<< "after unlocking the middle buffer";
	// From a page of the first buffer to a page of the third: both tables
	// still valid.
	std::string err;
	EXPECT_TRUE(dma_check_pair(b.bar, x.page(3), x.table[3], z.page(7),
				   z.table[7], &err))
		<< strf("DMA check buffer 1 page 3 -> buffer 3 page 7 after "
			"unlocking buffer 2: %s",
			err.c_str());
	EXPECT_TRUE(fd.reset() == 0)
		<< strf("close: %s", errno_name(errno).c_str());
	x.locked = z.locked = false;
	EXPECT_TRUE(pins_moved_by(base, 0))
		<< "after closing the file with two buffers locked";
}

// The physical addresses of buf's pages, from the first up to the first that
// pagemap does not tell (a failure).
std::vector<uint64_t> physical_addresses(const SgBuf &buf)
{
	std::vector<uint64_t> pa;
	for (size_t i = 0; i < buf.count; i++) {
		std::string err;
		const uint64_t a = phys_addr_of(buf.page(i), &err);
		if (!a) {
			ADD_FAILURE() << strf("page %zu: %s", i, err.c_str());
			break;
		}
		pa.push_back(a);
	}
	return pa;
}

// Without an IOMMU the page table holds the pages' physical addresses
// (pagemap); behind it IOVAs, so no entry may equal its page's physical
// address. (A coincidence is impossible there: the IOVA allocator works down
// from 4 GiB and the guest has 1 GiB of RAM.) The DMA tests prove the IOVAs
// work.
TEST_F(SgDma_PlainIommu, DmaAddresses)
{
	const bool iommu = g.setup == IOMMU;
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	SgBuf buf;
	if (sg_lock_checked(fd.get(), 64 << 10, &buf)) {
		const std::vector<uint64_t> pa = physical_addresses(buf);
		for (size_t i = 0; i < pa.size(); i++) {
			EXPECT_TRUE((buf.table[i] == pa[i]) != iommu) << strf(
				"entry %zu is 0x%llx, its page's physical "
				"address 0x%llx: %s",
				i,
				static_cast<unsigned long long>(buf.table[i]),
				static_cast<unsigned long long>(pa[i]),
				iommu ? "expected an IOVA"
				      : "expected the same");
		}
	}
	int e = buf.unlock();
	EXPECT_TRUE(no_error(e)) << "UNLOCK_BUFFER";
}

TEST_F(SgDma_Iommu, IommuActive)
{
	size_t groups = 0;
	if (DIR *d = opendir("/sys/kernel/iommu_groups")) {
		while (struct dirent *e = readdir(d))
			if (e->d_name[0] != '.')
				groups++;
		closedir(d);
	}
	EXPECT_TRUE(groups > 0)
		<< "/sys/kernel/iommu_groups is empty or missing";
	for (auto &b : g.boards) {
		std::string t;
		bool have = read_file(b->sysfs() + "/iommu_group/type", &t);
		t = trim(t);
		EXPECT_TRUE(have && (t == "DMA" || t == "DMA-FQ")) << strf(
			"%s: iommu_group/type is '%s', expected DMA or DMA-FQ",
			b->pci.c_str(), have ? t.c_str() : "(missing)");
	}
}

TEST_F(SgDma_Swiotlb, SwiotlbRefused)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	Kmsg kmsg;
	std::string err;
	ASSERT_TRUE(kmsg.open_at_end(&err)) << err;
	Mapping mem = Mapping::anon(64 << 10);
	ASSERT_TRUE(mem.ok());
	std::vector<uint64_t> table(17, 0);
	table[16] = kSentinel;
	Pins base = read_pins();
	CRONO_SG_BUFFER_INFO info =
		sg_info(mem.addr(), mem.size(), uaddr(table.data()), 16);
	const ::testing::AssertionResult refused =
		fails_with(sys(ioctl(fd.get(), IOCTL_CRONO_LOCK_BUFFER, &info)),
			   EOPNOTSUPP);
	EXPECT_TRUE(refused) << "LOCK_BUFFER under swiotlb=force";
	if (!refused && info.id >= 0)
		unlock_sg(fd.get(), info.id);
	EXPECT_TRUE(pins_moved_by(base, 0))
		<< "after the refused LOCK_BUFFER, file still open";
	bool found = false;
	auto lines = kmsg.read_new();
	for (auto &l : lines) {
		std::string s = lower(l);
		if (s.find("crono") != std::string::npos &&
		    (s.find("swiotlb") != std::string::npos ||
		     s.find("bounce") != std::string::npos))
			found = true;
	}
	EXPECT_TRUE(found) << strf(
		"no kernel log line from the driver mentioning swiotlb or "
		"bounce (%zu new records%s%s)",
		lines.size(), lines.empty() ? "" : ", last: ",
		lines.empty() ? "" : lines.back().c_str());
}

// Mounts the initramfs's ext4 image at dir through loop0, loading ext4, loop
// and their dependencies from /modules first.
void mount_ext4_image(const std::string &dir)
{
	std::string order;
	ASSERT_TRUE(read_file("/modules/order", &order))
		<< "no /modules/order in the initramfs";
	std::istringstream names(order);
	for (std::string name; std::getline(names, name);) {
		SysRes r = finit_module_path("/modules/" + name + ".ko");
		ASSERT_TRUE(r.ok() || r.err == EEXIST)
			<< strf("loading %s: %s", name.c_str(),
				errno_name(r.err).c_str());
	}
	ASSERT_TRUE(wait_until(5.0, [] { return exists("/dev/loop0"); }));
	ASSERT_TRUE(system("losetup /dev/loop0 /ext4.img") == 0)
		<< "losetup /dev/loop0 /ext4.img failed";
	mkdir(dir.c_str(), 0755);
	const int e = mount("/dev/loop0", dir.c_str(), "ext4", 0, nullptr)
			      ? errno
			      : 0;
	if (e)
		(void)!system("losetup -d /dev/loop0");
	ASSERT_TRUE(no_error(e))
		<< strf("mount -t ext4 /dev/loop0 %s", dir.c_str());
}

// LOCK_BUFFER of [addr, addr + size) succeeds; unlocked again at once.
void lock_then_unlock(int fd, const std::string &what, uint64_t addr,
		      uint64_t size, std::vector<uint64_t> &table)
{
	CRONO_SG_BUFFER_INFO info = sg_info(addr, size, uaddr(table.data()),
					    uint32_t(table.size()));
	const bool locked =
		succeeds(sys(ioctl(fd, IOCTL_CRONO_LOCK_BUFFER, &info)));
	EXPECT_TRUE(locked) << "LOCK_BUFFER " << what;
	if (locked) {
		EXPECT_TRUE(unlock_sg(fd, info.id) == 0);
	}
}

// A long-term writable pin of a file the kernel writes back would let the
// device write behind the file system's back: LOCK_BUFFER of a shared
// mapping of a file on ext4 is refused with EFAULT on every kernel (6.12's
// GUP refuses it itself, 6.1's does not), leaving nothing pinned. A private
// mapping of the same file (copied on write) and shared memory stay allowed.
TEST_F(SgDma_PlainIommu, FileBackedPinRefused)
{
	const std::string dir = "/tmp/ext4";
	mount_ext4_image(dir);
	if (HasFailure())
		return;
	Fd fd = open_node_checked(0);
	const size_t size = 64 << 10;
	std::vector<uint64_t> table(size / kPage);
	const uint64_t upages = uaddr(table.data());
	{
		Fd file = open_fd(dir + "/ring", O_RDWR | O_CREAT);
		ASSERT_TRUE(file.valid() && ftruncate(file.get(), size) == 0);
		Mapping shared = Mapping::map(size, PROT_READ | PROT_WRITE,
					      MAP_SHARED, file.get(), 0);
		Mapping priv = Mapping::map(size, PROT_READ | PROT_WRITE,
					    MAP_PRIVATE, file.get(), 0);
		ASSERT_TRUE(fd.valid() && shared.ok() && priv.ok());
		memset(shared.data(), 0x5a, size);
		lock_expect(fd.get(), "of a shared mapping of an ext4 file",
			    shared.addr(), size, upages, uint32_t(table.size()),
			    { EFAULT });
		lock_then_unlock(fd.get(),
				 "of a private mapping of an ext4 file",
				 priv.addr(), size, table);
	}
	{
		Fd mem(memfd_create("crono-ring", MFD_CLOEXEC));
		ASSERT_TRUE(mem.valid() && ftruncate(mem.get(), size) == 0);
		Mapping shared = Mapping::map(size, PROT_READ | PROT_WRITE,
					      MAP_SHARED, mem.get(), 0);
		ASSERT_TRUE(shared.ok());
		lock_then_unlock(fd.get(), "of a shared mapping of a memfd",
				 shared.addr(), size, table);
	}
	EXPECT_TRUE(umount(dir.c_str()) == 0) << strf(
		"umount %s: %s", dir.c_str(), errno_name(errno).c_str());
	EXPECT_TRUE(system("losetup -d /dev/loop0") == 0);
}

} // namespace
