// SPDX-License-Identifier: GPL-2.0
#include "requests.h"

#include "cxxrt/errno.h"
#include "driver_limits.h"

namespace crono {

Result<SgRequest> validate_sg_request(const CRONO_SG_BUFFER_INFO &info,
				      u64 kernel_page_size) noexcept
{
	const Error invalid = Error::from_errno(-EINVAL);

	if (info.addr == 0 || !is_aligned(info.addr, kernel_page_size))
		return invalid;
	if (info.size == 0)
		return invalid;
	u64 end;
	if (add_overflows(info.addr, info.size, &end))
		return invalid;
	if (info.pages_count !=
	    div_round_up(info.size, limits::device_page_size))
		return invalid;
	/* Within the ABI, but more than this driver pins at once. */
	if (info.size > limits::max_sg_buffer_bytes)
		return Error::from_errno(-ENOMEM);

	SgRequest request;
	request.user_addr = info.addr;
	request.size = info.size;
	request.page_table_addr = info.upages;
	request.entries = info.pages_count;
	request.kernel_pages = div_round_up(info.size, kernel_page_size);
	return move(request);
}

Result<u64> validate_contig_request(const CRONO_CONTIG_BUFFER_INFO &info,
				    u64 kernel_page_size) noexcept
{
	if (info.size == 0)
		return Error::from_errno(-EINVAL);
	if (info.size > limits::max_contig_buffer_bytes)
		return Error::from_errno(-ENOMEM);
	return div_round_up(info.size, kernel_page_size) * kernel_page_size;
}

} // namespace crono
