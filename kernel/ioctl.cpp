// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl dispatch: the five requests of the vendor ABI, by their exact numbers.
 * Each handler copies its argument in, validates every field before it
 * allocates anything, and copies back only what the ABI says it returns.
 */
#include "open_file.h"

#include "cxxrt/errno.h"
#include "requests.h"

namespace crono {

namespace {

template <typename T> Result<T> copy_in(u64 user_addr) noexcept
{
	T value;
	CRONO_TRY(from_errno(
		crono_kcopy_from_user(&value, user_addr, sizeof(value))));
	return move(value);
}

template <typename T>
Result<void> copy_out(u64 user_addr, const T &value) noexcept
{
	return from_errno(
		crono_kcopy_to_user(user_addr, &value, sizeof(value)));
}

} // namespace

long OpenFile::ioctl(u32 request, u64 arg) noexcept
{
	MutexGuard guard(board_.lock());
	if (detached_)
		return -ENODEV;

	Result<void> result;
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
	return result.error().code();
}

Result<void> OpenFile::lock_sg(u64 arg) noexcept
{
	auto info = CRONO_TRY(copy_in<CRONO_SG_BUFFER_INFO>(arg));
	const auto request =
		CRONO_TRY(validate_sg_request(info, crono_kpage_size()));
	const s32 id = CRONO_TRY(ids_.allocate());

	auto locked = SgBuffer::lock(board_.pci(), request);
	Result<void> done = locked.is_error()
				    ? Result<void>(locked.error())
				    : locked.value()->write_page_table();
	if (done) {
		/* The library reads back only the id. */
		info.id = id;
		done = copy_out(arg, info);
	}
	if (done.is_error()) {
		ids_.release(id);
		return done; /* the half-built buffer releases itself */
	}

	SgBuffer *buffer = locked.value().leak();
	buffer->id = id;
	sg_buffers_.push_back(*buffer);
	board_.locked_buffers.add(1);
	board_.pinned_bytes.add(buffer->pinned_bytes());
	crono_klog(board_.pci(), CRONO_LOG_DEBUG,
		   "locked S/G buffer %d: %llu bytes, %llu pages\n", id,
		   request.size, request.entries);
	return {};
}

Result<void> OpenFile::unlock_sg(u64 arg) noexcept
{
	const s32 id = CRONO_TRY(copy_in<s32>(arg));
	for (SgBuffer &buffer : sg_buffers_) {
		if (buffer.id == id) {
			release_sg(&buffer);
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
	/* Replaced only by a valid program; a bad one keeps the old. */
	cleanup_ = CRONO_TRY(CleanupProgram::validate(
		Span<const CRONO_KERNEL_CMD>(commands, info.count),
		crono_kpci_bar0_len(board_.pci())));
	return {};
}

Result<void> OpenFile::lock_contig(u64 arg) noexcept
{
	auto info = CRONO_TRY(copy_in<CRONO_CONTIG_BUFFER_INFO>(arg));
	const u64 size =
		CRONO_TRY(validate_contig_request(info, crono_kpage_size()));
	const s32 id = CRONO_TRY(ids_.allocate());

	auto allocated = ContigBuffer::allocate(*this, board_.pci(), size);
	Result<void> done = allocated.is_error()
				    ? Result<void>(allocated.error())
				    : Result<void>();
	if (done) {
		info.addr = 0; /* no kernel address leaves the kernel */
		info.dma_handle = allocated.value()->dma_addr;
		info.id = id;
		done = copy_out(arg, info);
	}
	if (done.is_error()) {
		ids_.release(id);
		return done;
	}

	ContigBuffer *buffer = allocated.value().leak();
	buffer->id = id;
	{
		MutexGuard guard(board_.mappings_lock());
		contig_buffers_.push_back(*buffer);
	}
	board_.locked_buffers.add(1);
	board_.coherent_bytes.add(size);
	return {};
}

Result<void> OpenFile::unlock_contig(u64 arg) noexcept
{
	const s32 id = CRONO_TRY(copy_in<s32>(arg));
	MutexGuard guard(board_.mappings_lock());
	for (ContigBuffer &buffer : contig_buffers_) {
		if (buffer.id == id && !buffer.unlocked) {
			buffer.unlocked = true;
			ids_.release(id);
			board_.locked_buffers.sub(1);
			/* Memory stays while a mapping does. */
			reap(buffer);
			return {};
		}
	}
	return Error::from_errno(-EINVAL);
}

} // namespace crono
