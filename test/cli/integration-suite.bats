#!/usr/bin/env bats
# test/integration/lib/suite.sh and guest/lib.sh helpers of the soak: a
# test's guest-timeout, the Debian cells' soak boots, the guest's clock.

setup() {
	T=$BATS_TEST_TMPDIR
	KERNELS=$BATS_TEST_DIRNAME/../integration/kernels
	# shellcheck source=test/integration/lib/suite.sh
	source "$BATS_TEST_DIRNAME/../integration/lib/suite.sh"
}

@test "guest-timeout: the seconds of a <t>.guest-timeout, nothing without one" {
	printf '# why\n1200\n' >"$T/soak.guest-timeout"
	[ "$(suite_test_guest_timeout "$T/soak")" = 1200 ]
	[ -z "$(suite_test_guest_timeout "$T/other")" ]
}

@test "guest-timeout that is not a number of seconds is refused, naming the file" {
	echo 20m >"$T/soak.guest-timeout"
	run suite_test_guest_timeout "$T/soak"
	[ "$status" -eq 1 ]
	[[ $output == *"$T/soak.guest-timeout: '20m' is not a number of seconds"* ]]
}

@test "both Debian cells boot soak-control, then soak, each alone, with a longer timeout" {
	for v in 6.1 6.12; do
		dir=$KERNELS/$v/debian-patches
		run suite_boot_groups "$KERNELS/$v/boots" "$KERNELS/$v/debian-boots" -- soak soak-control
		[ "$output" = $'soak-control soak-control\nsoak soak' ]
		[ -f "$dir/soak.patch" ] && [ -f "$dir/soak.test" ] && [ -f "$dir/soak-control.test" ]
		[ "$(suite_test_guest_timeout "$dir/soak")" -gt 600 ]
		[ "$(suite_test_guest_modules "$dir/soak-control")" = kernel/drivers/net/dummy.ko ]
	done
}

@test "kpb_uptime_cs: /proc/uptime's first field in hundredths (busybox sh, as in the guest)" {
	run busybox sh -c ". '$BATS_TEST_DIRNAME/../integration/guest/lib.sh'; kpb_uptime_cs"
	[ "$status" -eq 0 ]
	[[ $output =~ ^[0-9]+$ ]]
	up=$(cut -d' ' -f1 /proc/uptime)
	# Within a second of ours.
	[ $((${up%.*} - output / 100)) -le 1 ]
}
