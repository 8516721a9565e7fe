# shellcheck shell=bash
# kpatch (the manager): version, exit statuses, messages, the paths it works
# on and the commands it runs.  Sourced first; the other lib/*.sh use these.
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
MODINFO=${KPATCH_MODINFO:-modinfo}
READELF=${KPATCH_READELF:-readelf}
LIVEPATCH_DIR=$SYSFS/kernel/livepatch

die() {
	local status=$EXIT_ERROR
	if [[ $1 =~ ^[0-9]+$ ]]; then status=$1; shift; fi
	echo "$PROG: error: $*" >&2
	exit "$status"
}
warn() { echo "$PROG: warning: $*" >&2; }
note() { echo "$PROG: $*" >&2; }
# Continuation lines of a message, indented under it.
indent() { printf '  %s\n' "${1//$'\n'/$'\n'  }" >&2; }

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

# The kernel's name of a module: livepatch-foo.ko -> livepatch_foo.
module_name_of() {
	local base=${1##*/}
	base=${base%.gz} base=${base%.xz} base=${base%.zst}
	base=${base%.ko}
	echo "${base//-/_}"
}
