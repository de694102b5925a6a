// SPDX-License-Identifier: GPL-2.0
#include "harness.h"

#include <cstring>

bool operator==(const struct crono_board_stats &a,
		const struct crono_board_stats &b)
{
	return a.locked_buffers == b.locked_buffers &&
	       a.pinned_bytes == b.pinned_bytes &&
	       a.coherent_bytes == b.coherent_bytes &&
	       a.coherent_buffers == b.coherent_buffers &&
	       a.bookkeeping_bytes == b.bookkeeping_bytes;
}

void PrintTo(const struct crono_board_stats &stats, std::ostream *out)
{
	*out << "{ locked_buffers " << stats.locked_buffers << ", pinned_bytes "
	     << stats.pinned_bytes << ", coherent_bytes "
	     << stats.coherent_bytes << ", coherent_buffers "
	     << stats.coherent_buffers << ", bookkeeping_bytes "
	     << stats.bookkeeping_bytes << " }";
}

namespace host {

long Dev::open()
{
	return crono_file_open(board, &kfile, &file);
}

long Dev::open_again()
{
	crono_kfile other;
	crono_open_file *second = nullptr;
	const long ret = crono_file_open(board, &other, &second);
	if (ret == 0) {
		ADD_FAILURE() << "a second open of " << name << " succeeded";
		crono_file_release(second);
	} else {
		EXPECT_EQ(second, nullptr) << "a refused open set the file";
	}
	return ret;
}

void Dev::release()
{
	if (!file)
		return;
	crono_file_release(file);
	file = nullptr;
}

void Dev::remove()
{
	if (!board || removed)
		return;
	crono_board_remove(board);
	removed = true;
}

crono_vma *Dev::map_contig(s32 id, u64 len)
{
	crono_vma *vma = fake::vma_new(&kfile, u64(id), len);
	EXPECT_EQ(fake::vma_mmap(file, vma), 0) << "mmap of buffer " << id;
	return vma;
}

long Dev::mmap(u64 pgoff, u64 len, bool shared)
{
	return fake::vma_mmap(file, fake::vma_new(&kfile, pgoff, len, shared));
}

void Dev::shutdown()
{
	crono_board_shutdown(board);
}

void Dev::put_board()
{
	if (put)
		return;
	if (board)
		crono_board_put(board);
	crono_kpci_put(&pci);
	put = true;
}

long Dev::ioctl(u32 request, u64 arg)
{
	return crono_file_ioctl(file, request, arg);
}

SgLock Dev::lock_sg(u64 pages)
{
	const u64 addr = fake::user_map(pages * page, fake::prot_rw, false);
	const u64 table = fake::user_map(pages * sizeof(u64));
	const std::vector<u64> fill(pages, unwritten);
	fake::user_write(table, fill.data(), pages * sizeof(u64));
	return lock_sg(addr, pages * page, table, u32(pages));
}

SgLock Dev::lock_sg(u64 addr, u64 size, u64 table, u32 entries)
{
	SgLock lock;
	lock.addr = lock.in.addr = addr;
	lock.size = lock.in.size = size;
	lock.table = lock.in.upages = table;
	lock.entries = lock.in.pages_count = entries;
	lock.in.pages = 0x5a5a5a5a5a5a5a5aull; /* ignored, must come back */
	lock.in.id = -77;
	ioctl_lock(IOCTL_CRONO_LOCK_BUFFER, lock);
	return lock;
}

long Dev::unlock_sg(s32 id)
{
	return ioctl(IOCTL_CRONO_UNLOCK_BUFFER, fake::user_new(id));
}

ContigLock Dev::lock_contig(u64 size)
{
	ContigLock lock;
	lock.in.size = size;
	lock.in.addr = 0x1111;
	lock.in.pUserAddr = 0x2222;
	lock.in.dma_handle = 0x3333;
	lock.in.id = -77;
	lock.in.reserved = 0x4444;
	ioctl_lock(IOCTL_CRONO_LOCK_CONTIG_BUFFER, lock);
	return lock;
}

long Dev::unlock_contig(s32 id)
{
	return ioctl(IOCTL_CRONO_UNLOCK_CONTIG_BUFFER, fake::user_new(id));
}

long Dev::cleanup(const std::vector<CRONO_KERNEL_CMD> &commands)
{
	u64 ucmds = 0;
	if (!commands.empty()) {
		ucmds = fake::user_map(commands.size() *
				       sizeof(CRONO_KERNEL_CMD));
		fake::user_write(ucmds, commands.data(),
				 commands.size() * sizeof(CRONO_KERNEL_CMD));
	}
	return cleanup(ucmds, u32(commands.size()));
}

long Dev::cleanup(u64 ucmds, u32 count)
{
	CRONO_KERNEL_CMDS_INFO info{};
	info.cmds = 0xdeadbeef; /* ignored by the kernel */
	info.ucmds = ucmds;
	info.count = count;
	return ioctl(IOCTL_CRONO_CLEANUP_SETUP, fake::user_new(info));
}

std::vector<u64> Dev::read_table(const SgLock &lock) const
{
	std::vector<u64> table(lock.entries);
	fake::user_read(lock.table, table.data(), table.size() * sizeof(u64));
	return table;
}

struct crono_board_stats Dev::stats()
{
	struct crono_board_stats stats {};
	crono_board_stats(board, &stats);
	return stats;
}

Rig::Rig(bool open_file)
{
	fake::reset();
	EXPECT_EQ(crono_core_init(), 0);
	core_ = true;
	long ret = 0;
	add(crono_pci_location{ 0, 3, 0, 0, 0x1A13, 0x06 }, open_file, &ret);
	EXPECT_EQ(ret, 0);
	baseline_ = fake::held();
}

Dev &Rig::add(const crono_pci_location &loc, bool open_file, long *ret)
{
	devs_.push_back(std::make_unique<Dev>());
	Dev &dev = *devs_.back();
	dev.pci.loc = loc;
	*ret = crono_board_create(&dev.pci, &dev.board, dev.name,
				  sizeof(dev.name));
	if (*ret) {
		dev.board = nullptr;
		return dev;
	}
	if (open_file)
		*ret = dev.open();
	return dev;
}

Rig::~Rig()
{
	/* As at process exit: the mappings go before the files. (A test
	 * that stopped at a failed assertion may have left some.) */
	fake::vma_close_all();
	for (auto &dev : devs_) {
		dev->release();
		dev->remove();
		dev->put_board();
	}
	if (core_)
		crono_core_exit();
	for (auto &dev : devs_)
		EXPECT_EQ(dev->pci.refs, 0)
			<< "board " << dev->name
			<< ": every reference to the PCI function was dropped";
	EXPECT_TRUE(fake::clean())
		<< "after unwinding everything: " << fake::held();
}

void Rig::expect_at_baseline(const std::string &context) const
{
	EXPECT_EQ(fake::held(), baseline_)
		<< context << ": held beyond the baseline";
}

Writes bar0_writes(long from)
{
	Writes writes;
	for (long i : fake::indexes_of(Event::bar0_write, from))
		writes.emplace_back(fake::records()[size_t(i)].a,
				    fake::records()[size_t(i)].b);
	return writes;
}

void expect_sg_release_order(long from, const SgLock &lock)
{
	using fake::first;
	using fake::with_a;
	const long appended =
		first(Event::sgt_append, 0,
		      [&](const fake::Record &r) { return r.b == lock.addr; });
	ASSERT_GE(appended, 0) << "no sg table for the buffer";
	const u64 sgt = fake::records()[size_t(appended)].a;
	const long unmap = first(Event::dma_unmap, from, with_a(sgt));
	const long unpin = first(Event::sgt_unpin, from, with_a(sgt));
	const long destroy = first(Event::sgt_destroy, from, with_a(sgt));
	const long uncharge =
		first(Event::memlock_uncharge, destroy < 0 ? from : destroy,
		      with_a(lock.entries));
	EXPECT_GE(unmap, from) << "buffer at " << std::hex << lock.addr;
	EXPECT_LT(unmap, unpin) << fake::dump_records();
	EXPECT_LT(unpin, destroy) << fake::dump_records();
	EXPECT_LT(destroy, uncharge) << fake::dump_records();
}

} // namespace host
