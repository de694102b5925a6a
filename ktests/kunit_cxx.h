/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Expectations for C++ test bodies. They never abort the test (no
 * unwinding in the kernel): a failed expectation is reported and the body
 * goes on or returns by itself, so its destructors still run.
 */
#pragma once

#include "crono_kunit.h"
#include "cxxrt/utility.h"

#define CRONO_KEXPECT(test, cond)                                              \
	do {                                                                   \
		if (!(cond))                                                   \
			crono_kunit_fail((test), __FILE__, __LINE__, #cond);   \
	} while (0)

#define CRONO_KEXPECT_CMP(test, a, op, b)                                      \
	({                                                                     \
		const long long _crono_a = (long long)(a);                     \
		const long long _crono_b = (long long)(b);                     \
		const bool _crono_ok = _crono_a op _crono_b;                   \
		if (!_crono_ok)                                                \
			crono_kunit_fail_cmp((test), __FILE__, __LINE__, #a,   \
					     #op, #b, _crono_a, _crono_b);     \
		_crono_ok;                                                     \
	})

/* Each yields whether it held, so a loop can stop at the first failure. */
#define CRONO_KEXPECT_EQ(test, a, b) CRONO_KEXPECT_CMP(test, a, ==, b)
#define CRONO_KEXPECT_NE(test, a, b) CRONO_KEXPECT_CMP(test, a, !=, b)
#define CRONO_KEXPECT_LE(test, a, b) CRONO_KEXPECT_CMP(test, a, <=, b)
#define CRONO_KEXPECT_LT(test, a, b) CRONO_KEXPECT_CMP(test, a, <, b)

/* The errno of a Result, 0 for success. */
#define CRONO_KERRNO(result) ((result).error().code())

/* Internal linkage throughout: nothing here becomes a COMDAT section. */
namespace crono_kt {
namespace {

using crono::size_t;
using crono::u64;

/* A zeroed array from the kernel's allocator, freed with its owner. */
template <typename T> class Array {
public:
	explicit Array(size_t count) noexcept
	    : data_(static_cast<T *>(crono_kunit_alloc(count * sizeof(T)))),
	      size_(data_ ? count : 0)
	{
	}
	~Array() { crono_kunit_free(data_); }
	Array(const Array &) = delete;
	Array &operator=(const Array &) = delete;

	explicit operator bool() const noexcept { return data_ != nullptr; }
	T *data() const noexcept { return data_; }
	size_t size() const noexcept { return size_; }
	T &operator[](size_t i) const noexcept { return data_[i]; }

private:
	T *data_;
	size_t size_;
};

} // namespace
} // namespace crono_kt
