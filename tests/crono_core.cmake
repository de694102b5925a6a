# SPDX-License-Identifier: GPL-2.0
#
# The driver's C++ core for host builds, from the one list of its sources,
# kernel/sources.mk: shared by the host tests (tests/host) and the fuzzer
# (tests/fuzz), so both compile exactly the module's C++ objects.
#
# crono_make_list(VAR NAME): the files of kernel/sources.mk's `NAME := ...`,
# as absolute paths.
# crono_core_library(TARGET): an OBJECT library of crono_core_sources (the
# core without the freestanding runtime), with the include paths its users
# need too.
include_guard(DIRECTORY)

get_filename_component(CRONO_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(CRONO_SOURCES_MK ${CRONO_ROOT}/kernel/sources.mk)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${CRONO_SOURCES_MK})
file(READ ${CRONO_SOURCES_MK} CRONO_SOURCES_TEXT)
string(REPLACE "\\\n" " " CRONO_SOURCES_TEXT "${CRONO_SOURCES_TEXT}")

function(crono_make_list var name)
  if(NOT CRONO_SOURCES_TEXT MATCHES "(^|\n)${name} :=([^\n]*)")
    message(FATAL_ERROR "no ${name} in ${CRONO_SOURCES_MK}")
  endif()
  string(REGEX MATCHALL "[^ \t]+" files "${CMAKE_MATCH_2}")
  list(TRANSFORM files PREPEND ${CRONO_ROOT}/kernel/)
  set(${var} ${files} PARENT_SCOPE)
endfunction()

function(crono_core_library target)
  crono_make_list(sources crono_core_sources)
  add_library(${target} OBJECT ${sources})
  # kernel/ only for quoted includes, so no header there can shadow a
  # system one.
  target_include_directories(${target} PUBLIC ${CRONO_ROOT}/uapi)
  target_compile_options(${target} PUBLIC -iquote ${CRONO_ROOT}/kernel)
endfunction()
