# shellcheck shell=bash
# kpatch (the manager): version, exit statuses, messages, the paths it works
# on and the commands it runs.  Sourced first, after shlib/msg.sh and
# shlib/kmod.sh (module names, modinfo, vermagic); the other lib/*.sh use these.
# shellcheck disable=SC2034 # the paths and commands are read by the other lib/*.sh

readonly KPATCH_VERSION=0.1.0

# Exit statuses, documented in `kpatch help` and kpatch(8).
readonly EXIT_ERROR=1 EXIT_USAGE=2 EXIT_NOT_ROOT=3 EXIT_NO_LIVEPATCH=4
readonly EXIT_WRONG_MODULE=5 EXIT_NOT_FOUND=6 EXIT_WOULD_REPLACE=7 EXIT_TIMEOUT=8

# Every path and command comes from the environment so that the tests can
# run against a fake sysfs/proc tree (test/cli/kpatch.bats).
SYSFS=${KPATCH_SYSFS:-/sys}
PROCFS=${KPATCH_PROC:-/proc}
STORE_DIR=${KPATCH_LIBDIR:-/var/lib/kpatch}
INSMOD=${KPATCH_INSMOD:-insmod}
RMMOD=${KPATCH_RMMOD:-rmmod}
KMOD_MODINFO=${KPATCH_MODINFO:-modinfo}
READELF=${KPATCH_READELF:-readelf}
LIVEPATCH_DIR=$SYSFS/kernel/livepatch

# die, warn, note and indent are shlib/msg.sh's: "$PROG: error: ...".
MSG_DIE_STATUS=$EXIT_ERROR

running_release() {
	if [[ -n ${KPATCH_RELEASE:-} ]]; then
		echo "$KPATCH_RELEASE"
	else
		uname -r
	fi
}

# KPATCH_TEST_SKIP_ROOT_CHECK is for the test suite only (fake sysfs trees
# that an unprivileged user can write); it is documented as such.
require_root() {
	[[ ${KPATCH_TEST_SKIP_ROOT_CHECK:-} == 1 ]] && return 0
	[[ $(id -u) == 0 ]] ||
		die "$EXIT_NOT_ROOT" "$1 needs root (it loads modules and writes $LIVEPATCH_DIR); run it with sudo"
}

require_livepatch_support() {
	[[ -d $LIVEPATCH_DIR ]] ||
		die "$EXIT_NO_LIVEPATCH" "the running kernel $(running_release) has no livepatch support: $LIVEPATCH_DIR is missing (CONFIG_LIVEPATCH)"
}

