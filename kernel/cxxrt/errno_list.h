/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The errno values the core returns, by name and number: the Linux ABI. The
 * core cannot include kernel headers, so cxxrt/errno.h defines its names from
 * this list, and the glue (which sees the kernel's <linux/errno.h>) checks
 * every number against the kernel's at build time. Plain C.
 */
#ifndef CRONO_ERRNO_LIST_H
#define CRONO_ERRNO_LIST_H

#define CRONO_ERRNO_LIST(X)                                                    \
	X(ENOENT, 2)                                                           \
	X(EINTR, 4)                                                            \
	X(EIO, 5)                                                              \
	X(E2BIG, 7)                                                            \
	X(ENOMEM, 12)                                                          \
	X(EFAULT, 14)                                                          \
	X(EBUSY, 16)                                                           \
	X(EEXIST, 17)                                                          \
	X(ENODEV, 19)                                                          \
	X(EINVAL, 22)                                                          \
	X(ENOTTY, 25)                                                          \
	X(ERANGE, 34)                                                          \
	X(ENAMETOOLONG, 36)                                                    \
	X(EOVERFLOW, 75)                                                       \
	X(EOPNOTSUPP, 95)

#endif /* CRONO_ERRNO_LIST_H */
