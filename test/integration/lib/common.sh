# shellcheck shell=bash
# Shared helpers for the integration scripts; sourced, never executed.
# Messages go to stderr so that stdout stays free for results.

[[ -n "${KPB_COMMON_SOURCED:-}" ]] && return 0
KPB_COMMON_SOURCED=1

KPB_INTEGRATION_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KPB_KERNELS_DIR="$KPB_INTEGRATION_DIR/kernels"
KPB_CACHE="${KPB_CACHE:-$HOME/.cache/kpatch-build-test}"

die() {
	echo "error: $*" >&2
	exit 1
}

warn() {
	echo "warning: $*" >&2
}

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
