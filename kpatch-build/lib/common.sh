# shellcheck shell=bash
# kpatch-build: exit statuses, messages, logged commands, temporary files.
# Sourced by kpatch-build and kpatch-package after shlib/msg.sh and
# shlib/kmod.sh; every other lib/*.sh relies on these.

# Exit statuses (documented in --help and kpatch-build(1)).
# shellcheck disable=SC2034 # used by the other lib/*.sh
readonly EXIT_ERROR=1 EXIT_USAGE=2 EXIT_PATCH=3 EXIT_MISMATCH=4 EXIT_BUILD=5
readonly EXIT_UNSUPPORTED=6 EXIT_NO_CHANGE=7 EXIT_VERIFY=8 EXIT_INTERRUPT=130

START_TIME=$SECONDS
TMP_DIR='' LOG='' CHILD_PID='' CHILD_PID_FILE='' CLEANUP_ON_FAILURE=''
OPT_DEBUG=0 OPT_KEEP_TMP=0

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
run_logged() {
	echo "+ $*" >>"$LOG"
	run_to "$LOG" "$@"
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

# shellcheck disable=SC2317 # reached through trap
cleanup() {
	local status=$?
	trap '' INT TERM HUP
	stop_child
	discard_install_tmp
	[[ -n ${JOURNAL:-} ]] && restore_cache
	# A target tree whose preparation failed is not a cache entry.
	((status != 0)) && [[ -n $CLEANUP_ON_FAILURE ]] && rm -rf "$CLEANUP_ON_FAILURE"
	if [[ -n $TMP_DIR ]]; then
		# Keep what a failed build step logged; a refusal up front has
		# nothing worth keeping.
		if ((OPT_KEEP_TMP)) || { ((status != 0)) && log_has_commands; }; then
			((status != 0)) && ((!OPT_KEEP_TMP)) && [[ -n $LOG ]] &&
				rm -rf "$TMP_DIR/module" "$TMP_DIR/scratch" "$TMP_DIR/modsyms"
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
