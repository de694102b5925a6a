# shellcheck shell=bash
# What building crono_pci_drvmod for a kernel needs, installed from Debian
# packages when missing. Sourced by scripts/install and scripts/load, which
# define say and die.

# shellcheck source=packages.sh
source "$(dirname "${BASH_SOURCE[0]}")/packages.sh"

# kernel_compiler KDIR: the C compiler the kernel was built with (first word of
# CONFIG_CC_VERSION_TEXT, e.g. gcc-12 or x86_64-linux-gnu-gcc-12).
kernel_compiler() {
	sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\).*/\1/p' "$1/.config" 2>/dev/null
}

# debian_package_of COMMAND: the Debian package that provides COMMAND
# (x86_64-linux-gnu-g++-12 and g++-12 both come with g++-12).
debian_package_of() {
	local cmd=${1#*-linux-gnu-}
	case $cmd in
	modprobe | depmod | insmod | rmmod | modinfo) echo kmod ;;
	*) echo "$cmd" ;;
	esac
}

# check_prerequisites RELEASE TOOL...: install what building for RELEASE needs
# (its headers, the kernel's compiler and the matching g++) and the TOOLs, or
# say what is missing and how to get it.
check_prerequisites() {
	local kver=$1 kdir=/lib/modules/$1/build missing=() cc cmd
	shift
	if [[ ! -f $kdir/.config ]]; then
		missing+=("linux-headers-$kver")
		say "missing: the headers of kernel $kver ($kdir), package linux-headers-$kver"
	fi
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null && continue
		missing+=("$(debian_package_of "$cmd")")
		say "missing: $cmd, package $(debian_package_of "$cmd")"
	done
	install_missing "${missing[@]}"

	# The compiler is known once the headers are there.
	cc=$(kernel_compiler "$kdir")
	[[ -n $cc ]] || die "$kdir/.config names no compiler (CONFIG_CC_VERSION_TEXT)"
	missing=()
	for cmd in "$cc" "${cc/gcc/g++}"; do
		command -v "$cmd" >/dev/null && continue
		missing+=("$(debian_package_of "$cmd")")
		say "missing: $cmd (kernel $kver was built with $cc), package $(debian_package_of "$cmd")"
	done
	install_missing "${missing[@]}"
}

install_missing() {
	(($#)) || return 0
	CRONO_APT_UPDATE=0 ensure_packages "$@" ||
		die "could not install $*" \
			"Run 'apt-get update' and try again. A kernel without packaged headers" \
			"(linux-headers-RELEASE) needs its build tree at /lib/modules/RELEASE/build;" \
			"on a system other than Debian, install the equivalent packages."
}
