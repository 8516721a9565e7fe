# shellcheck shell=sh
# Guest-side helpers, sourced by the check scripts inside the test guest
# (busybox ash). Installed in the initramfs as /kpb/lib.sh.
#
# Protocol on the console, read by test/integration/lib/guest.sh:
#   KPB-RESULT ok <name>
#   KPB-RESULT not ok <name>: <reason>
# /init prints the final "KPB-DONE <exit status of the check script>".

KPB_LIVEPATCH_SYSFS=/sys/kernel/livepatch
KPB_TRANSITION_TIMEOUT=${KPB_TRANSITION_TIMEOUT:-60}

# In a multi-test boot (guest/run-tests) KPB_TEST names the running test and
# prefixes every result.
kpb_result_name() {
	echo "${KPB_TEST:+$KPB_TEST/}$1"
}

kpb_ok() {
	echo "KPB-RESULT ok $(kpb_result_name "$1")"
}

kpb_fail() {
	echo "KPB-RESULT not ok $(kpb_result_name "$1"): $2"
}

# expect_eq <name> <actual> <expected>
expect_eq() {
	if [ "$2" = "$3" ]; then
		kpb_ok "$1"
	else
		kpb_fail "$1" "got '$2', expected '$3'"
	fi
}

# expect_file_eq <name> <file> <expected whole content>
expect_file_eq() {
	if [ ! -r "$2" ]; then
		kpb_fail "$1" "$2 is not readable"
		return
	fi
	expect_eq "$1" "$(cat "$2")" "$3"
}

# expect_file_contains <name> <file> <fixed string>
expect_file_contains() {
	if [ ! -r "$2" ]; then
		kpb_fail "$1" "$2 is not readable"
	elif grep -qF -- "$3" "$2"; then
		kpb_ok "$1"
	else
		kpb_fail "$1" "$2 does not contain '$3' (it holds '$(head -c 200 "$2")')"
	fi
}

# expect_success <name> <command...>: the command exits 0.
expect_success() {
	_kpb_name=$1
	shift
	if _kpb_out=$("$@" 2>&1); then
		kpb_ok "$_kpb_name"
	else
		kpb_fail "$_kpb_name" "'$*' failed: $_kpb_out"
	fi
}

# wait_transition <patch>: poll until the patch's transition is over.
# Returns 1 (and reports nothing) on timeout so the caller names the step.
wait_transition() {
	_kpb_t=$KPB_LIVEPATCH_SYSFS/$1/transition
	_kpb_i=0
	while [ "$_kpb_i" -lt "$KPB_TRANSITION_TIMEOUT" ]; do
		# The directory disappears when a disabled patch is freed: that is the end too.
		[ -e "$_kpb_t" ] || return 0
		[ "$(cat "$_kpb_t" 2>/dev/null)" = 0 ] && return 0
		sleep 1
		_kpb_i=$((_kpb_i + 1))
	done
	return 1
}

# expect_transition_done <name> <patch>
expect_transition_done() {
	if wait_transition "$2"; then
		kpb_ok "$1"
	else
		kpb_fail "$1" "$2 still in transition after ${KPB_TRANSITION_TIMEOUT}s"
	fi
}

# The module's file name under /kpb/modules, e.g. livepatch-sample.ko.
kpb_module_path() {
	echo "/kpb/modules/$1"
}

# ---- livepatch module life cycle -------------------------------------------
# Each helper takes the kpatch-build name of a module (-n NAME):
# /kpb/modules/livepatch-NAME.ko, module livepatch_NAME (dashes as
# underscores), /sys/kernel/livepatch/livepatch_NAME. Results are named
# NAME/<step> (see kpb_step).

# The result name of a step for module NAME: just <step> when NAME is the
# running test's own (one-module tests), else NAME/<step>.
kpb_step() {
	if [ "$1" = "${KPB_TEST:-}" ]; then
		echo "$2"
	else
		echo "$1/$2"
	fi
}

kpb_patch_sysfs_name() {
	echo "livepatch_$1" | tr - _
}

# expect_livepatch_enabled NAME: insmod, enabled = 1, transition over.
expect_livepatch_enabled() {
	_kpb_p=$(kpb_patch_sysfs_name "$1")
	expect_success "$(kpb_step "$1" insmod)" insmod "$(kpb_module_path "livepatch-$1.ko")"
	expect_file_eq "$(kpb_step "$1" enabled)" "$KPB_LIVEPATCH_SYSFS/$_kpb_p/enabled" 1
	expect_transition_done "$(kpb_step "$1" enable-transition)" "$_kpb_p"
	expect_file_eq "$(kpb_step "$1" transition)" "$KPB_LIVEPATCH_SYSFS/$_kpb_p/transition" 0
}

# expect_livepatch_disabled NAME: echo 0 > enabled, the transition ends and
# the kernel frees the patch (its sysfs directory goes away).
expect_livepatch_disabled() {
	_kpb_p=$(kpb_patch_sysfs_name "$1")
	expect_success "$(kpb_step "$1" disable)" sh -c "echo 0 > $KPB_LIVEPATCH_SYSFS/$_kpb_p/enabled"
	expect_transition_done "$(kpb_step "$1" disable-transition)" "$_kpb_p"
	expect_livepatch_gone "$(kpb_step "$1" sysfs-removed)" "$1"
}

# expect_livepatch_gone <result name> NAME: no sysfs directory (disabled and
# freed, or replaced by a cumulative patch).
expect_livepatch_gone() {
	_kpb_p=$(kpb_patch_sysfs_name "$2")
	_kpb_i=0
	while [ -e "$KPB_LIVEPATCH_SYSFS/$_kpb_p" ] && [ "$_kpb_i" -lt 10 ]; do
		sleep 1
		_kpb_i=$((_kpb_i + 1))
	done
	if [ -e "$KPB_LIVEPATCH_SYSFS/$_kpb_p" ]; then
		kpb_fail "$1" "$KPB_LIVEPATCH_SYSFS/$_kpb_p still exists (enabled=$(cat "$KPB_LIVEPATCH_SYSFS/$_kpb_p/enabled"))"
	else
		kpb_ok "$1"
	fi
}

# expect_module_removed <result name> <module name as in /proc/modules>
expect_module_removed() {
	expect_success "$1" rmmod "$2"
	if grep -q "^$2 " /proc/modules; then
		kpb_fail "$1-gone" "$2 is still in /proc/modules"
	fi
}

# expect_livepatch_removed NAME: rmmod of a disabled (or replaced) patch.
expect_livepatch_removed() {
	expect_module_removed "$(kpb_step "$1" rmmod)" "$(kpb_patch_sysfs_name "$1")"
}

# expect_insmod_refused <result name> <module path>: insmod must fail.
expect_insmod_refused() {
	if _kpb_out=$(insmod "$2" 2>&1); then
		kpb_fail "$1" "insmod $2 succeeded, expected a refusal"
	else
		kpb_ok "$1"
	fi
}

# ---- kernel log ----------------------------------------------------------
# kpb_dmesg_mark: remember where the kernel log is now, so that
# expect_dmesg_* look only at what came after.
kpb_dmesg_mark() {
	KPB_DMESG_MARK=$(dmesg | wc -l)
}

kpb_dmesg_since_mark() {
	dmesg | tail -n +"$((${KPB_DMESG_MARK:-0} + 1))"
}

# expect_dmesg_contains <name> <fixed string>: logged since the mark.
expect_dmesg_contains() {
	if kpb_dmesg_since_mark | grep -qF -- "$2"; then
		kpb_ok "$1"
	else
		kpb_fail "$1" "no '$2' in the kernel log since the mark"
	fi
}

# expect_dmesg_order <name> <fixed string>...: each string logged since the
# mark, in this order, every one exactly once.
expect_dmesg_order() {
	_kpb_name=$1
	shift
	_kpb_log=$(kpb_dmesg_since_mark)
	_kpb_got=""
	for _kpb_s in "$@"; do
		_kpb_n=$(echo "$_kpb_log" | grep -cF -- "$_kpb_s")
		if [ "$_kpb_n" != 1 ]; then
			kpb_fail "$_kpb_name" "'$_kpb_s' logged $_kpb_n times since the mark, expected once"
			return
		fi
	done
	_kpb_got=$(echo "$_kpb_log" | while IFS= read -r _kpb_l; do
		for _kpb_s in "$@"; do
			case $_kpb_l in *"$_kpb_s"*) echo "$_kpb_s" ;; esac
		done
	done | tr '\n' '|')
	_kpb_want=$(printf '%s|' "$@")
	expect_eq "$_kpb_name" "$_kpb_got" "$_kpb_want"
}

# ---- between the tests of one boot ---------------------------------------
# Disable and unload whatever livepatch a test left behind, so that the
# next test of the same boot starts from the unpatched kernel.
kpb_unload_livepatches() {
	for _kpb_d in "$KPB_LIVEPATCH_SYSFS"/*; do
		[ -d "$_kpb_d" ] || continue
		echo "kpb: test ${KPB_TEST:-?} left $(basename "$_kpb_d") loaded, disabling it"
		echo 0 >"$_kpb_d/enabled" 2>/dev/null
		wait_transition "$(basename "$_kpb_d")" || true
	done
	grep '^livepatch_' /proc/modules | while read -r _kpb_m _; do
		echo "kpb: test ${KPB_TEST:-?} left module $_kpb_m, removing it"
		rmmod "$_kpb_m" 2>/dev/null
	done
}

# ---- the manager (tests with a guest-manager file) -------------------------
# /kpb/manager/kpatch runs with the guest's busybox insmod, rmmod and
# modinfo; busybox modinfo wants a modules.dep, even for a file path.
KPB_KPATCH=/kpb/manager/kpatch

kpb_manager_setup() {
	# What udev makes on a real system; bash's <(...) reads /dev/fd/N.
	[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
	mkdir -p "/lib/modules/$(uname -r)"
	[ -e "/lib/modules/$(uname -r)/modules.dep" ] || : >"/lib/modules/$(uname -r)/modules.dep"
}

# expect_kpatch <name> <exit status> <kpatch arguments...>: kpatch exits
# with that status; its output (stdout and stderr) is in $KPB_KPATCH_OUT.
expect_kpatch() {
	_kpb_name=$1
	_kpb_want=$2
	shift 2
	_kpb_rc=0
	KPB_KPATCH_OUT=$("$KPB_KPATCH" "$@" 2>&1) || _kpb_rc=$?
	echo "kpb: kpatch $* -> $_kpb_rc"
	echo "$KPB_KPATCH_OUT" | sed 's/^/kpb:   /'
	if [ "$_kpb_rc" = "$_kpb_want" ]; then
		kpb_ok "$_kpb_name"
	else
		kpb_fail "$_kpb_name" "kpatch $* exited $_kpb_rc, expected $_kpb_want: $(echo "$KPB_KPATCH_OUT" | tail -n 3 | tr '\n' ' ')"
	fi
}

# expect_kpatch_said <name> <fixed string>: in the last kpatch output.
expect_kpatch_said() {
	if echo "$KPB_KPATCH_OUT" | grep -qF -- "$2"; then
		kpb_ok "$1"
	else
		kpb_fail "$1" "kpatch's output lacks '$2'"
	fi
}

# expect_kpatch_said_line <name> <extended regex>: a line of the last output.
expect_kpatch_said_line() {
	if echo "$KPB_KPATCH_OUT" | grep -qE -- "$2"; then
		kpb_ok "$1"
	else
		kpb_fail "$1" "no line of kpatch's output matches '$2'"
	fi
}

# kpb_attach_disk: load the virtio modules the test brought (the others
# are built in: 6.12's cloud kernel has only virtio_blk as a module), in
# dependency order, and wait for /dev/vda, the cell's disk that outlives a
# boot.
kpb_attach_disk() {
	for _kpb_m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk; do
		[ -e "$(kpb_module_path "$_kpb_m.ko")" ] || continue
		grep -q "^$_kpb_m " /proc/modules || insmod "$(kpb_module_path "$_kpb_m.ko")" || return 1
	done
	_kpb_i=0
	while [ ! -b /dev/vda ] && [ "$_kpb_i" -lt 50 ]; do
		sleep 0.2
		_kpb_i=$((_kpb_i + 1))
	done
	[ -b /dev/vda ]
}

# ---- soak: transitions under a workload (soak, soak-control) --------------
# Rounds of a soak; the kernel command line can set it for a longer run
# (the kernel hands unknown NAME=VALUE parameters to /init's environment).
KPB_SOAK_ROUNDS=${KPB_SOAK_ROUNDS:-50}
# The rounds stop early when this many seconds have passed: a round costs
# 5-40 s under software emulation, as the host's load goes (one of 141 s
# seen), and the boot's guest-timeout (soak.guest-timeout, 1200 s) must
# not cut a soak off before its results.
KPB_SOAK_BUDGET=${KPB_SOAK_BUDGET:-600}
# A soak that finished fewer rounds than this within its budget fails: too
# few transitions to call it a soak.
KPB_SOAK_MIN_ROUNDS=${KPB_SOAK_MIN_ROUNDS:-5}
# Set, a soak runs rounds for that many seconds instead (to reproduce a
# crash that takes long to come, e.g. KPB_SOAK_SECONDS=300).
KPB_SOAK_SECONDS=${KPB_SOAK_SECONDS:-}
KPB_SOAK_DIR=/tmp/kpb-soak

# kpb_uptime_cs: the time since boot in hundredths of a second (the first
# field of /proc/uptime, read without a fork).
kpb_uptime_cs() {
	read -r _kpb_up _kpb_rest </proc/uptime
	# "1${frac}" - 100: the fraction may start with 0 (ash would read octal).
	echo $((${_kpb_up%.*} * 100 + 1${_kpb_up#*.} - 100))
}

# kpb_soak_more <rounds done> <start, kpb_uptime_cs>: is another round due?
# KPB_SOAK_SECONDS set: until that time is over. Otherwise until
# KPB_SOAK_ROUNDS rounds are done or KPB_SOAK_BUDGET seconds have passed.
kpb_soak_more() {
	_kpb_elapsed=$(($(kpb_uptime_cs) - $2))
	if [ -n "$KPB_SOAK_SECONDS" ]; then
		[ "$_kpb_elapsed" -lt $((KPB_SOAK_SECONDS * 100)) ]
	else
		[ "$1" -lt "$KPB_SOAK_ROUNDS" ] && [ "$_kpb_elapsed" -lt $((KPB_SOAK_BUDGET * 100)) ]
	fi
}

# kpb_soak_rounds_result <failed, 0 or 1> <rounds done>: the soak's
# "rounds" result once its loop is over. A round's failure was reported
# by the round; a soak without one passes when it ran enough rounds (all
# of KPB_SOAK_ROUNDS, or at least KPB_SOAK_MIN_ROUNDS when the budget
# stopped it; any number under KPB_SOAK_SECONDS).
kpb_soak_rounds_result() {
	[ "$1" = 0 ] || return 0
	if [ -n "$KPB_SOAK_SECONDS" ] || [ "$2" -ge "$KPB_SOAK_ROUNDS" ] ||
		[ "$2" -ge "$KPB_SOAK_MIN_ROUNDS" ]; then
		kpb_ok rounds
	else
		kpb_fail rounds "only $2 of $KPB_SOAK_ROUNDS rounds within the ${KPB_SOAK_BUDGET} s budget (at least $KPB_SOAK_MIN_ROUNDS needed): the guest is too slow for a soak"
	fi
}

# kpb_soak_workload_start: what runs beside the transitions, until
# kpb_soak_workload_stop: two loops forking and exiting a shell that reads
# /proc files (/proc/uptime among them) and sleeps 200 ms, two tasks
# sleeping 10 ms at a time in nanosleep and one sleeping 1 s at a time.
# Each loop counts its iterations into $KPB_SOAK_DIR/count.<n> when it
# stops. The pauses keep the vCPUs idle part of the time: under
# -accel tcg,thread=single a vCPU that waits for the other's answer to an
# IPI (each of the ~1,500 call sites a 6.12 transition rewrites waits for
# three) gets it at once when the other is idle, up to 100 ms later when
# it is busy (qemu's round-robin time slice).
kpb_soak_workload_start() {
	rm -rf "$KPB_SOAK_DIR"
	mkdir -p "$KPB_SOAK_DIR"
	KPB_SOAK_PIDS=
	for _kpb_w in 1 2; do
		kpb_soak_loop "fork.$_kpb_w" sh -c 'cat /proc/uptime /proc/self/stat /proc/loadavg >/dev/null; sleep 0.2' &
		KPB_SOAK_PIDS="$KPB_SOAK_PIDS $!"
		kpb_soak_loop "sleep.$_kpb_w" sleep 0.01 &
		KPB_SOAK_PIDS="$KPB_SOAK_PIDS $!"
	done
	kpb_soak_loop sleep-long sleep 1 &
	KPB_SOAK_PIDS="$KPB_SOAK_PIDS $!"
}

# kpb_soak_loop <name> <command...>: run the command until the stop file.
kpb_soak_loop() {
	_kpb_name=$1
	shift
	_kpb_n=0
	while [ ! -e "$KPB_SOAK_DIR/stop" ]; do
		"$@"
		_kpb_n=$((_kpb_n + 1))
	done
	echo "$_kpb_n" >"$KPB_SOAK_DIR/count.$_kpb_name"
}

# kpb_soak_workload_stop: stop the loops and wait for them (in the shell
# that started them: not in a $(...) subshell, which has no children);
# then kpb_soak_workload_counts says what they did.
kpb_soak_workload_stop() {
	: >"$KPB_SOAK_DIR/stop"
	# shellcheck disable=SC2086 # a list of pids
	wait $KPB_SOAK_PIDS
}

# kpb_soak_workload_counts: "<loop>=<iterations> ..." of every loop; fails
# if a loop is missing or never went round.
kpb_soak_workload_counts() {
	_kpb_rc=0
	for _kpb_l in fork.1 fork.2 sleep.1 sleep.2 sleep-long; do
		_kpb_n=$(cat "$KPB_SOAK_DIR/count.$_kpb_l" 2>/dev/null)
		printf '%s=%s ' "$_kpb_l" "${_kpb_n:-missing}"
		[ "${_kpb_n:-0}" -gt 0 ] || _kpb_rc=1
	done
	echo
	return "$_kpb_rc"
}

# kpb_soak_wait_transition <patch>: like wait_transition, but polls every
# 100 ms (a soak times its transitions) and fails after
# $KPB_TRANSITION_TIMEOUT seconds (of the guest's clock).
kpb_soak_wait_transition() {
	_kpb_t=$KPB_LIVEPATCH_SYSFS/$1/transition
	_kpb_end=$(($(kpb_uptime_cs) + KPB_TRANSITION_TIMEOUT * 100))
	while [ "$(kpb_uptime_cs)" -lt "$_kpb_end" ]; do
		[ -e "$_kpb_t" ] || return 0
		read -r _kpb_v <"$_kpb_t" 2>/dev/null || return 0
		[ "$_kpb_v" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# kpb_transition_pending <target state 0|1>: the tasks a transition still
# waits for, one a line: pid, comm, and the top of the kernel stack.
kpb_transition_pending() {
	for _kpb_s in /proc/[0-9]*/patch_state; do
		read -r _kpb_v <"$_kpb_s" 2>/dev/null || continue
		[ "$_kpb_v" = -1 ] || [ "$_kpb_v" = "$1" ] && continue
		_kpb_d=${_kpb_s%/patch_state}
		echo "pid ${_kpb_d#/proc/} $(cat "$_kpb_d/comm" 2>/dev/null): $(head -n 3 "$_kpb_d/stack" 2>/dev/null | tr '\n' ' ')"
	done
}
