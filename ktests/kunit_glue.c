// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit for the C++ test bodies: they cannot include kernel headers, so they
 * report through these functions (see kunit_cxx.h).
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "crono_kunit.h"

void crono_kunit_fail(struct kunit *test, const char *file, int line,
		      const char *expr)
{
	KUNIT_FAIL(test, "%s:%d: expected %s", kbasename(file), line, expr);
}

void crono_kunit_fail_cmp(struct kunit *test, const char *file, int line,
			  const char *lhs, const char *op, const char *rhs,
			  long long lhs_value, long long rhs_value)
{
	KUNIT_FAIL(test,
		   "%s:%d: expected %s %s %s, but\n"
		   "\t%s == %lld (0x%llx)\n\t%s == %lld (0x%llx)",
		   kbasename(file), line, lhs, op, rhs, lhs, lhs_value,
		   (unsigned long long)lhs_value, rhs, rhs_value,
		   (unsigned long long)rhs_value);
}

void crono_kunit_log(struct kunit *test, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	kunit_info(test, "%pV", &vaf);
	va_end(args);
}

void *crono_kunit_alloc(crono_usize size)
{
	return kvzalloc(size, GFP_KERNEL);
}

void crono_kunit_free(void *ptr)
{
	kvfree(ptr);
}
