# SPDX-License-Identifier: GPL-2.0
#
# C++ objects in kbuild.
#
# A .cpp file compiles with the kernel's own C flags of this very build
# ($(c_flags), so code model, mitigations, hardening, ftrace and stack
# protector options all carry over) minus what g++ rejects, plus the
# freestanding C++ dialect. objtool and the dependency tracking run exactly as
# kbuild runs them for C objects. Included from a Kbuild file; the including
# file lists the objects as usual (foo-y += bar.o for bar.cpp).

# The C++ compiler that pairs with the kernel's C compiler: gcc-12 -> g++-12,
# clang -> clang++.
CRONO_CXX ?= $(if $(findstring clang,$(CC)),$(subst clang,clang++,$(CC)),$(subst gcc,g++,$(CC)))

# C-only options of the kernel's C flags. Kernel include paths and the forced
# includes go too: C++ reaches the kernel only through the glue header, and
# the build enforces that by not letting it find kernel headers at all.
crono_cxx_rejected = -std=gnu89 -std=gnu99 -std=gnu11 -std=gnu17 \
	-Wstrict-prototypes -Werror=strict-prototypes \
	-Werror=implicit-function-declaration -Werror=implicit-int \
	-Werror=incompatible-pointer-types -Werror=designated-init \
	-Wno-pointer-sign -Wdeclaration-after-statement -Wmissing-prototypes \
	-Wold-style-definition -Wno-old-style-declaration -Wno-override-init \
	-Werror=return-type -Wimplicit-fallthrough=5 -Wno-alloc-size-larger-than \
	-Wpacked-not-aligned -Wmissing-declarations -Wmissing-include-dirs \
	-include %/kconfig.h %/compiler_types.h %/compiler-version.h \
	$(LINUXINCLUDE) $(filter -I%,$(c_flags))

crono_cxx_dialect := -std=gnu++17 -fno-exceptions -fno-rtti \
	-fno-threadsafe-statics -fno-use-cxa-atexit -nostdinc++ -ffreestanding \
	-fno-asynchronous-unwind-tables -fno-unwind-tables \
	-Wno-missing-field-initializers -Werror=return-type

# C++ debug info breaks BTF encoding of the module (pahole 1.24 on C++
# DWARF); the C glue keeps its own.
crono_cxx_nodebug := -g -gdwarf-4 -gdwarf-5 -gz=zlib -gsplit-dwarf \
	-fno-var-tracking -femit-struct-debug-baseonly

cxx_flags = $(filter-out $(crono_cxx_rejected) $(crono_cxx_nodebug), $(c_flags)) \
	$(crono_cxx_dialect) $(CRONO_CXX_INCLUDES)

# A C++ object must not carry constructors: the module loader runs them only
# on kernels built with CONFIG_CONSTRUCTORS, so they would silently not run.
# KASAN instruments globals with constructors of its own; that is the one
# allowed case.
ifndef CONFIG_KASAN
cmd_crono_no_ctors = if $(OBJDUMP) -h $@ | grep -qE '\.(init_array|ctors)'; then \
	echo "error: $@ has a global constructor (.init_array/.ctors)" >&2; \
	rm -f $@; exit 1; fi
endif

# Nor may it carry an out-of-line copy of an inline function (a COMDAT
# section, .text._Z...): the kernel's linker scripts place no such section (a
# built-in link reports it as an orphan), and where two objects carry the
# same copy the module link drops one that __patchable_function_entries still
# names (kernels with call padding fail to link). See docs/architecture.md,
# "Building".
cmd_crono_no_comdat = if $(OBJDUMP) -h $@ | grep -qE ' \.[a-z.]+\._Z'; then \
	echo "error: $@ has out-of-line inline functions:" >&2; \
	$(OBJDUMP) -h $@ | grep -oE ' \.[a-z.]+\._Z[^ ]*' >&2; \
	echo "  define them in a .cpp, or mark a small template member CRONO_ALWAYS_INLINE" >&2; \
	rm -f $@; exit 1; fi

quiet_cmd_cc_o_cpp = C++ $(quiet_modtag) $@
      cmd_cc_o_cpp = $(CRONO_CXX) $(cxx_flags) -c -o $@ $< $(cmd_objtool)

define rule_cc_o_cpp
	$(call cmd_and_fixdep,cc_o_cpp)
	$(call cmd,crono_no_ctors)
	$(call cmd,crono_no_comdat)
	$(call cmd,gen_objtooldep)
	$(call cmd,record_mcount)
endef

$(obj)/%.o: $(src)/%.cpp FORCE
	$(call if_changed_rule,cc_o_cpp)
