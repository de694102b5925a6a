/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The errno values the driver returns. The numbers are the Linux ABI; the
 * core cannot include kernel headers, so it names the few it needs here.
 * Host test builds take the C library's macros, which are the same numbers.
 */
#pragma once

#if __STDC_HOSTED__
#include <errno.h>
#else
namespace crono {
enum : int {
	ENOENT = 2,
	EINTR = 4,
	EIO = 5,
	E2BIG = 7,
	ENOMEM = 12,
	EFAULT = 14,
	EEXIST = 17,
	EBUSY = 16,
	ENODEV = 19,
	EINVAL = 22,
	ENOTTY = 25,
	ERANGE = 34,
	ENAMETOOLONG = 36,
	EOVERFLOW = 75,
	EOPNOTSUPP = 95,
};
} // namespace crono
#endif
