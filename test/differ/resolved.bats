#!/usr/bin/env bats
# kpatch-build's lib/resolved.sh on create-diff-object's outputs: a changed
# function of a section it shares with other functions (the kernel's
# __sched, __lockfunc, noinstr, ...) whose call or RIP-relative operand to a
# static function of that section the assembler resolved (no relocation)
# is refused, exit 6, naming the function, the instruction and what it was
# meant to reach; functions of their own sections pass.

bats_require_minimum_version 1.5.0

load helpers

LIB=$BATS_TEST_DIRNAME/../../kpatch-build/lib
# shellcheck source=shlib/msg.sh
source "$LIB/../../shlib/msg.sh"
# shellcheck source=kpatch-build/lib/common.sh
source "$LIB/common.sh"
# shellcheck source=kpatch-build/lib/resolved.sh
source "$LIB/resolved.sh"
PROG=kpatch-build

# check CASE: the differ's output of the case, checked as kpatch-build does.
check() {
	build_case "$1"
	run_cdo
	[ "$status" -eq 0 ]
	run -6 check_resolved_references kernel/x.o "$T/patched.o" "$T/out.o"
}

@test "a call to a static function of the caller's shared section is refused, naming both" {
	check shared-section
	[[ $output == *"kernel/x.o: shared_caller+0x"*"(call "*") reaches shared_callee+0x0 without a relocation"* ]]
	[[ $output == *"kpatch-build: error: kernel/x.o: a changed function refers to code of a section it shares with other functions"*"cannot be livepatched as is"* ]]
}

@test "a RIP-relative address of a static function of the same shared section is refused" {
	check shared-section-address
	[[ $output == *"kernel/x.o: shared_install+0x"*"(lea "*"(%rip)"*") reaches shared_target+0x0 without a relocation"* ]]
}

@test "calls between functions of their own sections pass (relocations)" {
	build_case new-function
	run_cdo
	[ "$status" -eq 0 ]
	run -0 check_resolved_references kernel/x.o "$T/patched.o" "$T/out.o"
	[ -z "$output" ]
	run -0 resolved_outside "$T/out.o"
	[ -z "$output" ]
}

@test "branches within a function and to its own end pass" {
	build_case cold-part
	run_cdo
	[ "$status" -eq 0 ]
	run -0 resolved_outside "$T/out.o"
	[ -z "$output" ]
}
