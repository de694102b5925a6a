/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The errno names of the core (errno_list.h). Host test builds take the C
 * library's macros, which are the same numbers.
 */
#pragma once

#if __STDC_HOSTED__
#include <errno.h>
#else
#include "errno_list.h"

namespace crono {
enum : int {
#define CRONO_ERRNO_ENUMERATOR(name, value) name = value,
	CRONO_ERRNO_LIST(CRONO_ERRNO_ENUMERATOR)
#undef CRONO_ERRNO_ENUMERATOR
};
} // namespace crono
#endif
