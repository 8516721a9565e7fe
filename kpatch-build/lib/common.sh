# shellcheck shell=bash
# kpatch-build: exit statuses, messages, logged commands, temporary files,
# locks held and the exit hooks.  Sourced by kpatch-build (and for its
# messages by kpatch-package) after shlib/msg.sh and shlib/kmod.sh (below
# every layer: die, warn, note, indent and the module facts).
#
# Layer 0, the bottom (README, "Layout": the driver's layers): calls no
# other lib/*.sh; every other one may call it.  It knows no stage and no
# other lib's state: a lib that leaves something to undo on exit registers
# a hook (on_cleanup), a path to remove if the run fails
# (discard_on_failure) or a directory to drop from a kept temporary
# directory (drop_from_kept_tmp).
#
# Owns (the only file that writes them): START_TIME, TMP_DIR, LOG,
# CHILD_PID, CHILD_PID_FILE, LOCK_FDS, CLEANUP_ON_FAILURE, CLEANUP_HOOKS,
# TMP_DROP_ON_FAILURE; the exit statuses EXIT_ERROR, EXIT_USAGE,
# EXIT_PATCH, EXIT_MISMATCH, EXIT_BUILD, EXIT_UNSUPPORTED, EXIT_NO_CHANGE,
# EXIT_VERIFY, EXIT_INTERRUPT; shlib/msg.sh's settings MSG_DIE_STATUS and
# MSG_DIE_HOOK (a failure names the log).  Reads the driver's configuration: PROG,
# OPT_DEBUG, OPT_KEEP_TMP.

# Exit statuses (documented in --help and kpatch-build(1)).
# shellcheck disable=SC2034 # used by the other lib/*.sh
readonly EXIT_ERROR=1 EXIT_USAGE=2 EXIT_PATCH=3 EXIT_MISMATCH=4 EXIT_BUILD=5
readonly EXIT_UNSUPPORTED=6 EXIT_NO_CHANGE=7 EXIT_VERIFY=8 EXIT_INTERRUPT=130

START_TIME=$SECONDS
TMP_DIR='' LOG='' CHILD_PID='' CHILD_PID_FILE='' CLEANUP_ON_FAILURE=''
declare -a CLEANUP_HOOKS=()	# run on exit, the last registered first
declare -a TMP_DROP_ON_FAILURE=()	# of TMP_DIR, not kept after a failure

# die, warn, note and indent are shlib/msg.sh's ("$PROG: error: ..."); a
# failure names the log once a build step has run.
MSG_DIE_STATUS=$EXIT_ERROR MSG_DIE_HOOK=name_full_log
name_full_log() { if log_has_commands; then echo "$PROG: full log: $LOG" >&2; fi; }
# The log is worth keeping (and naming) once a build step has run.
log_has_commands() { [[ -n $LOG ]] && grep -q '^+ ' "$LOG" 2>/dev/null; }
debug() { if ((OPT_DEBUG)); then echo "$PROG: debug: $*" >&2; fi; }
elapsed() { printf '%4ds' $((SECONDS - START_TIME)); }
stage() {
	echo "[$(elapsed)] $*"
	if [[ -n $LOG ]]; then echo "=== $* ===" >>"$LOG"; fi
}

setup_tmp() {
	TMP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kpatch-build.XXXXXX")
	LOG=$TMP_DIR/build.log
	: >"$LOG"
}

# Run a command with its output in the log.  In the background so that a
# trapped signal interrupts `wait` at once; in its own session (process
# group) so that cleanup can stop the whole make tree.  The child does not
# inherit the locks (LOCK_FDS): if this driver is SIGKILLed, an orphaned
# make must not hold them; the next run finds its process group in
# CHILD_PID_FILE and ends it (see cache.sh).
declare -a LOCK_FDS=()
# A lock's file descriptor, closed in every child run_to starts.
add_lock_fd() { LOCK_FDS+=("$1"); }
# Where run_to records the process group of the running build step.
record_children_in() { CHILD_PID_FILE=$1; }
# Each command's wall time follows it in the log ("= 1.234 s status 0"):
# where a run's time goes (make bench reads it).
run_logged() {
	local start=$EPOCHREALTIME status=0
	echo "+ $*" >>"$LOG"
	run_to "$LOG" "$@" || status=$?
	echo "= $(elapsed_since "$start") s status $status" >>"$LOG"
	return "$status"
}

# Seconds since START (an $EPOCHREALTIME), to the millisecond.
elapsed_since() {
	local now=$EPOCHREALTIME
	awk -v s="$1" -v e="$now" 'BEGIN { printf "%.3f", e - s }'
}

# run_to FILE COMMAND...: run_logged, with the output appended to FILE.
run_to() {
	local status=0 out=$1
	shift
	# The child records itself before it starts: a SIGKILL of this driver
	# at any moment leaves either no child or its pid on record.
	(
		close_lock_fds
		[[ -z $CHILD_PID_FILE ]] || echo "$BASHPID" >"$CHILD_PID_FILE"
		exec setsid "$@"
	) >>"$out" 2>&1 </dev/null &
	CHILD_PID=$!
	wait "$CHILD_PID" || status=$?
	CHILD_PID=''
	[[ -n $CHILD_PID_FILE ]] && rm -f "$CHILD_PID_FILE"
	return "$status"
}

close_lock_fds() {
	local fd
	for fd in "${LOCK_FDS[@]}"; do eval "exec $fd>&-"; done
}

# flock in the foreground would hold off the INT/TERM trap until the other
# run ends; in the background (its own session, like run_logged) `wait`
# returns at once on a signal and cleanup stops it. The lock belongs to the
# open file, which this shell shares, so it stays held after flock exits.
wait_for_lock() {
	setsid flock "$1" </dev/null &
	CHILD_PID=$!
	wait "$CHILD_PID" || die "waiting for the cache lock failed"
	CHILD_PID=''
}

short_sum() { sha256sum | cut -c1-16; }

stop_child() {
	[[ -n $CHILD_PID ]] || return 0
	kill -TERM -- "-$CHILD_PID" 2>/dev/null || true
	wait "$CHILD_PID" 2>/dev/null || true
	CHILD_PID=''
	[[ -n $CHILD_PID_FILE ]] && rm -f "$CHILD_PID_FILE"
}

# shellcheck disable=SC2317 # reached through trap
on_signal() {
	trap '' INT TERM HUP
	echo >&2
	warn "interrupted, restoring the cache"
	exit "$EXIT_INTERRUPT"
}

# ---- exit hooks ------------------------------------------------------------
# on_cleanup FUNC: FUNC runs on exit, whatever happened, after the running
# build step is stopped; the last registered first (install before cache).
on_cleanup() {
	local h
	for h in "${CLEANUP_HOOKS[@]}"; do [[ $h != "$1" ]] || return 0; done
	CLEANUP_HOOKS=("$1" "${CLEANUP_HOOKS[@]}")
}

# discard_on_failure PATH: removed if the run fails (a target tree whose
# preparation failed is not a cache entry); '' once it is complete.
discard_on_failure() { CLEANUP_ON_FAILURE=$1; }

# drop_from_kept_tmp NAME: TMP_DIR/NAME is bulk, not worth keeping when a
# failed run keeps the temporary directory for its log.
drop_from_kept_tmp() { TMP_DROP_ON_FAILURE+=("$1"); }

# shellcheck disable=SC2317 # reached through trap
cleanup() {
	local status=$? hook
	trap '' INT TERM HUP
	stop_child
	for hook in "${CLEANUP_HOOKS[@]}"; do "$hook"; done
	((status != 0)) && [[ -n $CLEANUP_ON_FAILURE ]] && rm -rf "$CLEANUP_ON_FAILURE"
	if [[ -n $TMP_DIR ]]; then
		# Keep what a failed build step logged; a refusal up front has
		# nothing worth keeping.
		if ((OPT_KEEP_TMP)) || { ((status != 0)) && log_has_commands; }; then
			((status != 0)) && ((!OPT_KEEP_TMP)) && [[ -n $LOG ]] &&
				rm -rf "${TMP_DROP_ON_FAILURE[@]/#/$TMP_DIR/}"
			echo "$PROG: temporary files kept in $TMP_DIR" >&2
		else
			rm -rf "$TMP_DIR"
		fi
	fi
	exit "$status"
}

# FILE has a section NAME.  (Never `readelf | grep -q`: grep exits at the
# first match, readelf dies of SIGPIPE, and under pipefail the answer is no.)
has_section() {
	readelf -SW "$1" 2>/dev/null | awk -v n="$2" '$2 == n || $3 == n { f = 1 } END { exit !f }'
}

config_value() { sed -n "s/^$1=//p" "$2" | tr -d '"'; }
