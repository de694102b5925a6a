# shellcheck shell=bash disable=SC2034 # functions set globals for tests/vm/run
# The QEMU test harness: guest programs, kernel images, initramfs, QEMU; sourced by tests/vm/run
# and tests/guest/run.

VM_TIMEOUT=${CRONO_VM_TIMEOUT:-300} # seconds per boot, boot plus every scenario
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CRONO_PART=${CRONO_PART:-vm}
# shellcheck source=../lib.sh
source "$VM_DIR/../lib.sh"
# ---------------------------------------------------------------------------------------------
# Guest programs (static, shared by tests/vm and tests/guest); need BUILD_DIR and LOG_DIR

# build_vmtest: set VMTEST to the static test program, rebuilding it only when its sources
# (as listed by gcc's dependency file) or the command changed.
build_vmtest() {
	if [[ -n ${CRONO_VMTEST:-} ]]; then
		VMTEST=$CRONO_VMTEST
		[[ -x $VMTEST ]] || die "CRONO_VMTEST: $VMTEST is not executable"
		return 0
	fi
	local src=$ROOT/tests/vm/crono_vmtest.cpp
	VMTEST=$BUILD_DIR/crono_vmtest
	[[ -f $src ]] || die "no $src (set CRONO_VMTEST to a prebuilt program to test the harness)"
	ensure_packages ccache
	ccache_setup
	# Compiled and linked apart: ccache caches compiles only.
	local cmd=("${CCACHE[@]}" g++ -std=gnu++17 -O2 -Wall -Wextra -I"$ROOT/uapi" -pthread -c "$src" -o "$VMTEST.o")
	local link=(g++ -static -pthread "$VMTEST.o" -o "$VMTEST")
	deps_fresh "$VMTEST" "${cmd[*]}; ${link[*]}" && return 0
	say "vm: building crono_vmtest"
	mkdir -p "$BUILD_DIR"
	rm -f "$VMTEST.cmd"
	{ "${cmd[@]}" -MMD -MF "$VMTEST.d" && "${link[@]}"; } || die "building crono_vmtest failed"
	echo "${cmd[*]}; ${link[*]}" >"$VMTEST.cmd"
}

# build_compat32: set COMPAT32 to the static 32-bit (i386) program that scenario compat_32bit
# runs in the guest, so that the driver is called through its compat_ioctl. Rebuilt like
# crono_vmtest. gcc-multilib brings /usr/include/asm, which the i386 build of <errno.h> needs.
build_compat32() {
	local src=$ROOT/tests/vm/compat32.c
	COMPAT32=$BUILD_DIR/crono_compat32
	[[ -f $src ]] || die "no $src"
	local cmd=(gcc-12 -m32 -static -O2 -Wall -Wextra -Werror -I"$ROOT/uapi" "$src" -o "$COMPAT32")
	deps_fresh "$COMPAT32" "${cmd[*]}" && return 0
	ensure_packages gcc-12-multilib libc6-dev-i386 gcc-multilib
	say "vm: building crono_compat32"
	mkdir -p "$BUILD_DIR"
	rm -f "$COMPAT32.cmd"
	"${cmd[@]}" -MMD -MF "$COMPAT32.d" || die "building crono_compat32 failed"
	echo "${cmd[*]}" >"$COMPAT32.cmd"
}

# build_cronoctl: set CRONOCTL to the static cronoctl (userspace/, CMake option
# CRONO_STATIC_CRONOCTL) that scenarios cronoctl_* run in the guest. CMake rebuilds it only when
# its sources changed.
build_cronoctl() {
	local dir=$BUILD_DIR/cronoctl-static log=$LOG_DIR/build-cronoctl.log
	CRONOCTL=$dir/cronoctl-static
	ensure_packages cmake ccache
	ccache_setup
	if ! { cmake -S "$ROOT/userspace" -B "$dir" -DCMAKE_BUILD_TYPE=Release "${CCACHE_CMAKE[@]}" \
		-DCRONO_STATIC_CRONOCTL=ON >"$log" 2>&1 &&
		cmake --build "$dir" --target cronoctl-static -j"$(nproc)" >>"$log" 2>&1; }; then
		tail -n 40 "$log" >&2
		die "building cronoctl failed (full output: $log)"
	fi
}

# ---------------------------------------------------------------------------------------------
# Kernel images

# ensure_kernel_image VER: unpack linux-image-VER once under $CRONO_CACHE/kernels/VER and set
# KERNEL_VMLINUZ to its kernel. The .deb is kept in $CRONO_CACHE/debs so a re-unpack needs no
# network.
ensure_kernel_image() {
	local ver=$1
	local dir=$CRONO_CACHE/kernels/$ver debs=$CRONO_CACHE/debs deb
	KERNEL_VMLINUZ=$dir/vmlinuz
	[[ -e $KERNEL_VMLINUZ ]] && return 0

	mkdir -p "$debs" "$CRONO_CACHE/kernels"
	deb=$(cached_image_deb "$ver")
	if [[ -z $deb ]]; then
		say "vm: downloading linux-image-$ver"
		download_image "$ver" || { apt_update_once && download_image "$ver"; } ||
			die "could not download linux-image-$ver"
		deb=$(cached_image_deb "$ver")
	fi

	# Unpack beside the target and rename, so an interrupted unpack is never taken for a
	# finished one.
	say "vm: unpacking $(basename "$deb")"
	rm -rf "$dir.partial" "$dir"
	mkdir -p "$dir.partial"
	dpkg -x "$deb" "$dir.partial"
	[[ -f $dir.partial/boot/vmlinuz-$ver ]] || die "$deb holds no boot/vmlinuz-$ver"
	ln -s "boot/vmlinuz-$ver" "$dir.partial/vmlinuz"
	mv "$dir.partial" "$dir"
}

# download_image VER: fetch linux-image-VER's .deb into $CRONO_CACHE/debs.
download_image() {
	# apt-get download writes into the current directory. As root it warns that the _apt
	# sandbox user cannot write there, which is harmless.
	(cd "$CRONO_CACHE/debs" && apt-get download -q "linux-image-$1" 2>&1) |
		{ grep -v '^W: Download is performed unsandboxed' >&2 || true; } || true
	[[ -n $(cached_image_deb "$1") ]]
}

cached_image_deb() { # VER: newest cached linux-image-VER .deb, or nothing
	local f
	f=$(ls -1 "$CRONO_CACHE/debs/linux-image-${1}_"*.deb 2>/dev/null | sort -V | tail -n1) || true
	echo "$f"
}

# ---------------------------------------------------------------------------------------------
# Up-to-date checks

# deps_fresh OUT CMD: OUT exists, was built by exactly CMD (recorded in OUT.cmd), and no file
# listed in its gcc dependency file OUT.d (from -MMD -MF OUT.d) is newer or gone.
deps_fresh() {
	local out=$1 cmd=$2 dep
	[[ -e $out && -e $out.d && -e $out.cmd && $(<"$out.cmd") == "$cmd" ]] || return 1
	for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$out.d"); do
		[[ -e $dep && ! $dep -nt $out ]] || return 1
	done
}

# sha256 over the contents of FILE..., to decide whether an output must be rebuilt. mtimes would
# miss a swap to an older file (another CRONO_KO, a re-downloaded busybox).
content_stamp() { sha256sum "$@" | awk '{ print $1 }' | sha256sum | awk '{ print $1 }'; }

# up_to_date OUT INPUT...: true when OUT exists and was built from exactly these contents.
# Record with record_stamp OUT INPUT... after building OUT.
up_to_date() {
	local out=$1
	shift
	[[ -e $out && -e $out.stamp && $(<"$out.stamp") == "$(content_stamp "$@")" ]]
}
record_stamp() {
	local out=$1
	shift
	content_stamp "$@" >"$out.stamp"
}

# ---------------------------------------------------------------------------------------------
# Initramfs

# pack_dir DIR OUT: DIR as a gzipped newc cpio, owned by root, in a stable order.
pack_dir() {
	(cd "$1" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		cpio --null --create --format=newc --owner=0:0 --reproducible --quiet) |
		gzip -n -1 >"$2.tmp"
	mv "$2.tmp" "$2"
}

# stage_fs_modules VER DIR: ext4 (with crc32c) and loop of kernel VER (from its unpacked image), with every
# module they depend on, uncompressed into DIR/modules, and DIR/modules/order listing them in an
# order insmod can follow. A scenario mounts an ext4 image with them (a file system the kernel
# writes back, which Debian builds as modules only).
stage_fs_modules() {
	local ver=$1 dir=$2
	local root=$CRONO_CACHE/kernels/$1/lib/modules/$1
	local -A staged=()
	local order=()
	mkdir -p "$dir/modules"
	_stage_module() {
		local name=$1 path dep
		[[ ! -v "staged[$name]" ]] || return 0
		staged[$name]=1
		path=$(find "$root/kernel" \( -name "$name.ko" -o -name "$name.ko.xz" \) -print -quit)
		[[ -n $path ]] || die "kernel $ver has no module $name"
		case $path in
		*.xz) xz -dc "$path" >"$dir/modules/$name.ko" ;;
		*) cp "$path" "$dir/modules/$name.ko" ;;
		esac
		for dep in $(modinfo -F depends "$dir/modules/$name.ko" | tr ',' ' '); do
			_stage_module "$dep"
		done
		order+=("$name")
	}
	# ext4 asks the crypto API for crc32c at mount time, which would load it
	# through modprobe: load it beforehand.
	_stage_module crc32c_generic
	_stage_module ext4
	_stage_module loop
	printf '%s\n' "${order[@]}" >"$dir/modules/order"
}

# build_initramfs OUT VER KO VMTEST COMPAT32 CRONOCTL: write the initramfs OUT for kernel VER.
# It is two concatenated cpio archives, which the kernel unpacks one after the other: a base
# shared by every kernel (busybox, /init, the test program, its 32-bit helper, cronoctl, an empty
# ext4 image) and a small one with the module and the kernel's ext4 and loop modules. Each is
# re-packed only when its inputs changed.
build_initramfs() {
	local out=$1 ver=$2 ko=$3 vmtest=$4 compat32=$5 cronoctl=$6
	local dir base kopart stage
	dir=$(dirname "$out")
	base=$dir/base.cpio.gz
	kopart=${out%.cpio.gz}.ko.cpio.gz
	mkdir -p "$dir"

	# lib.sh is an input too: it decides the archives' layout.
	if ! up_to_date "$base" /bin/busybox "$VM_DIR/init" "$vmtest" "$compat32" "$cronoctl" "$VM_DIR/lib.sh"; then
		stage=$dir/base.d
		rm -rf "$stage"
		mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp}
		install -m 755 /bin/busybox "$stage/bin/busybox"
		install -m 755 "$VM_DIR/init" "$stage/init"
		install -m 755 "$vmtest" "$stage/crono_vmtest"
		install -m 755 "$compat32" "$stage/crono_compat32"
		install -m 755 "$cronoctl" "$stage/cronoctl"
		mke2fs -q -t ext4 -F "$stage/ext4.img" 8M
		# The kernel opens /dev/console for init before init can mount devtmpfs; without
		# this node it warns and /init re-opens the console itself.
		mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true
		pack_dir "$stage" "$base"
		record_stamp "$base" /bin/busybox "$VM_DIR/init" "$vmtest" "$compat32" "$cronoctl" "$VM_DIR/lib.sh"
		rm -rf "$stage"
	fi

	if ! up_to_date "$kopart" "$ko" "$VM_DIR/lib.sh"; then
		stage=$dir/ko.d
		rm -rf "$stage"
		mkdir -p "$stage"
		install -m 644 "$ko" "$stage/crono_pci_drvmod.ko"
		stage_fs_modules "$ver" "$stage"
		pack_dir "$stage" "$kopart"
		record_stamp "$kopart" "$ko" "$VM_DIR/lib.sh"
		rm -rf "$stage"
	fi

	if ! up_to_date "$out" "$base" "$kopart"; then
		cat "$base" "$kopart" >"$out.tmp"
		mv "$out.tmp" "$out"
		record_stamp "$out" "$base" "$kopart"
	fi
}

# ---------------------------------------------------------------------------------------------
# QEMU

# Every boot: TCG (KVM hangs on these machines), serial console on stdio, exit instead of
# rebooting (so panic=-1 ends the run), no network. One TCG thread for all vCPUs: with a
# thread per vCPU, a 6.12 boot on a busy host once died on the breakpoint that the kernel's
# text patching plants in code another CPU runs ("Oops: int3" in
# sched_clock_idle_wakeup_event, before the module was loaded). The vCPUs still
# interleave, so concurrency scenarios keep their meaning.
QEMU_BASE=(qemu-system-x86_64 -accel tcg,thread=single -nographic -no-reboot -net none)

# run_qemu LOG KERNEL INITRD APPEND QEMU_ARG...: boot once under TCG, serial console to LOG.
# Returns QEMU's exit status: 0 after the guest powered off (or rebooted after a panic, since
# -no-reboot turns that into an exit), 124 on timeout, other values when QEMU itself aborted
# (e.g. "hardware error: EDU: DMA range ... out of bounds").
run_qemu() {
	local log=$1 kernel=$2 initrd=$3 append=$4
	shift 4
	mkdir -p "$(dirname "$log")"
	# -k: a QEMU that ignores SIGTERM is killed 10 s later. stdin is /dev/null so that the
	# -nographic monitor never reads from the terminal or CI's absent stdin.
	timeout -k 10 "$VM_TIMEOUT" "${QEMU_BASE[@]}" \
		-kernel "$kernel" -initrd "$initrd" -append "$append" "$@" </dev/null >"$log" 2>&1
}

# run_qemu_monitored LOG SOCKET KERNEL INITRD APPEND QEMU_ARG...: run_qemu in the background
# (QEMU_ARG includes -monitor unix:SOCKET,server=on,wait=off) and answer the guest while it
# runs: on a console line `CRONO-HOTPLUG device_del ID` the harness sends `device_del ID` to
# the monitor, once per ID (nothing else is accepted from the guest). Only complete lines
# count (the serial console ends them with CR), so a line caught half-written is not taken
# for a shorter ID. The requests seen and the monitor's replies go to LOG.monitor. Returns
# run_qemu's status.
run_qemu_monitored() {
	local log=$1 sock=$2 pid rc=0 req id
	local -A sent=()
	shift 2
	rm -f "$sock" "$log.monitor"
	# Empty the log before QEMU starts, or the first look could find the previous
	# boot's requests.
	mkdir -p "$(dirname "$log")"
	: >"$log"
	run_qemu "$log" "$@" &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		while IFS= read -r req; do
			id=${req#CRONO-HOTPLUG device_del }
			id=${id%$'\r'}
			[[ ! -v "sent[$id]" ]] || continue
			sent[$id]=1
			echo "vm: guest asked: device_del $id" >>"$log.monitor"
			# QEMU listens long before the guest can ask: one try, 1 s linger
			# for the reply.
			printf 'device_del %s\n' "$id" |
				socat -t 1 - "UNIX-CONNECT:$sock" >>"$log.monitor" 2>&1 ||
				echo "vm: socat to $sock failed" >>"$log.monitor"
		done < <(grep -aoE $'CRONO-HOTPLUG device_del [A-Za-z0-9_-]+\r' "$log" 2>/dev/null || true)
		sleep 0.2
	done
	wait "$pid" || rc=$?
	rm -f "$sock"
	return "$rc"
}

# console_text LOG: the console as plain lines. The serial console ends lines with CR LF, and
# the firmware's terminal resets end up at the start of the guest's first line.
console_text() { tr -d '\r' <"$1" | sed -E 's/\x1b(\[[0-9;?]*[A-Za-z]|c)//g'; }

# evaluate_log LOG QEMU_STATUS: read one boot's console. Sets
#   BOOT_PASSED, BOOT_FAILED  scenario counts (from the program's final line when present)
#   BOOT_BROKEN               why the boot itself failed, "" when it did not
#   BOOT_PROBLEMS             the kernel's complaints, one per line, de-duplicated
#   BOOT_RESULTS              "ok|FAIL|skip<TAB>NAME" per scenario line
evaluate_log() {
	local log=$1 qrc=$2 text final done_rc r
	local reasons=()
	text=$(console_text "$log")
	# /init's exit status of the program, absent when /init never got there
	done_rc=$(sed -nE 's/.*CRONO-VM-DONE rc=([0-9]+).*/\1/p' <<<"$text" | tail -n1)

	BOOT_RESULTS=$(awk '
		/^ok - / { s = substr($0, 6); st = "ok"
			if (match(s, / # [Ss][Kk][Ii][Pp]/)) { s = substr(s, 1, RSTART - 1); st = "skip" }
			print st "\t" s; next }
		/^not ok - / { s = substr($0, 10); sub(/: .*/, "", s); print "FAIL\t" s }
	' <<<"$text")

	final=$(grep -oE 'crono_vmtest: [0-9]+ passed, [0-9]+ failed' <<<"$text" | tail -n1) || true
	if [[ $final =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
		BOOT_PASSED=${BASH_REMATCH[1]}
		BOOT_FAILED=${BASH_REMATCH[2]}
	else
		# No final line: count what did run, and fail the boot.
		BOOT_PASSED=$(grep -cE '^(ok|skip)'$'\t' <<<"$BOOT_RESULTS") || true
		BOOT_FAILED=$(grep -c '^FAIL'$'\t' <<<"$BOOT_RESULTS") || true
		reasons+=("no final 'crono_vmtest:' line${done_rc:+ (crono_vmtest exited with status $done_rc)}")
	fi

	case $qrc in
	0) ;;
	124 | 137) reasons+=("timed out after ${VM_TIMEOUT}s") ;;
	*) reasons+=("qemu exited with status $qrc") ;;
	esac
	if [[ -z $done_rc ]]; then
		reasons+=("/init did not finish")
	elif [[ -n $final ]] && ((done_rc != 0 && BOOT_FAILED == 0)); then
		reasons+=("crono_vmtest exited with status $done_rc but reported no failure")
	fi

	# Scenario lines are already counted; the rest is the kernel's (live, and again in the
	# dmesg dump at the end: drop the timestamps and keep each complaint once).
	BOOT_PROBLEMS=$(grep -vE '^(not )?ok - ' <<<"$text" | grep -E "$KERNEL_PROBLEM_RE" |
		sed -E 's/^<[0-9]+>//; s/^\[ *[0-9]+\.[0-9]+\] //' | awk '!seen[$0]++') || true
	[[ -z $BOOT_PROBLEMS ]] || reasons+=("kernel reported problems")

	BOOT_BROKEN=""
	for r in "${reasons[@]}"; do BOOT_BROKEN+=${BOOT_BROKEN:+; }$r; done
}
