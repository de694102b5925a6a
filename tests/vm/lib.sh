# shellcheck shell=bash disable=SC2034 # functions set globals for tests/vm/run
# The QEMU test harness: guest programs, kernel images, initramfs, QEMU; sourced by tests/vm/run
# and tests/guest/run.

VM_TIMEOUT=${CRONO_VM_TIMEOUT:-300} # seconds per boot, boot plus every test
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CRONO_PART=${CRONO_PART:-vm}
# shellcheck source=../lib.sh
source "$VM_DIR/../lib.sh"
# shellcheck source=debug_kernel.sh
source "$VM_DIR/debug_kernel.sh"
# ---------------------------------------------------------------------------------------------
# Guest programs (static, shared by tests/vm and tests/guest); need BUILD_DIR and LOG_DIR

# The test program's sources in the order its tests run: GoogleTest runs the suites in the
# order they were registered, which is the link order. The module is loaded and bound by the
# tests of module_test.cpp and unloaded by those of unload_test.cpp.
VMTEST_SOURCES=(main.cpp abi_layout.cpp module_test.cpp sg_dma_test.cpp huge_page_test.cpp
	contig_test.cpp cleanup_program_test.cpp bad_input_test.cpp memlock_test.cpp stats_limits_test.cpp
	two_boards_test.cpp compat32_test.cpp cronoctl_test.cpp fault_injection_test.cpp
	storm_test.cpp corpus_replay_test.cpp ../fuzz/program.cpp removal_test.cpp
	many_boards_test.cpp hot_unplug_test.cpp unload_test.cpp)

# build_vmtest: set VMTEST to the static test program (GoogleTest), recompiling only the
# objects whose sources (as listed by gcc's dependency files) or command changed. It reaches
# the edu devices through libcrono and cronoctl's EduDma: build_cronoctl first.
build_vmtest() {
	if [[ -n ${CRONO_VMTEST:-} ]]; then
		VMTEST=$CRONO_VMTEST
		[[ -x $VMTEST ]] || die "CRONO_VMTEST: $VMTEST is not executable"
		return 0
	fi
	ensure_packages ccache g++ libgtest-dev
	ccache_setup
	VMTEST=$BUILD_DIR/crono_vmtest
	local dir=$BUILD_DIR/vmtest-obj src obj compile objs=() pids=() pid failed=0 compiled=0
	local libs=("$CRONOCTL_BUILD/libcronoctl_commands.a" "$CRONOCTL_BUILD/libcrono.a")
	mkdir -p "$dir"
	for src in "${VMTEST_SOURCES[@]}"; do
		obj=$dir/$(basename "${src%.cpp}").o
		objs+=("$obj")
		# Compiled and linked apart: ccache caches compiles only.
		compile=("${CCACHE[@]}" g++ -std=gnu++17 -O2 -Wall -Wextra -I"$ROOT/uapi"
			-I"$ROOT/userspace/include" -I"$ROOT/userspace/tools/cronoctl" -pthread
			-c "$VM_DIR/$src" -o "$obj")
		deps_fresh "$obj" "${compile[*]}" && continue
		((compiled)) || say "vm: building crono_vmtest"
		rm -f "$obj.cmd"
		{ "${compile[@]}" -MMD -MF "$obj.d" && echo "${compile[*]}" >"$obj.cmd"; } &
		pids+=($!)
		compiled=1
		# As many compilers at once as there are CPUs: wait for the oldest.
		if ((${#pids[@]} >= $(nproc))); then
			wait "${pids[0]}" || failed=1
			pids=("${pids[@]:1}")
		fi
	done
	for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
	((failed == 0)) || die "compiling crono_vmtest failed"
	local link=(g++ -static -pthread "${objs[@]}" "${libs[@]}" -lgtest -o "$VMTEST")
	if ((compiled)) || [[ ! -x $VMTEST || $(cat "$VMTEST.cmd" 2>/dev/null) != "${link[*]}" ||
		${libs[0]} -nt $VMTEST || ${libs[1]} -nt $VMTEST ]]; then
		# The linker's output only on failure: libgtest.a always draws a warning about
		# getaddrinfo in a static program (GoogleTest's unused streaming listener).
		"${link[@]}" >"$VMTEST.link.log" 2>&1 || { cat "$VMTEST.link.log" >&2 && die "linking crono_vmtest failed"; }
		echo "${link[*]}" >"$VMTEST.cmd"
	fi
}

# build_compat32: set COMPAT32 to the static 32-bit (i386) program that test Compat32Bit
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
# CRONO_STATIC_CRONOCTL) that the Cronoctl tests run in the guest, and CRONOCTL_BUILD to its
# build directory, whose static libcrono and cronoctl commands crono_vmtest links. CMake
# rebuilds them only when their sources changed.
build_cronoctl() {
	local dir=$BUILD_DIR/cronoctl-static log=$LOG_DIR/build-cronoctl.log
	CRONOCTL_BUILD=$dir
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
# Setups: the QEMU machine and guest command line of each (tests/vm/run, tests/bench/run).

ALL_SETUPS=(plain iommu swiotlb many hotplug)

# setup_args SETUP: set QEMU_ARGS and APPEND, for the kernel to boot (PLAIN_MACHINE: the plain
# setup's machine, KERNEL_APPEND: its own arguments). The guest gets VM_MEMORY_MIB of memory
# (default 1024) and, in setups plain and iommu, VM_HUGEPAGES hugetlbfs pages of 2 MiB (default 8).
setup_args() {
	MONITOR="" # QEMU monitor socket, for setups that unplug devices
	local edu=("${QEMU_EDU[@]}")
	# no_timer_check: on a busy host the emulated timer interrupt can miss the kernel's boot-time
	# check, which with the IOMMU's interrupt remapping (setup iommu) is a panic.
	APPEND="console=ttyS0 panic=-1 quiet no_timer_check"
	case $1 in
	plain) # two boards, for the two-board tests; 2 MiB pages for hugetlbfs-backed buffers
		QEMU_ARGS=(-machine "$PLAIN_MACHINE" "${edu[@]}" "${edu[@]}")
		APPEND+=" hugepages=${VM_HUGEPAGES:-8}" ;;
	iommu) # DMA addresses become IOVAs; passthrough=0 keeps Debian from identity-mapping
		QEMU_ARGS=(-machine q35 -device intel-iommu "${edu[@]}" "${edu[@]}")
		APPEND+=" intel_iommu=on iommu.passthrough=0 hugepages=${VM_HUGEPAGES:-8}" ;;
	swiotlb) # every streaming mapping bounces: the driver must refuse to lock buffers
		QEMU_ARGS=(-machine pc "${edu[@]}")
		APPEND+=" swiotlb=force" ;;
	many) # 40 boards behind two PCI-PCI bridges, 20 each: no static limit of 32 boards.
		# q35, not pc: on pc each probe and remove spends ~170 ms in the guest's ACPI
		# interrupt-link code under TCG (18 s per boot instead of 6 s).
		QEMU_ARGS=(-machine q35)
		local br n
		for br in 1 2; do
			QEMU_ARGS+=(-device "pcie-pci-bridge,id=br$br,bus=pcie.0,addr=$(printf %x $((0x10 + br)))")
			for ((n = 1; n <= 20; n++)); do
				QEMU_ARGS+=(-device "${QEMU_EDU[1]},bus=br$br,addr=$(printf %x "$n")")
			done
		done ;;
	hotplug) # one board in a hotpluggable PCIe root port, unplugged with device_del
		# through the monitor when the guest asks (run_qemu_monitored), and one ordinary
		# board. ACPI hotplug is off, so the guest's native pciehp handles the slot
		# (as for a Thunderbolt board); it waits 5 s after the attention button.
		MONITOR=${TMPDIR:-/tmp}/crono-vm-$$-$BOOT_ID-hotplug.sock
		# shellcheck disable=SC2054 # QEMU arguments with commas
		QEMU_ARGS=(-machine q35 -global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off
			-device pcie-root-port,id=rp1,slot=1,chassis=1
			-device "${QEMU_EDU[1]},bus=rp1,id=e1" "${edu[@]}"
			-monitor "unix:$MONITOR,server=on,wait=off") ;;
	*) die "unknown setup '$1' (known: ${ALL_SETUPS[*]})" ;;
	esac
	# -cpu max: the default qemu64 model has no SMAP/SMEP, so a driver touching user memory
	# without copy_from_user() would pass; max also brings 5-level paging and PKU. Costs ~0.5 s.
	# -no-reboot: a panic (panic=-1) ends the run instead of booting again.
	QEMU_ARGS+=(-cpu "${CRONO_VM_CPU:-max}" -m "${VM_MEMORY_MIB:-1024}" -smp 2 -no-reboot)
	# shellcheck disable=SC2206 # split on purpose
	QEMU_ARGS+=(${CRONO_QEMU_EXTRA:-})
	APPEND+=" crono.setup=$1${KERNEL_APPEND:+ $KERNEL_APPEND}${CRONO_APPEND:+ $CRONO_APPEND}"
	APPEND+="${CRONO_STRESS_SECONDS:+ crono.stress=$CRONO_STRESS_SECONDS}"
}

# ---------------------------------------------------------------------------------------------
# The driver module

# build_module VER KDIR: set KO to the module for kernel release VER, building it against the
# kernel tree KDIR through the top-level Makefile unless CRONO_KO names one. Fails (without
# exiting) when there is none.
build_module() {
	local ver=$1 kdir=$2 log=$LOG_DIR/build-$1.log
	if [[ -n ${CRONO_KO:-} ]]; then
		KO=${CRONO_KO//\{ver\}/$ver}
		[[ -f $KO ]] || { say "$CRONO_PART: CRONO_KO: no $KO"; return 1; }
		return 0
	fi
	[[ -f $ROOT/Makefile ]] || { say "$CRONO_PART: no $ROOT/Makefile (set CRONO_KO to test the harness alone)"; return 1; }
	# The top-level Makefile copies the sources into BUILD with rsync.
	ensure_packages rsync
	KO=$BUILD_DIR/$ver/crono_pci_drvmod.ko
	say "$CRONO_PART: building the module for $ver"
	if ! make -C "$ROOT" -j"$(nproc)" KDIR="$kdir" BUILD="$BUILD_DIR/$ver" \
		>"$log" 2>&1; then
		tail -n 40 "$log" >&2
		say "$CRONO_PART: module build for $ver failed (full output: $log)"
		return 1
	fi
	[[ -f $KO ]] || { say "$CRONO_PART: the build for $ver made no $KO"; return 1; }
}

# ---------------------------------------------------------------------------------------------
# Kernel images

# ensure_kernel_image VER: unpack linux-image-VER once under $CRONO_CACHE/kernels/VER and set
# KERNEL_VMLINUZ to its kernel and KERNEL_MODULES_DIR to its modules. The .deb is kept in
# $CRONO_CACHE/debs so a re-unpack needs no network.
ensure_kernel_image() {
	local ver=$1
	local dir=$CRONO_CACHE/kernels/$ver debs=$CRONO_CACHE/debs deb
	KERNEL_VMLINUZ=$dir/vmlinuz
	KERNEL_MODULES_DIR=$dir/lib/modules/$ver
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

# stage_fs_modules VER DIR: ext4 (with crc32c) and loop of kernel VER (from KERNEL_MODULES_DIR),
# with every module they depend on, uncompressed into DIR/modules, and DIR/modules/order listing
# them in an order insmod can follow. A test (FileBackedPinRefused) mounts an ext4 image with them
# (a file system the kernel writes back, which Debian builds as modules only). An empty
# KERNEL_MODULES_DIR means they are built in: the list stays empty.
stage_fs_modules() {
	local ver=$1 dir=$2
	local root=$KERNEL_MODULES_DIR
	local -A staged=()
	local order=()
	mkdir -p "$dir/modules"
	if [[ -z $root ]]; then
		: >"$dir/modules/order"
		return 0
	fi
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
# ext4 image, the fuzz corpus as /corpus) and a small one with the module and the kernel's ext4 and loop modules. Each is
# re-packed only when its inputs changed.
build_initramfs() {
	local out=$1 ver=$2 ko=$3 vmtest=$4 compat32=$5 cronoctl=$6
	local dir base kopart stage corpus=("$VM_DIR"/../fuzz/corpus/*)
	dir=$(dirname "$out")
	base=$dir/base.cpio.gz
	kopart=${out%.cpio.gz}.ko.cpio.gz
	mkdir -p "$dir"

	# lib.sh is an input too: it decides the archives' layout.
	local inputs=(/bin/busybox "$VM_DIR/init" "$vmtest" "$compat32" "$cronoctl" "$VM_DIR/lib.sh"
		"${corpus[@]}")
	if ! up_to_date "$base" "${inputs[@]}"; then
		stage=$dir/base.d
		rm -rf "$stage"
		mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp}
		install -m 755 /bin/busybox "$stage/bin/busybox"
		install -m 755 "$VM_DIR/init" "$stage/init"
		install -m 755 "$vmtest" "$stage/crono_vmtest"
		install -m 755 "$compat32" "$stage/crono_compat32"
		install -m 755 "$cronoctl" "$stage/cronoctl"
		mkdir "$stage/corpus"
		cp "${corpus[@]}" "$stage/corpus/"
		mke2fs -q -t ext4 -F "$stage/ext4.img" 8M
		# The kernel opens /dev/console for init before init can mount devtmpfs; without
		# this node it warns and /init re-opens the console itself.
		mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true
		pack_dir "$stage" "$base"
		record_stamp "$base" "${inputs[@]}"
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

# run_qemu_monitored LOG SOCKET KERNEL INITRD APPEND QEMU_ARG...: run_qemu (tests/lib.sh) for
# VM_TIMEOUT seconds in the background
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
	run_qemu "$VM_TIMEOUT" "$log" "$@" &
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

# kmemleak_objects TEXT: one line per object kmemleak reported between CRONO-KMEMLEAK-BEGIN and
# -END (tests/vm/init), with its size, the task that allocated it and the first functions of
# the allocation's backtrace.
kmemleak_objects() {
	awk '
		/CRONO-KMEMLEAK-BEGIN/ { inside = 1; next }
		/CRONO-KMEMLEAK-END/ { inside = 0 }
		!inside { next }
		/unreferenced object/ { flush(); obj = $0; sub(/^ */, "", obj); bt = 0; frames = 0; next }
		/^  comm "/ { sub(/^ */, ""); obj = obj " " $0; next }
		/^  backtrace/ { bt = 1; next }
		bt && /^    / && frames < 6 { frames++; obj = obj (frames == 1 ? ": " : " < ") $1 }
		function flush() { if (obj != "") print "kmemleak: " obj; obj = "" }
		END { flush() }
	' <<<"$1"
}

# evaluate_log LOG QEMU_STATUS: read one boot's console. Sets
#   BOOT_RESULTS              "ok|FAIL<TAB>SUITE.TEST" per test of the setup (gtest_results)
#   BOOT_PASSED, BOOT_FAILED  their counts: a test that did not finish failed
#   BOOT_BROKEN               why the boot itself failed, "" when it did not
#   BOOT_PROBLEMS             the kernel's complaints, one per line, de-duplicated
#   BOOT_FAULTS               "INJECTED PASSED FAILED" of the fault-injection sweep, or ""
#   BOOT_FIGURES              the figures suites print ("stress: ...", "corpus: ..."), a line each
evaluate_log() {
	local log=$1 qrc=$2 text done_rc running r
	local reasons=()
	text=$(console_text "$log")
	# /init's exit status of the program, absent when /init never got there
	done_rc=$(sed -nE 's/.*CRONO-VM-DONE rc=([0-9]+).*/\1/p' <<<"$text" | tail -n1)

	BOOT_RESULTS=$(gtest_results "$text")
	BOOT_FIGURES=$(grep -E '^(stress: [0-9]+ operations|corpus: [0-9]+ programs)' <<<"$text") || true
	BOOT_FAULTS=$(sed -nE 's/^faults: ([0-9]+) injected, ([0-9]+) passed, ([0-9]+) failed$/\1 \2 \3/p' <<<"$text" |
		tail -n1)
	BOOT_PASSED=$(grep -c '^ok'$'\t' <<<"$BOOT_RESULTS") || true
	BOOT_FAILED=$(grep -c '^FAIL'$'\t' <<<"$BOOT_RESULTS") || true
	running=$(sed -nE 's/.*\[==========\] Running ([0-9]+) tests? from.*/\1/p' <<<"$text" | tail -n1)
	if [[ -z $BOOT_RESULTS ]]; then
		reasons+=("no test list from crono_vmtest --gtest_list_tests")
	elif [[ $running != "$((BOOT_PASSED + BOOT_FAILED))" ]]; then
		reasons+=("crono_vmtest ran ${running:-no} tests, listed $((BOOT_PASSED + BOOT_FAILED))")
	fi
	if ! grep -qE '\[==========\] [0-9]+ tests? from .* ran\.' <<<"$text"; then
		reasons+=("crono_vmtest did not finish${done_rc:+ (exit status $done_rc)}")
	elif [[ -n $done_rc ]] && ((done_rc != 0 && BOOT_FAILED == 0)); then
		reasons+=("crono_vmtest exited with status $done_rc but no test failed")
	fi

	case $qrc in
	0) ;;
	124 | 137) reasons+=("timed out after ${VM_TIMEOUT}s") ;;
	*) reasons+=("qemu exited with status $qrc") ;;
	esac
	[[ -n $done_rc ]] || reasons+=("/init did not finish")

	# The kernel's complaints, live and again in the dmesg dump at the end: drop the
	# timestamps and keep each complaint once. GoogleTest's own lines are the tests'.
	local known
	known=$(known_kernel_reports "$text")
	BOOT_PROBLEMS=$({
		grep -vE '^\[ *(RUN|OK|FAILED) *\] ' <<<"$text" | grep -E "$KERNEL_PROBLEM_RE" |
			grep -vE "$KERNEL_BENIGN_RE" | { if [[ -n $known ]]; then grep -vF "$known"; else cat; fi; }
		kmemleak_objects "$text"
		sed -nE 's/.*CRONO-DMA-API-ERRORS ([1-9][0-9]*).*/DMA-API: \1 errors counted/p' <<<"$text"
	} | sed -E 's/^<[0-9]+>//; s/^\[ *[0-9]+\.[0-9]+\] //' | awk '!seen[$0]++') || true
	[[ -z $BOOT_PROBLEMS ]] || reasons+=("kernel reported problems")

	BOOT_BROKEN=""
	for r in "${reasons[@]}"; do BOOT_BROKEN+=${BOOT_BROKEN:+; }$r; done
}
