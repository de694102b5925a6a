// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl dispatch: the five requests of the vendor ABI, by their exact numbers.
 * Each handler copies its argument in and validates every field before it
 * allocates anything, pins what it will write back (a UserWindow), and only
 * then takes the board lock for the device part: no user memory is touched
 * under that lock, so a stalled fault never blocks open, removal or the
 * file's other requests. It writes back only what the ABI says it returns.
 */
#include "open_file.h"

#include "cxxrt/errno.h"
#include "requests.h"
#include "user_window.h"

namespace crono {

namespace {

template <typename T> Result<T> copy_in(u64 user_addr) noexcept
{
	T value;
	CRONO_TRY(from_errno(
		crono_kcopy_from_user(&value, user_addr, sizeof(value))));
	return move(value);
}

} // namespace

long OpenFile::ioctl(u32 request, u64 arg) noexcept
{
	{
		/* After removal every request fails alike, whatever its
		 * argument. */
		MutexGuard guard(board().lock());
		if (detached_)
			return -ENODEV;
	}
	Result<void> result{};
	switch (request) {
	case IOCTL_CRONO_LOCK_BUFFER:
		result = lock_sg(arg);
		break;
	case IOCTL_CRONO_UNLOCK_BUFFER:
		result = unlock_sg(arg);
		break;
	case IOCTL_CRONO_CLEANUP_SETUP:
		result = setup_cleanup(arg);
		break;
	case IOCTL_CRONO_LOCK_CONTIG_BUFFER:
		result = lock_contig(arg);
		break;
	case IOCTL_CRONO_UNLOCK_CONTIG_BUFFER:
		result = unlock_contig(arg);
		break;
	default:
		return -ENOTTY;
	}
	return result.to_errno();
}

Result<void> OpenFile::lock_sg(u64 arg) noexcept
{
	auto info = CRONO_TRY(copy_in<CRONO_SG_BUFFER_INFO>(arg));
	const auto request =
		CRONO_TRY(validate_sg_request(info, crono_kpage_size()));

	/* A full file touches no memory: a retry would pin and map pages the
	 * caller still has locked, only to give them back. The id taken under
	 * the lock below decides. */
	CRONO_TRY(check_id_room());
	/* User memory first, without a lock: pins may fault and stall. */
	auto buffer = CRONO_TRY(SgBuffer::pin(board().pci(), request));
	auto table = CRONO_TRY(UserWindow::pin(request.page_table_addr,
					       request.entries * sizeof(u64)));
	auto reply = CRONO_TRY(UserWindow::pin(arg, sizeof(info)));

	MutexGuard guard(board().lock());
	if (detached_)
		return Error::from_errno(-ENODEV);
	/* Declared after the guard: a failure returns it under the lock. */
	auto id = CRONO_TRY(ids_.allocate());
	CRONO_TRY(buffer->map());
	CRONO_TRY(buffer->write_page_table(table));
	buffer->set_id(move(id));
	/* The library reads back only the id. */
	info.id = buffer->id();
	reply.write(0, info);

	board().locked_buffers.add(1);
	board().pinned_bytes.add(buffer->pinned_bytes());
	board().bookkeeping_bytes.add(buffer->bookkeeping_bytes());
	crono_klog(board().pci(), CRONO_LOG_DEBUG,
		   "locked S/G buffer %d: %llu bytes, %llu pages\n", info.id,
		   request.size, request.entries);
	sg_buffers_.push_back(move(buffer));
	return {};
}

Result<void> OpenFile::unlock_sg(u64 arg) noexcept
{
	const s32 id = CRONO_TRY(copy_in<s32>(arg));
	MutexGuard guard(board().lock());
	if (detached_)
		return Error::from_errno(-ENODEV);
	for (SgBuffer &buffer : sg_buffers_) {
		if (buffer.id() == id) {
			release_sg(buffer);
			return {};
		}
	}
	return Error::from_errno(-EINVAL);
}

Result<void> OpenFile::setup_cleanup(u64 arg) noexcept
{
	const auto info = CRONO_TRY(copy_in<CRONO_KERNEL_CMDS_INFO>(arg));
	if (info.count > CRONO_KERNEL_CMDS_MAX)
		return Error::from_errno(-EINVAL);

	CRONO_KERNEL_CMD commands[CRONO_KERNEL_CMDS_MAX];
	CRONO_TRY(from_errno(crono_kcopy_from_user(
		commands, info.ucmds, info.count * sizeof(commands[0]))));

	MutexGuard guard(board().lock());
	if (detached_)
		return Error::from_errno(-ENODEV);
	/* Replaced only by a valid program; a bad one keeps the old. */
	cleanup_ = CRONO_TRY(CleanupProgram::validate(
		Span<const CRONO_KERNEL_CMD>(commands, info.count),
		crono_kpci_bar0_len(board().pci())));
	return {};
}

Result<void> OpenFile::lock_contig(u64 arg) noexcept
{
	auto info = CRONO_TRY(copy_in<CRONO_CONTIG_BUFFER_INFO>(arg));
	const u64 size =
		CRONO_TRY(validate_contig_request(info, crono_kpage_size()));
	auto reply = CRONO_TRY(UserWindow::pin(arg, sizeof(info)));
	CRONO_TRY(check_id_room());
	/* Coherent memory is locked memory like pinned pages. */
	auto charge = CRONO_TRY(MemlockCharge::take(size / crono_kpage_size()));

	MutexGuard guard(board().lock());
	if (detached_)
		return Error::from_errno(-ENODEV);
	CRONO_TRY(check_contig_room(size));
	auto id = CRONO_TRY(ids_.allocate());
	auto buffer = CRONO_TRY(ContigBuffer::allocate(*this, board().pci(),
						       size, move(charge)));
	buffer->set_id(move(id));
	info.addr = 0; /* no kernel address leaves the kernel */
	info.dma_handle = buffer->dma_addr();
	info.id = buffer->id();
	reply.write(0, info);

	board().locked_buffers.add(1);
	board().coherent_bytes.add(size);
	board().coherent_buffers.add(1);
	MutexGuard mappings_guard(board().mappings_lock());
	contig_held_++;
	contig_held_bytes_ += size;
	contig_buffers_.push_back(move(buffer));
	return {};
}

Result<void> OpenFile::unlock_contig(u64 arg) noexcept
{
	const s32 id = CRONO_TRY(copy_in<s32>(arg));
	MutexGuard guard(board().lock());
	if (detached_)
		return Error::from_errno(-ENODEV);
	MutexGuard mappings_guard(board().mappings_lock());
	for (ContigBuffer &buffer : contig_buffers_) {
		if (buffer.id() == id && !buffer.unlocked()) {
			buffer.unlock();
			board().locked_buffers.sub(1);
			/* Memory stays while a mapping does. */
			reap(buffer);
			return {};
		}
	}
	return Error::from_errno(-EINVAL);
}

} // namespace crono
