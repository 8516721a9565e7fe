#!/usr/bin/env bats
# The suites themselves: a check that bats cannot see failing is no check.

TOP=$BATS_TEST_DIRNAME/../..

# Lines of the .bats files under DIR that start with `!` and are not the
# form `! cmd || false`: bash's errexit ignores a negated command, so such a
# line fails its test only when it happens to be the test's last line.
bare_negations() {
	grep -rnE --include='*.bats' '^[[:space:]]*! ' "$1" | grep -vE '\|\| false$' || true
}

@test "no bats check is a bare '! cmd' (errexit ignores it): each is '! cmd || false'" {
	run bare_negations "$TOP/test"
	[ "$status" -eq 0 ]
	[ -z "$output" ] || { echo "bare negations:"; echo "$output"; false; }
}

@test "the hygiene check finds a bare negation and passes the guarded form" {
	mkdir -p "$BATS_TEST_TMPDIR/t"
	printf '@test "x" {\n\t! true\n\ttrue\n}\n' >"$BATS_TEST_TMPDIR/t/bad.bats"
	printf '@test "y" {\n\t! false || false\n}\n' >"$BATS_TEST_TMPDIR/t/good.bats"
	run bare_negations "$BATS_TEST_TMPDIR/t"
	[[ $output == *"bad.bats:2:"* ]]
	[[ $output != *good.bats* ]]
}
