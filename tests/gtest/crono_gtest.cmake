# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# GoogleTest under AddressSanitizer and UBSan, shared by the host tests of
# the core (tests/host) and the user-space tests (userspace/tests). Include
# it before the directory's targets: everything compiled there afterwards,
# GoogleTest included, is instrumented the same way.
#
# crono_gtest(NAME SOURCE...): a test binary with GoogleTest's main. Each of
# its test cases becomes a ctest test run in a process of its own, so a
# sanitizer report that aborts the process fails that test case only, and a
# leak reported at exit fails the test whose process leaked.
include_guard(DIRECTORY)

option(CRONO_SANITIZE "Build the tests under ASan and UBSan" ON)
if(CRONO_SANITIZE)
  set(CRONO_SANITIZE_FLAGS -fsanitize=address,undefined
    -fno-sanitize-recover=all)
  add_compile_options(${CRONO_SANITIZE_FLAGS})
  add_link_options(${CRONO_SANITIZE_FLAGS})
endif()
add_compile_options(-g -fno-omit-frame-pointer)

# Debian's googletest package ships the sources: built here with the flags
# above. Elsewhere an installed GoogleTest will do.
set(CRONO_GTEST_SRC /usr/src/googletest CACHE PATH "GoogleTest sources")
if(EXISTS "${CRONO_GTEST_SRC}/CMakeLists.txt")
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  set(BUILD_GMOCK ON CACHE BOOL "" FORCE)
  add_subdirectory("${CRONO_GTEST_SRC}" googletest EXCLUDE_FROM_ALL)
  set(CRONO_GTEST gmock gtest_main)
else()
  find_package(GTest REQUIRED)
  set(CRONO_GTEST GTest::gmock GTest::gtest_main)
endif()

include(GoogleTest)
enable_testing()

function(crono_gtest name)
  add_executable(${name} ${ARGN}
    ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/sanitizer_options.cpp)
  target_link_libraries(${name} PRIVATE ${CRONO_GTEST})
  # Listing the tests runs the binary once; give a loaded machine time.
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 120)
endfunction()
