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

kpb_ok() {
	echo "KPB-RESULT ok $1"
}

kpb_fail() {
	echo "KPB-RESULT not ok $1: $2"
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
