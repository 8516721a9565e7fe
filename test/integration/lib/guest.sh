# shellcheck shell=bash
# Boot a test guest under qemu and turn its console into test results.
#
#   guest_run_check <name> <workdir> <check script> [module.ko...]
#   guest_run_check <name> <workdir> <tests dir> [module.ko...]
#
# A tests dir holds <t>.test scripts and a "list" of test names: the guest
# runs them in that order in one boot (guest/run-tests), results <t>/...
#
# needs KPB_KERNEL_BZIMAGE and KPB_KERNEL_BUILD (lib/kernel.sh). It builds
# an initramfs (busybox-static, guest/init, guest/lib.sh as /kpb/lib.sh, the
# check script as /kpb/check, the modules in /kpb/modules/), boots it, keeps
# the console log in <workdir>/<name>.log, prints one "ok <test>" or
# "not ok <test>: <reason>" line per result and adds to GUEST_PASSED and
# GUEST_FAILED. Besides the guest's own KPB-RESULT lines, two host-side
# results are always reported: <name>/guest-finished (the guest printed
# KPB-DONE with status 0 before the timeout, i.e. no hang, no panic) and
# <name>/kernel-log-clean (no WARNING, BUG, Oops, ... in the console log,
# which includes the full dmesg the guest dumps at the end; also a module
# the kernel refused or linked badly: "no symbol version", "disagrees about
# version", "failed to validate module", "Unknown symbol").

# shellcheck source=test/integration/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

KPB_GUEST_DIR="$KPB_INTEGRATION_DIR/guest"
KPB_GUEST_TIMEOUT=${KPB_GUEST_TIMEOUT:-600}
KPB_GUEST_BUSYBOX=${KPB_GUEST_BUSYBOX:-/bin/busybox}
# panic=-1: reboot (so qemu exits, -no-reboot) at once on a panic;
# oops=panic: an oops ends the run instead of leaving a half-dead guest.
# quiet: only warnings and worse reach the console while the checks run,
# so their lines stay whole; the guest dumps the full dmesg at the end.
KPB_GUEST_APPEND=${KPB_GUEST_APPEND:-console=ttyS0 panic=-1 oops=panic quiet}
# qemu's accelerator. Software emulation, with every vCPU on one host thread:
# under the default multi-threaded TCG (one host thread a vCPU) qemu 7.2
# lets a vCPU run code another vCPU is rewriting, and Debian's 6.12 kernel
# dies in "Oops: int3" at call sites the kernel patches (static calls,
# switched by each livepatch transition and by sched/preempt; README.md,
# "The emulator"). Empty: qemu's default (the crash reproduces with it).
KPB_GUEST_ACCEL=${KPB_GUEST_ACCEL-tcg,thread=single}
# The qemu command: another build (e.g. a newer qemu unpacked from its
# .debs) with its options, such as "-L <its firmware dir>".
KPB_GUEST_QEMU=${KPB_GUEST_QEMU:-qemu-system-x86_64}
# What a cell adds for its kernel (Debian's: DEBIAN_GUEST_APPEND, lib/debian.sh).
KPB_GUEST_APPEND_CELL=
# A raw image every boot of a cell gets as a virtio disk (/dev/vda once the
# guest loads the virtio modules): state that outlives a boot.
KPB_GUEST_DISK=
# The C source of the initramfs tool when there is no kernel build nor
# source tree (guest_find_gen_init_cpio).
KPB_GEN_INIT_CPIO_C=${KPB_GEN_INIT_CPIO_C:-}
# 1: the initramfs gets the manager (manager/kpatch and its lib/ as
# /kpb/manager/, shlib/ as /kpb/shlib/) and bash with its libraries (run_boot, <t>.guest-manager).
KPB_GUEST_MANAGER=0
# Reports the tests of a boot provoke on purpose (run-integration sets it).
KPB_GUEST_REPORTS=()
KPB_GUEST_MANAGER_DIR=$KPB_INTEGRATION_DIR/../../manager
# A module the kernel refuses or links badly: modversions (no symbol
# version, disagrees about version), BTF (failed to validate module),
# unresolved symbols (Unknown symbol).
KPB_GUEST_BAD_LOG='WARNING:|BUG:|Oops|Call Trace|general protection|[Kk]ernel panic'
KPB_GUEST_BAD_LOG+='|no symbol version|disagrees about version|failed to validate module|Unknown symbol'

GUEST_PASSED=0
GUEST_FAILED=0

guest_report_ok() {
	echo "ok $1"
	GUEST_PASSED=$((GUEST_PASSED + 1))
}

guest_report_fail() {
	echo "not ok $1: $2"
	GUEST_FAILED=$((GUEST_FAILED + 1))
}

# The kernel's own cpio writer: device nodes without root, no cpio quirks.
# The kernel's initramfs tool: built by the kernel build, else compiled
# from KPB_GEN_INIT_CPIO_C (the demo: that one file of the source), else
# from the source tree.
guest_find_gen_init_cpio() {
	local workdir=$1 tool=${KPB_KERNEL_BUILD:-}/usr/gen_init_cpio src
	if [[ ! -x "$tool" ]]; then
		tool=$workdir/gen_init_cpio
		src=${KPB_GEN_INIT_CPIO_C:-${KPB_KERNEL_SRC:-}/usr/gen_init_cpio.c}
		gcc -O2 -o "$tool" "$src" || die "cannot build gen_init_cpio from $src"
	fi
	echo "$tool"
}

guest_write_cpio_list() {
	local check=$1 ko d f
	shift
	for d in /dev /proc /sys /bin /tmp /kpb /kpb/modules /kpb/tests; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "file /bin/busybox $KPB_GUEST_BUSYBOX 0755 0 0"
	echo "file /init $KPB_GUEST_DIR/init 0755 0 0"
	echo "file /kpb/lib.sh $KPB_GUEST_DIR/lib.sh 0644 0 0"
	if [[ -d "$check" ]]; then
		echo "file /kpb/check $KPB_GUEST_DIR/run-tests 0755 0 0"
		for f in "$check"/*; do
			echo "file /kpb/tests/$(basename "$f") $f 0644 0 0"
		done
	else
		echo "file /kpb/check $check 0755 0 0"
	fi
	for ko in "$@"; do
		echo "file /kpb/modules/$(basename "$ko") $ko 0644 0 0"
	done
	((KPB_GUEST_MANAGER == 0)) || guest_write_manager_list
}

# The manager, and the host's bash and the libraries it links (ldd) at the
# same paths: the manager is a bash script, busybox has no bash.
guest_write_manager_list() {
	local f lib dir
	local -a libs
	local -A dirs=()
	echo "dir /kpb/manager 0755 0 0"
	echo "dir /kpb/manager/lib 0755 0 0"
	echo "file /kpb/manager/kpatch $KPB_GUEST_MANAGER_DIR/kpatch 0755 0 0"
	for f in "$KPB_GUEST_MANAGER_DIR"/lib/*.sh; do
		echo "file /kpb/manager/lib/$(basename "$f") $f 0644 0 0"
	done
	# The project's shell library, where the manager looks beside its
	# directory (../shlib).
	echo "dir /kpb/shlib 0755 0 0"
	for f in "$KPB_SHLIB_DIR"/*.sh; do
		echo "file /kpb/shlib/$(basename "$f") $f 0644 0 0"
	done
	echo "file /bin/bash /bin/bash 0755 0 0"
	mapfile -t libs < <(ldd /bin/bash | grep -o '/[^ ]*')
	for lib in "${libs[@]}"; do
		dir=$(dirname "$lib")
		while [[ $dir != / && -z ${dirs[$dir]:-} ]]; do
			dirs[$dir]=1
			dir=$(dirname "$dir")
		done
	done
	for dir in $(printf '%s\n' "${!dirs[@]}" | sort); do
		echo "dir $dir 0755 0 0"
	done
	for lib in "${libs[@]}"; do
		echo "file $lib $(readlink -f "$lib") 0755 0 0"
	done
}

# guest_build_initramfs <out.cpio.gz> <workdir> <check script> [module.ko...]
guest_build_initramfs() {
	local out=$1 workdir=$2 check=$3 list tool f
	shift 3
	[[ -x "$KPB_GUEST_BUSYBOX" ]] || die "$KPB_GUEST_BUSYBOX missing (install busybox-static)"
	file -L "$KPB_GUEST_BUSYBOX" | grep -q 'statically linked' ||
		die "$KPB_GUEST_BUSYBOX is not statically linked (install busybox-static)"
	for f in "$check" "$@"; do
		[[ -r "$f" ]] || die "guest input $f is missing"
	done
	list=$workdir/initramfs.list
	guest_write_cpio_list "$check" "$@" >"$list"
	tool=$(guest_find_gen_init_cpio "$workdir")
	"$tool" "$list" | gzip -9 >"$out"
}

# guest_boot <bzImage> <initramfs> <log>; returns qemu's (or timeout's) status.
guest_boot() {
	local bzimage=$1 initramfs=$2 log=$3 rc=0 start
	start=$(now_seconds)
	# --foreground: qemu stays in our process group, so stopping the run stops it.
	local -a disk=() accel=() qemu
	read -r -a qemu <<<"$KPB_GUEST_QEMU"
	[[ -z $KPB_GUEST_DISK ]] || disk=(-drive "file=$KPB_GUEST_DISK,format=raw,if=virtio")
	[[ -z $KPB_GUEST_ACCEL ]] || accel=(-accel "$KPB_GUEST_ACCEL")
	timeout --foreground --kill-after=10 "$KPB_GUEST_TIMEOUT" \
		"${qemu[@]}" -nographic -no-reboot -m 512 -smp 2 "${accel[@]}" \
		-kernel "$bzimage" -initrd "$initramfs" "${disk[@]}" \
		-append "$KPB_GUEST_APPEND${KPB_GUEST_APPEND_CELL:+ $KPB_GUEST_APPEND_CELL}" \
		</dev/null >"$log" 2>&1 || rc=$?
	info "guest ran $(($(now_seconds) - start)) s (qemu status $rc, accel ${KPB_GUEST_ACCEL:-default}, log: $log)"
	return "$rc"
}

# Turn the guest's KPB-RESULT lines into ok/not ok lines.
guest_collect_results() {
	local name=$1 log=$2 line count=0
	while IFS= read -r line; do
		count=$((count + 1))
		case $line in
		"ok "*) guest_report_ok "$name/${line#ok }" ;;
		"not ok "*)
			line=${line#not ok }
			guest_report_fail "$name/${line%%: *}" "${line#*: }"
			;;
		esac
	done < <(tr -d '\r' <"$log" | sed -n 's/.*KPB-RESULT \(.*\)$/\1/p')
	((count > 0)) || guest_report_fail "$name/results" "the guest reported no result"
}

guest_check_finished() {
	local name=$1 log=$2 qemu_rc=$3 done_rc
	done_rc=$(tr -d '\r' <"$log" | sed -n 's/.*KPB-DONE \([0-9]*\)$/\1/p' | tail -n1)
	if [[ -z "$done_rc" ]]; then
		if ((qemu_rc == 124 || qemu_rc == 137)); then
			guest_report_fail "$name/guest-finished" "no KPB-DONE within ${KPB_GUEST_TIMEOUT}s (hang?), see $log"
		else
			guest_report_fail "$name/guest-finished" "no KPB-DONE, qemu exited $qemu_rc (panic?), see $log"
		fi
	elif [[ "$done_rc" != 0 ]]; then
		guest_report_fail "$name/guest-finished" "the check script exited $done_rc, see $log"
	else
		guest_report_ok "$name/guest-finished"
	fi
}

# The console log without the reports a test provokes on purpose: a block
# from a line containing one of KPB_GUEST_REPORTS (its <t>.log-reports) to
# the line that closes it (its stack dump too): "=====" of a sanitizer
# report, "---[ end trace ... ]---" of a WARN.
guest_log_without_reports() {
	local log=$1
	if ((${#KPB_GUEST_REPORTS[@]} == 0)); then
		tr -d '\r' <"$log"
		return
	fi
	tr -d '\r' <"$log" | awk -v reports="$(printf '%s\n' "${KPB_GUEST_REPORTS[@]}")" '
		BEGIN { n = split(reports, want, "\n") }
		skip && (/^=+$/ || /---\[ end trace [0-9a-f]+ \]---/) { skip = 0; next }
		skip { next }
		{ for (i = 1; i <= n; i++) if (want[i] != "" && index($0, want[i])) { skip = 1; next } }
		{ print }'
}

guest_check_kernel_log() {
	local name=$1 log=$2 bad
	bad=$(guest_log_without_reports "$log" | grep -v 'KPB-RESULT' | grep -E "$KPB_GUEST_BAD_LOG" | head -n 5 || true)
	if [[ -n "$bad" ]]; then
		guest_report_fail "$name/kernel-log-clean" "$(echo "$bad" | head -n1) (and more, see $log)"
		echo "#   ${bad//$'\n'/$'\n'#   }"
	else
		guest_report_ok "$name/kernel-log-clean"
	fi
}

guest_run_check() {
	local name=$1 workdir=$2 check=$3 initramfs log qemu_rc=0
	shift 3
	[[ -n "${KPB_KERNEL_BZIMAGE:-}" ]] || die "guest_run_check: no kernel (call kernel_build_target or debian_prepare_target first)"
	mkdir -p "$workdir"
	initramfs=$workdir/$name.cpio.gz
	log=$workdir/$name.log
	guest_build_initramfs "$initramfs" "$workdir" "$check" "$@"
	guest_boot "$KPB_KERNEL_BZIMAGE" "$initramfs" "$log" || qemu_rc=$?
	guest_collect_results "$name" "$log"
	guest_check_finished "$name" "$log" "$qemu_rc"
	guest_check_kernel_log "$name" "$log"
}
