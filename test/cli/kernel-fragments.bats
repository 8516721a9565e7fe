#!/usr/bin/env bats
# test/integration/lib/kernel.sh: a config fragment that starts from another
# (# kpb-base: config-<name>), the text that names and verifies the build,
# and the cells' own fragments resolving against their bases.

setup() {
	T=$BATS_TEST_TMPDIR
	KERNELS=$BATS_TEST_DIRNAME/../integration/kernels
	# shellcheck source=test/integration/lib/kernel.sh
	source "$BATS_TEST_DIRNAME/../integration/lib/kernel.sh"
}

@test "kpb-base: the base's lines first, then the fragment's (later value wins)" {
	printf 'CONFIG_A=y\nCONFIG_B=y\n' >"$T/config-base"
	printf '# kpb-base: config-base\nCONFIG_B=n\n' >"$T/config-top"
	kernel_expand_fragment "$T/config-top" "$T/merged"
	[ "$(grep -v '^#' "$T/merged" | tr '\n' ' ')" = "CONFIG_A=y CONFIG_B=y CONFIG_B=n " ]
}

@test "no kpb-base: the merged text is the fragment, so existing cache keys stay" {
	kernel_expand_fragment "$KERNELS/6.1/config-minimal" "$T/merged"
	cmp "$KERNELS/6.1/config-minimal" "$T/merged"
}

@test "the 6.1 ubsan and 6.12 clang cells start from their line's minimal fragment" {
	kernel_expand_fragment "$KERNELS/6.1/config-ubsan" "$T/ubsan"
	grep -qx CONFIG_LIVEPATCH=y "$T/ubsan"
	grep -qx CONFIG_UBSAN=y "$T/ubsan"
	grep -qx CONFIG_PRINTK_INDEX=y "$T/ubsan"
	kernel_expand_fragment "$KERNELS/6.12/config-clang" "$T/clang"
	grep -qx CONFIG_LIVEPATCH=y "$T/clang"
	grep -qx CONFIG_CC_IS_CLANG=y "$T/clang"
}

@test "a kpb-base that names no config-* file beside it is refused, naming both" {
	printf '# kpb-base: config-missing\nCONFIG_B=n\n' >"$T/config-top"
	run kernel_expand_fragment "$T/config-top" "$T/merged"
	[ "$status" -eq 1 ]
	[[ $output == *"$T/config-top: kpb-base names config-missing, which is not a config-* file beside it"* ]]
	[ ! -e "$T/merged" ]
	printf '# kpb-base: ../etc/passwd\n' >"$T/config-top"
	run kernel_expand_fragment "$T/config-top" "$T/merged"
	[ "$status" -eq 1 ]
	[ ! -e "$T/merged" ]
	[ -z "$(find "$T" -name 'merged*')" ]
}
