# shellcheck shell=bash
# Checks that every cell (kernel x config) runs, shared by smoke-samples and
# run-integration. Each adds its results to GUEST_PASSED / GUEST_FAILED.

# shellcheck source=test/integration/lib/guest.sh
source "$(dirname "${BASH_SOURCE[0]}")/guest.sh"
# shellcheck source=test/integration/lib/debian.sh
source "$(dirname "${BASH_SOURCE[0]}")/debian.sh"

# The kernel's own samples/livepatch module, loaded, enabled, disabled and
# unloaded in the booted target: proves the kernel, the guest and the
# protocol before any module of ours is involved.
check_livepatch_samples() {
	local workdir=$1
	guest_run_check samples "$workdir" "$KPB_GUEST_DIR/samples-livepatch.check" \
		"$KPB_KERNEL_BUILD/samples/livepatch/livepatch-sample.ko"
}

# Debian's own kernel (a Debian cell, lib/debian.sh) before any module of
# ours: the livepatch core, debugfs, and a module of its image package.
check_debian_target() {
	local workdir=$1
	guest_run_check debian-target "$workdir" "$KPB_GUEST_DIR/debian-target.check" \
		"$(debian_target_module "$workdir" kernel/drivers/net/dummy.ko)"
}

# Where a run keeps its console logs (small; kept after the run).
make_run_dir() {
	local label=$1 dir
	dir="$KPB_CACHE/logs/$(date +%Y%m%d-%H%M%S)-$label-$$"
	mkdir -p "$dir"
	echo "$dir"
}

# What a run leaves behind besides the logs: initramfs images, tools,
# decompressed target modules, the throwaway signing key.
remove_run_scratch() {
	local dir=$1
	[[ -d "$dir" ]] || return 0
	find "$dir" \( -name '*.cpio.gz' -o -name 'initramfs.list' -o -name 'gen_init_cpio' \
		-o -path '*/target-modules/*.ko' -o -path '*/signing/key.pem' \) -delete
}
