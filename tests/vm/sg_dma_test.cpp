// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Scatter/gather locks end to end: the page table the driver fills is
// checked by the edu DMA engine; physical addresses, IOVAs, the swiotlb
// refusal, and no long-term pin of a file the kernel writes back.
#include "fixture.h"

#include <sys/mount.h>

using namespace vt;

namespace {

class SgDma_PlainIommuInstalled : public BoardTest {};
class SgDma_PlainIommu : public BoardTest {};
class SgDma_Iommu : public BoardTest {};
class SgDma_Swiotlb : public BoardTest {};

void sg_lock_and_dma(size_t size, size_t nrandom, uint64_t seed)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	const Pins base = read_pins();
	sg_round_trip(board(0).bar, fd.get(), size,
		      pick_pairs(size / kPage, nrandom, seed));
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
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	const Pins base = read_pins();
	SgBuf x, y, z;
	bool ok = true;
	for (SgBuf *b : { &x, &y, &z })
		ok = b->lock(fd.get(), 64 << 10) && ok;
	ASSERT_TRUE(ok);
	EXPECT_TRUE(x.id != y.id && y.id != z.id && x.id != z.id)
		<< "ids " << x.id << " " << y.id << " " << z.id;
	EXPECT_TRUE(pins_moved_by(base, 48))
		<< "with three 64 KiB buffers locked";
	EXPECT_TRUE(succeeds(y.unlock())) << "UNLOCK_BUFFER(" << y.id << ")";
	EXPECT_TRUE(pins_moved_by(base, 32))
		<< "after unlocking the middle buffer";
	// From a page of the first buffer to a page of the third: both tables
	// still valid.
	EXPECT_TRUE(dma_round_trip(board(0).bar, x.page(3), x.table[3],
				   z.page(7), z.table[7]))
		<< "buffer 1 page 3 -> buffer 3 page 7 after unlocking buffer "
		   "2";
	EXPECT_TRUE(succeeds(fd.reset())) << "close";
	x.locked = z.locked = false;
	EXPECT_TRUE(pins_moved_by(base, 0))
		<< "after closing the file with two buffers locked";
}

// The physical addresses of buf's pages (/proc/self/pagemap), from the first
// up to the first that pagemap does not tell (a failure).
std::vector<uint64_t> physical_addresses(const SgBuf &buf)
{
	std::vector<uint64_t> pa;
	Fd pagemap = open_fd("/proc/self/pagemap", O_RDONLY);
	EXPECT_TRUE(succeeds(pagemap.err())) << "open /proc/self/pagemap";
	for (size_t i = 0; pagemap.valid() && i < buf.count; i++) {
		uint64_t e = 0;
		const off_t at = off_t(uaddr(buf.page(i)) / kPage * 8);
		const bool read = pread(pagemap.get(), &e, 8, at) == 8;
		const uint64_t pfn = e & ((1ull << 55) - 1);
		if (read && e >> 63 && pfn) {
			pa.push_back(pfn * kPage);
			continue;
		}
		ADD_FAILURE()
			<< "page " << i << ": "
			<< (!read ? "reading /proc/self/pagemap: " +
					    errno_name(errno)
			    : !(e >> 63)
				    ? std::string("not present in pagemap")
				    : "pagemap hides PFNs (no CAP_SYS_ADMIN?)");
		break;
	}
	return pa;
}

// Without an IOMMU the page table holds the pages' physical addresses
// (pagemap); behind it IOVAs, so no entry may equal its page's physical
// address. (A coincidence is impossible there: the IOVA allocator works down
// from 4 GiB and the guest has 1 GiB of RAM.) The DMA tests prove the IOVAs
// work.
// The same user pages may be locked as several buffers at once (docs/abi.md):
// each has its own mapping, device DMA through any of them reaches the pages,
// and unlocking some leaves the pins of the others. Nine times: more than
// the seven mappings of one cacheline DMA-API debug keeps count of.
TEST_F(SgDma_PlainIommu, SamePagesLockedNineTimes)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	const Pins base = read_pins();
	SgBuf first;
	ASSERT_TRUE(first.lock(fd.get(), 2 * kPage));
	std::vector<std::vector<uint64_t>> tables(8, std::vector<uint64_t>(2));
	std::vector<int32_t> ids;
	for (std::vector<uint64_t> &table : tables) {
		CRONO_SG_BUFFER_INFO info = sg_info(first.mem.addr(), 2 * kPage,
						    uaddr(table.data()), 2);
		ASSERT_TRUE(succeeds(lock_sg(fd.get(), &info)))
			<< "lock " << ids.size() + 2 << " of the same pages";
		ASSERT_TRUE(aligned_entries(table.data(), 2));
		ids.push_back(info.id);
	}
	EXPECT_TRUE(pins_moved_by(base, 18)) << "nine locks of two pages";
	EXPECT_TRUE(dma_round_trip(board(0).bar, first.page(0),
				   tables.back()[0], first.page(1),
				   tables.back()[1]))
		<< "through the ninth buffer's table";
	for (int32_t id : ids)
		EXPECT_TRUE(succeeds(unlock_sg(fd.get(), id))) << id;
	EXPECT_TRUE(pins_moved_by(base, 2))
		<< "the first buffer keeps its pins";
	EXPECT_TRUE(first.dma_check(board(0).bar, { { 1, 0 } }));
	EXPECT_TRUE(succeeds(first.unlock()));
	EXPECT_TRUE(pins_moved_by(base, 0));
}

TEST_F(SgDma_PlainIommu, DmaAddresses)
{
	const bool iommu = g.setup == IOMMU;
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	SgBuf buf;
	if (buf.lock(fd.get(), 64 << 10)) {
		const std::vector<uint64_t> pa = physical_addresses(buf);
		for (size_t i = 0; i < pa.size(); i++)
			EXPECT_TRUE((buf.table[i] == pa[i]) != iommu)
				<< "entry " << i << " is " << hex(buf.table[i])
				<< ", its page's physical address "
				<< hex(pa[i])
				<< (iommu ? ": expected an IOVA"
					  : ": expected the same");
	}
	EXPECT_TRUE(succeeds(buf.unlock())) << "UNLOCK_BUFFER";
}

TEST_F(SgDma_Iommu, IommuActive)
{
	EXPECT_FALSE(list_dir("/sys/kernel/iommu_groups").empty())
		<< "/sys/kernel/iommu_groups is empty or missing";
	for (const Board &b : g.boards) {
		const std::string t =
			read_text(b.sysfs() + "/iommu_group/type");
		EXPECT_TRUE(t == "DMA" || t == "DMA-FQ")
			<< b.pci << ": iommu_group/type is '" << t
			<< "', expected DMA or DMA-FQ";
	}
}

TEST_F(SgDma_Swiotlb, SwiotlbRefused)
{
	Fd fd = open_node_checked(0);
	ASSERT_TRUE(fd.valid());
	Kmsg kmsg;
	ASSERT_TRUE(kmsg.open_at_end());
	Mapping mem = Mapping::anon(64 << 10);
	ASSERT_TRUE(mem.ok());
	std::vector<uint64_t> table(17, 0);
	table[16] = kSentinel;
	const Pins base = read_pins();
	CRONO_SG_BUFFER_INFO info =
		sg_info(mem.addr(), mem.size(), uaddr(table.data()), 16);
	const int e = lock_sg(fd.get(), &info);
	EXPECT_TRUE(fails_with(e, EOPNOTSUPP))
		<< "LOCK_BUFFER under swiotlb=force";
	if (!e)
		unlock_sg(fd.get(), info.id);
	EXPECT_TRUE(pins_moved_by(base, 0))
		<< "after the refused LOCK_BUFFER, file still open";
	const std::vector<std::string> lines = kmsg.read_new();
	auto names_swiotlb = [](const std::string &line) {
		const std::string l = lower(line);
		return l.find("crono") != std::string::npos &&
		       (l.find("swiotlb") != std::string::npos ||
			l.find("bounce") != std::string::npos);
	};
	EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), names_swiotlb))
		<< "no kernel log line from the driver mentioning swiotlb or "
		   "bounce ("
		<< lines.size() << " new records"
		<< (lines.empty() ? "" : ", last: " + lines.back()) << ")";
}

// Mounts the initramfs's ext4 image at dir through loop0, loading ext4, loop
// and their dependencies from /modules first.
void mount_ext4_image(const std::string &dir)
{
	std::ifstream order("/modules/order");
	ASSERT_TRUE(order) << "no /modules/order in the initramfs";
	for (std::string name; std::getline(order, name);) {
		const int e = load_module("/modules/" + name + ".ko");
		ASSERT_TRUE(e == 0 || e == EEXIST)
			<< "loading " << name << ": " << errno_name(e);
	}
	ASSERT_TRUE(wait_until(5.0, [] { return exists("/dev/loop0"); }));
	ASSERT_EQ(system("losetup /dev/loop0 /ext4.img"), 0);
	mkdir(dir.c_str(), 0755);
	const int e =
		errno_of(mount("/dev/loop0", dir.c_str(), "ext4", 0, nullptr));
	if (e)
		(void)!system("losetup -d /dev/loop0");
	ASSERT_TRUE(succeeds(e)) << "mount -t ext4 /dev/loop0 " << dir;
}

// LOCK_BUFFER of [addr, addr + size) succeeds; unlocked again at once.
void lock_then_unlock(int fd, const std::string &what, uint64_t addr,
		      uint64_t size, std::vector<uint64_t> &table)
{
	CRONO_SG_BUFFER_INFO info = sg_info(addr, size, uaddr(table.data()),
					    uint32_t(table.size()));
	const int e = lock_sg(fd, &info);
	EXPECT_TRUE(succeeds(e)) << "LOCK_BUFFER " << what;
	if (!e) {
		EXPECT_TRUE(succeeds(unlock_sg(fd, info.id)));
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
	ASSERT_NO_FATAL_FAILURE(mount_ext4_image(dir));
	Fd fd = open_node_checked(0);
	const size_t size = 64 << 10;
	std::vector<uint64_t> table(size / kPage);
	const int rw = PROT_READ | PROT_WRITE;
	{
		Fd file(open((dir + "/ring").c_str(),
			     O_RDWR | O_CREAT | O_CLOEXEC, 0600));
		ASSERT_TRUE(file.valid() && ftruncate(file.get(), size) == 0);
		Mapping shared =
			Mapping::map(size, rw, MAP_SHARED, file.get(), 0);
		Mapping priv =
			Mapping::map(size, rw, MAP_PRIVATE, file.get(), 0);
		ASSERT_TRUE(fd.valid() && shared.ok() && priv.ok());
		memset(shared.data(), 0x5a, size);
		lock_expect(fd.get(), "of a shared mapping of an ext4 file",
			    shared.addr(), size, uaddr(table.data()),
			    uint32_t(table.size()), { EFAULT });
		lock_then_unlock(fd.get(),
				 "of a private mapping of an ext4 file",
				 priv.addr(), size, table);
	}
	{
		Fd mem(memfd_create("crono-ring", MFD_CLOEXEC));
		ASSERT_TRUE(mem.valid() && ftruncate(mem.get(), size) == 0);
		Mapping shared =
			Mapping::map(size, rw, MAP_SHARED, mem.get(), 0);
		ASSERT_TRUE(shared.ok());
		lock_then_unlock(fd.get(), "of a shared mapping of a memfd",
				 shared.addr(), size, table);
	}
	EXPECT_TRUE(succeeds(errno_of(umount(dir.c_str()))))
		<< "umount " << dir;
	EXPECT_EQ(system("losetup -d /dev/loop0"), 0);
}

} // namespace
