# shellcheck shell=bash
# shlib/msg.sh: the one die/warn/note of every shell tool of the project
# (kpatch-build, kpatch-package, kpb-objmap, the manager, the test
# scripts).  The bottom layer: it knows no tool; each tool names itself
# through the variables below, set before it calls these.
#
#   MSG_DIE_PREFIX   starts die's message     (default "$PROG: error: ")
#   MSG_WARN_PREFIX  starts warn's message    (default "$PROG: warning: ")
#   MSG_NOTE_PREFIX  starts note's message    (default "$PROG: ")
#   MSG_DIE_STATUS   die's exit status when the first word is no number
#                    (default 1)
#   MSG_DIE_HOOK     a command die runs after its message, before exiting
#                    (kpatch-build names its log there); default none
#
# Everything goes to stderr: stdout stays free for results.

# die [STATUS] MESSAGE...: the message, then exit STATUS.
die() {
	local status=${MSG_DIE_STATUS:-1}
	if [[ ${1:-} =~ ^[0-9]+$ ]]; then status=$1; shift; fi
	echo "${MSG_DIE_PREFIX-${PROG:+$PROG: }error: }$*" >&2
	if [[ -n ${MSG_DIE_HOOK:-} ]]; then "$MSG_DIE_HOOK" || true; fi
	exit "$status"
}
warn() { echo "${MSG_WARN_PREFIX-${PROG:+$PROG: }warning: }$*" >&2; }
note() { echo "${MSG_NOTE_PREFIX-${PROG:+$PROG: }}$*" >&2; }
# Continuation lines of a message, indented under it.
indent() { printf '  %s\n' "${1//$'\n'/$'\n'  }" >&2; }
