// SPDX-License-Identifier: GPL-2.0
#include "result.h"

namespace crono {

/* Out of line: the slow path of every Error::from_errno(). */
Error Error::not_an_errno(int value) noexcept
{
	crono_klog(nullptr, CRONO_LOG_WARN,
		   "not an errno: %d, returning -EINVAL\n", value);
	return Error(-EINVAL);
}

} // namespace crono
