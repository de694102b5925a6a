# shellcheck shell=bash disable=SC2034 # functions set globals for the scripts that source it
# What the test scripts share: messages, the package installer, the compiler cache and the
# choice of Debian kernels. Sourced by tests/*/run, tests/module-build, tests/dkms-build and
# tests/format-check; ROOT is the clone (set here when the caller has not).
#
# Downloads and unpacked kernels live under $CRONO_CACHE (~/.cache/crono) and survive `git clean`;
# products of this checkout (module, test program, initramfs, logs) live under $ROOT/build.
# Everything is rebuilt when absent, so a fresh machine needs only apt and this script.

CRONO_CACHE=${CRONO_CACHE:-$HOME/.cache/crono}
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=${ROOT:-$(cd "$TESTS_DIR/.." && pwd)}
# shellcheck source=../scripts/packages.sh
source "$ROOT/scripts/packages.sh"

# Kernel series we test: one regex per series over the linux-headers-* package names.
KERNEL_SERIES_RE=('6\.1\.0-[0-9]+-amd64' '6\.12\.[0-9]+\+deb12-amd64')

# What the guest console must never show. Lockdep and DMA-API debug only WARN, and an oops in a
# process context does not stop the boot, so the console is the only place these show up.
# A checker that switched itself off checks nothing from then on, and a task hung for minutes is
# a deadlock. What DMA-API debug says at every boot is no problem.
KERNEL_PROBLEM_RE='BUG:|WARNING:|Oops|Kernel panic|KASAN:|UBSAN:|DMA-API:|circular locking|inconsistent lock state|sleeping function called|general protection|Disabling lock debugging|turning off the locking correctness validator|blocked for more than'
KERNEL_BENIGN_RE='DMA-API: (preallocated [0-9]+ debug entries|debugging enabled by kernel config)$'

say() { printf '%s\n' "$*" >&2; }
die() {
	say "${CRONO_PART:-$(basename "$0")}: error: $*"
	exit 1
}

# ---------------------------------------------------------------------------------------------
# Kernel versions

# same_candidate PKG1 PKG2: both have an installation candidate, and it is the same version.
# One apt-cache call for both: each call costs about half a second.
same_candidate() {
	apt-cache policy "$1" "$2" 2>/dev/null | awk '
		/^[^ ]/ { n++ }
		$1 == "Candidate:" { c[n] = $2 }
		END { exit !(n == 2 && c[1] != "" && c[1] != "(none)" && c[1] == c[2]) }'
}

# newest_kernel REGEX NAMES: the newest release R matching REGEX, among the package names NAMES
# (apt-cache pkgnames linux-headers-), for which linux-headers-R and linux-image-R are the same
# version. The headers are what the module is built against, the image what it is loaded into:
# both must come from the same kernel build.
newest_kernel() {
	local re=$1 names=$2 ver
	for ver in $(grep -E "^linux-headers-$re\$" <<<"$names" | sed 's/^linux-headers-//' | sort -rV); do
		if same_candidate "linux-headers-$ver" "linux-image-$ver"; then
			echo "$ver"
			return 0
		fi
	done
	return 1
}

# select_kernels [WORD...]: set KERNELS to the releases to test. Words are full releases
# (6.1.0-56-amd64) or a series (6.1, 6.12) meaning its newest release. No words: $CRONO_KERNELS,
# else the newest release of each series in KERNEL_SERIES_RE.
select_kernels() {
	local words=("$@") w re ver names=""
	((${#words[@]})) || read -ra words <<<"${CRONO_KERNELS:-}"
	((${#words[@]})) || words=(6.1 6.12)
	KERNELS=()
	for w in "${words[@]}"; do
		case $w in
		6.1) re=${KERNEL_SERIES_RE[0]} ;;
		6.12) re=${KERNEL_SERIES_RE[1]} ;;
		[0-9]*-amd64)
			KERNELS+=("$w")
			continue
			;;
		*) die "unknown kernel '$w' (want 6.1, 6.12 or a release such as 6.1.0-56-amd64)" ;;
		esac
		[[ -n $names ]] || names=$(apt-cache pkgnames linux-headers-)
		if ! ver=$(newest_kernel "$re" "$names"); then
			apt_update_once
			names=$(apt-cache pkgnames linux-headers-)
			ver=$(newest_kernel "$re" "$names") ||
				die "apt knows no linux-headers/linux-image pair for $re"
		fi
		KERNELS+=("$ver")
	done
}

# ---------------------------------------------------------------------------------------------
# Kernel sources, for the kernels the tests build (ktests/run, tests/vm/debug_kernel.sh)

# kernel_source SERIES PARENT: unpack Debian's linux-source-SERIES once to
# PARENT/linux-source-VERSION and set KERNEL_SRC to it and KERNEL_SRC_VERSION to the package
# version. Unpacked beside and renamed, so an interrupted unpack is never taken for a finished one.
kernel_source() {
	local series=$1 parent=$2 pkg=linux-source-$1 tarball=/usr/src/linux-source-$1.tar.xz
	ensure_packages "$pkg" xz-utils tar || die "cannot install $pkg"
	KERNEL_SRC_VERSION=$(dpkg-query -W -f='${Version}' "$pkg")
	KERNEL_SRC=$parent/linux-source-${KERNEL_SRC_VERSION//\~/+}
	[[ ! -e $KERNEL_SRC/.crono-unpacked ]] || return 0
	[[ -r $tarball ]] || die "$tarball missing"
	say "unpacking $tarball ($KERNEL_SRC_VERSION) to $KERNEL_SRC"
	rm -rf "$KERNEL_SRC" "$parent/.unpack"
	mkdir -p "$parent/.unpack" &&
		tar -C "$parent/.unpack" -xf "$tarball" &&
		mv "$parent/.unpack/linux-source-$series" "$KERNEL_SRC" &&
		rmdir "$parent/.unpack" &&
		touch "$KERNEL_SRC/.crono-unpacked" ||
		die "unpacking $tarball failed"
}

# ---------------------------------------------------------------------------------------------
# Compiler cache for the test builds. The cache lives in
# $CRONO_CACHE/ccache and paths are taken relative to the clone, so a fresh
# clone recompiles nothing that an earlier run on this machine compiled.
#
# ccache_setup: set CCACHE (the compiler prefix) and CCACHE_CMAKE (the CMake
# arguments), both empty when ccache is not installed.
ccache_setup() {
	export CCACHE_DIR=${CRONO_CACHE:-$HOME/.cache/crono}/ccache CCACHE_BASEDIR=$ROOT
	export CCACHE_NOHASHDIR=true CCACHE_MAXSIZE=4G
	CCACHE=()
	CCACHE_CMAKE=()
	if command -v ccache >/dev/null 2>&1; then
		CCACHE=(ccache)
		CCACHE_CMAKE=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
	fi
}

# ---------------------------------------------------------------------------------------------
# QEMU, for tests/vm and tests/guest

# Every boot: TCG (KVM hangs on these machines), no display (-nographic: the first serial port
# on stdio unless the arguments name the serial ports), no network. One TCG thread for all
# vCPUs: with a thread per vCPU, a 6.12 boot on a busy host once died on the breakpoint that
# the kernel's text patching plants in code another CPU runs ("Oops: int3" in
# sched_clock_idle_wakeup_event, before the module was loaded). The vCPUs still interleave,
# so concurrency tests keep their meaning.
QEMU_BASE=(qemu-system-x86_64 -accel tcg,thread=single -nographic -net none)
# The stand-in board (tests/edu/edu_regs.h). A 64-bit dma_mask: the default 28-bit mask would
# make the device drop address bits.
QEMU_EDU=(-device edu,dma_mask=0xffffffffffffffff)

# run_qemu SECONDS LOG KERNEL INITRD APPEND QEMU_ARG...: boot KERNEL with INITRD and the
# command line APPEND for at most SECONDS, QEMU's output (and so the serial console, unless
# QEMU_ARG sends it elsewhere) to LOG. Returns QEMU's exit status: 0 after the guest powered
# off, 124 on timeout (-k: a QEMU that ignores SIGTERM is killed 10 s later), other values
# when QEMU itself aborted (e.g. "hardware error: EDU: DMA range ... out of bounds"). stdin is
# /dev/null so that QEMU never reads from the terminal or CI's absent stdin.
run_qemu() {
	local secs=$1 log=$2 kernel=$3 initrd=$4 append=$5
	shift 5
	mkdir -p "$(dirname "$log")"
	timeout -k 10 "$secs" "${QEMU_BASE[@]}" -kernel "$kernel" -initrd "$initrd" \
		-append "$append" "$@" </dev/null >"$log" 2>&1
}

# ---------------------------------------------------------------------------------------------
# Results of crono_vmtest (tests/vm), in a VM or in the guest

# gtest_results TEXT: TEXT holds the output of `crono_vmtest --gtest_list_tests` between the
# lines CRONO-GTEST-LIST-BEGIN and CRONO-GTEST-LIST-END, then that of the run. Prints
# `ok<TAB>SUITE.TEST` for every listed test that GoogleTest reported `[       OK ]`, and
# `FAIL<TAB>SUITE.TEST` for every other one: it failed, or it never finished (the program
# crashed, or the boot timed out).
gtest_results() {
	awk '
		/CRONO-GTEST-LIST-BEGIN/ { listing = 1; next }
		/CRONO-GTEST-LIST-END/ { listing = 0; next }
		# Parameterized names carry "/" and a "# GetParam() = ..." comment.
		listing && /^[A-Za-z0-9_\/]+\.( +#.*)?$/ { suite = $1; next }
		listing && /^  [A-Za-z0-9_\/]+( +#.*)?$/ { order[++n] = suite $1; next }
		match($0, /\[       OK \] [A-Za-z0-9_\/]+\.[A-Za-z0-9_\/]+/) {
			ok[substr($0, RSTART + 13, RLENGTH - 13)] = 1
		}
		END { for (i = 1; i <= n; i++) print (order[i] in ok ? "ok" : "FAIL") "\t" order[i] }
	' <<<"$1"
}

# gtest_failures TEXT [MAX]: what GoogleTest printed for each failed test (its `Failure`
# messages), at most MAX lines (default 40).
gtest_failures() {
	awk -v max="${2:-40}" '
		/^\[ RUN      \] / { block = ""; inside = 1; next }
		/^\[       OK \] / { inside = 0; next }
		/^\[  FAILED  \] .* \(/ { printf "%s", block; print; inside = 0; next }
		inside && !/^#/ { block = block $0 "\n" }
	' <<<"$1" | head -n "${2:-40}"
}

