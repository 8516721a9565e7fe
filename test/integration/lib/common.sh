# shellcheck shell=bash
# Shared helpers for the integration scripts; sourced, never executed.
# Below it only shlib/ (messages, module facts), which it sources.
# Messages go to stderr so that stdout stays free for results.

[[ -n "${KPB_COMMON_SOURCED:-}" ]] && return 0
KPB_COMMON_SOURCED=1

KPB_INTEGRATION_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KPB_KERNELS_DIR="$KPB_INTEGRATION_DIR/kernels"
KPB_CACHE="${KPB_CACHE:-$HOME/.cache/kpatch-build-test}"

# die and warn are the project's (shlib/msg.sh), with these scripts' own
# prefixes: "error: ...", "warning: ...".
KPB_SHLIB_DIR=$(cd "$KPB_INTEGRATION_DIR/../../shlib" && pwd)
# shellcheck source=shlib/msg.sh
source "$KPB_SHLIB_DIR/msg.sh"
# shellcheck source=shlib/kmod.sh
source "$KPB_SHLIB_DIR/kmod.sh"
MSG_DIE_PREFIX='error: ' MSG_WARN_PREFIX='warning: '

info() {
	echo ":: $*" >&2
}

# Seconds since the epoch; used for the wall-time lines in the logs.
now_seconds() {
	date +%s
}

# The fragment of one cell: kernels/<version>/config-<name>.
cell_config_fragment() {
	local version=$1 config=$2
	echo "$KPB_KERNELS_DIR/$version/config-$config"
}
