#!/usr/bin/env bats
# test/integration/lib/suite.sh, guest.sh and guest/lib.sh helpers: a test's
# guest-timeout, the Debian cells' soak boots, the guest's clock, the
# kernel-log-clean filter of provoked reports.

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

# guest_sh <script>: runs script in busybox sh with guest/lib.sh sourced.
guest_sh() {
	busybox sh -c ". '$BATS_TEST_DIRNAME/../integration/guest/lib.sh'; $1"
}

@test "kpb_soak_more: until KPB_SOAK_ROUNDS rounds or KPB_SOAK_BUDGET seconds, whichever comes first" {
	# Started now: 49 of 50 rounds done, another is due; 50 done, none.
	run guest_sh 'kpb_soak_more 49 "$(kpb_uptime_cs)"'
	[ "$status" -eq 0 ]
	run guest_sh 'kpb_soak_more 50 "$(kpb_uptime_cs)"'
	[ "$status" -eq 1 ]
	# Started 601 s ago with a 600 s budget: none due after 20 rounds.
	run guest_sh 'kpb_soak_more 20 $(($(kpb_uptime_cs) - 60100))'
	[ "$status" -eq 1 ]
	run guest_sh 'KPB_SOAK_BUDGET=700; kpb_soak_more 20 $(($(kpb_uptime_cs) - 60100))'
	[ "$status" -eq 0 ]
	# KPB_SOAK_SECONDS: time alone counts, not rounds nor the budget.
	run guest_sh 'KPB_SOAK_SECONDS=900; kpb_soak_more 500 $(($(kpb_uptime_cs) - 60100))'
	[ "$status" -eq 0 ]
	run guest_sh 'KPB_SOAK_SECONDS=300; kpb_soak_more 1 $(($(kpb_uptime_cs) - 30100))'
	[ "$status" -eq 1 ]
}

@test "kpb_soak_rounds_result: all rounds or the minimum within the budget pass; fewer fail, saying so" {
	run guest_sh 'kpb_soak_rounds_result 0 50'
	[ "$output" = "KPB-RESULT ok rounds" ]
	run guest_sh 'kpb_soak_rounds_result 0 5'
	[ "$output" = "KPB-RESULT ok rounds" ]
	run guest_sh 'kpb_soak_rounds_result 0 4'
	[ "$output" = "KPB-RESULT not ok rounds: only 4 of 50 rounds within the 600 s budget (at least 5 needed): the guest is too slow for a soak" ]
	# A failed round already said "not ok rounds"; nothing more.
	run guest_sh 'kpb_soak_rounds_result 1 3'
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run guest_sh 'KPB_SOAK_SECONDS=60; kpb_soak_rounds_result 0 2'
	[ "$output" = "KPB-RESULT ok rounds" ]
}

@test "kernel-log-clean leaves out a provoked WARN up to its end-of-trace line, and nothing else" {
	# shellcheck source=test/integration/lib/guest.sh
	source "$BATS_TEST_DIRNAME/../integration/lib/guest.sh"
	cat >"$T/console.log" <<'LOG'
[    5.1] before
[    6.0] ------------[ cut here ]------------
[    6.0] WARNING: CPU: 0 PID: 77 at fs/proc/version.c:18 version_proc_show+0x4b/0x60 [livepatch_warn_once_new]
[    6.0] Call Trace:
[    6.1] ---[ end trace 0000000000000000 ]---
[    7.0] after
[    8.0] WARNING: CPU: 0 PID: 1 at mm/slub.c:10 other+0x1/0x2
LOG
	# shellcheck disable=SC2034 # read by guest_log_without_reports (lib/guest.sh)
	mapfile -t KPB_GUEST_REPORTS < <(sed 's/#.*//; /^[[:space:]]*$/d' \
		"$KERNELS/6.1/debian-patches/warn-once-new.log-reports")
	run guest_log_without_reports "$T/console.log"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "[    5.1] before" ]
	[ "${lines[1]}" = "[    6.0] ------------[ cut here ]------------" ]
	[ "${lines[2]}" = "[    7.0] after" ]
	[[ ${lines[3]} == *"WARNING: CPU: 0 PID: 1 at mm/slub.c:10"* ]]
	[ "${#lines[@]}" -eq 4 ]
	run guest_check_kernel_log boot "$T/console.log"
	[[ $output == *"not ok boot/kernel-log-clean: [    8.0] WARNING: CPU: 0 PID: 1 at mm/slub.c:10"* ]]
}
