# shellcheck shell=bash disable=SC2034 # sets globals for tests/vm/run
# The debug kernel of the VM suite: Debian's linux-source-6.12, configured from allnoconfig plus
# tests/vm/debug.config (KASAN, kmemleak, lockdep, DMA-API debug, fault injection), built once
# under $CRONO_CACHE/debug-kernel and rebuilt when the source package, the fragment or the
# compiler changes. Sourced by tests/vm/lib.sh.

DEBUG_KERNEL_CACHE=$CRONO_CACHE/debug-kernel
DEBUG_KERNEL_CONFIG=$VM_DIR/debug.config
DEBUG_KERNEL_CC=gcc-12 # Debian's 6.12 kernels are built with gcc 12
# The setups the debug kernel boots in (issue: the IOMMU, removal and the plain machine).
DEBUG_KERNEL_SETUPS=(plain iommu hotplug)
# TCG runs a KASAN, lockdep and kmemleak kernel about three times slower.
DEBUG_KERNEL_SLOWDOWN=3
# Four-level paging: with QEMU's five-level (la57) CPU, generic KASAN reports a wild access
# in the first interrupt of the boot, before any module is loaded.
# crono.debug=1 tells crono_vmtest to run its OnDebugKernel suites too.
DEBUG_KERNEL_APPEND="no5lvl crono.debug=1"

# fragment_lines FILE: its CONFIG_ lines, comments dropped.
fragment_lines() { grep -E '^CONFIG_[A-Za-z0-9_]+=' "$1"; }

# fragment_applied CONFIG FRAGMENT: every line of FRAGMENT holds in CONFIG (=n: unset there).
fragment_applied() {
	local config=$1 line bad=0
	while IFS= read -r line; do
		if [[ $line == *=n ]]; then
			! grep -qE "^${line%=n}=[ym]" "$config" && continue
		elif grep -qxF "$line" "$config"; then
			continue
		fi
		say "debug kernel: '$line' did not survive olddefconfig (now:" \
			"$(grep -E "^(# )?${line%%=*}[= ]" "$config" || echo unset))"
		bad=1
	done < <(fragment_lines "$2")
	return $bad
}

# ensure_debug_kernel: build the debug kernel unless the cache has it; set DEBUG_KERNEL_DIR (the
# build tree, which is also what the module builds against), DEBUG_KERNEL_RELEASE and
# KERNEL_VMLINUZ.
ensure_debug_kernel() {
	ensure_packages make "$DEBUG_KERNEL_CC" bc bison flex libelf-dev libssl-dev cpio kmod
	mkdir -p "$DEBUG_KERNEL_CACHE"
	exec {lock}>"$DEBUG_KERNEL_CACHE/.lock"
	flock "$lock" || die "cannot lock $DEBUG_KERNEL_CACHE/.lock"
	kernel_source 6.12 "$DEBUG_KERNEL_CACHE"
	local key dir log
	key=$({
		echo "$KERNEL_SRC_VERSION"
		fragment_lines "$DEBUG_KERNEL_CONFIG"
		"$DEBUG_KERNEL_CC" --version | sed -n 1p
	} | sha256sum | cut -c1-12)
	dir=$DEBUG_KERNEL_CACHE/build-$key
	log=$DEBUG_KERNEL_CACHE/build-$key.log
	if [[ ! -e $dir/.crono-built ]]; then
		# One build kept: each is about 1.5 GB.
		rm -rf "$DEBUG_KERNEL_CACHE"/build-*
		mkdir -p "$dir"
		say "vm: building the debug kernel in $dir (about 15 minutes on 2 CPUs; log: $log)"
		local make=(make -C "$KERNEL_SRC" O="$dir" CC="$DEBUG_KERNEL_CC")
		{ "${make[@]}" allnoconfig &&
			KCONFIG_CONFIG=$dir/.config "$KERNEL_SRC/scripts/kconfig/merge_config.sh" -m \
				-O "$dir" "$dir/.config" "$DEBUG_KERNEL_CONFIG" &&
			"${make[@]}" olddefconfig; } >"$log" 2>&1 || die "configuring the debug kernel failed (log: $log)"
		fragment_applied "$dir/.config" "$DEBUG_KERNEL_CONFIG" ||
			die "the debug kernel's config lacks lines of $DEBUG_KERNEL_CONFIG"
		"${make[@]}" -j"$(nproc)" >>"$log" 2>&1 || {
			tail -n 30 "$log" >&2
			die "building the debug kernel failed (log: $log)"
		}
		touch "$dir/.crono-built"
	fi
	exec {lock}>&-
	DEBUG_KERNEL_DIR=$dir
	DEBUG_KERNEL_RELEASE=$(<"$dir/include/config/kernel.release")
	KERNEL_VMLINUZ=$dir/arch/x86/boot/bzImage
}

# known_kernel_reports TEXT: the console lines of the kernel reports in TEXT that are known and
# allowed, one per line (for grep -F). Two:
# - The lockdep report 6.12's pciehp makes at every hot-unplug, with no function of this driver
#   in it: its interrupt thread takes the slot's reset_lock under pci_rescan_remove_lock in
#   pciehp_unconfigure_device, the other way round from earlier in the same thread. Lockdep
#   stops at its first report, so in setup hotplug it checks this driver only up to the end of
#   the first unplug.
# - DMA-API debug's warning that it keeps count of at most 7 overlapping mappings of one
#   cacheline, and its WARNING line. The ABI lets the same pages be locked any number of times
#   (SgDma_PlainIommu.SamePagesLockedNineTimes does), which is correct on the cache-coherent
#   devices the driver serves; an overlap report itself (DMA-API's error count) is not allowed.
known_kernel_reports() {
	local report
	report=$(awk '/possible circular locking dependency detected/ { f = 1 }
		f { print } f && /<\/TASK>/ { exit }' <<<"$1")
	if grep -q 'reset_lock.*at: pciehp_unconfigure_device' <<<"$report" &&
		grep -q '(pci_rescan_remove_lock)' <<<"$report" &&
		! grep -qE '\[crono_pci_drvmod\]|crono_k' <<<"$report"; then
		echo 'possible circular locking dependency detected'
	fi
	awk '/DMA-API: exceeded [0-9]+ overlapping mappings of cacheline/ {
		print; getline
		if (/WARNING: .* at kernel\/dma\/debug\.c:[0-9]+ add_dma_entry/) print
	}' <<<"$1"
}
