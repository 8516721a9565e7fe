#!/usr/bin/env bats
# kpb-callsites: the functions of a linked image (call, jmp and jcc rel32
# branches to the target's address) or of a relocatable object (relocations
# against the target) that branch to given functions.

setup() {
	T=$BATS_TEST_TMPDIR
	CS=$KPB_BIN/kpb-callsites
	cat >"$T/a.s" <<'S'
	.text
	.globl target, other, by_call, by_jmp, by_jcc, not_caller
	.type target, @function
target:	ret
	.size target, . - target
	.type other, @function
other:	ret
	.size other, . - other
	.type by_call, @function
by_call:
	call target
	ret
	.size by_call, . - by_call
	.type by_jmp, @function
by_jmp:	jmp target
	.size by_jmp, . - by_jmp
	.type by_jcc, @function
by_jcc:	test %eax, %eax
	jne target
	call other
	ret
	.size by_jcc, . - by_jcc
	.type not_caller, @function
not_caller:
	lea target(%rip), %rax
	call other
	ret
	.size not_caller, . - not_caller
	.section .init.text, "ax"
	.type early, @function
early:	call target
	ret
	.size early, . - early
S
	as --64 -o "$T/a.o" "$T/a.s"
	ld -e 0 -o "$T/vmlinux" "$T/a.o"
}

@test "an image: call, jmp and jcc sites named by their function and section; an address use is no call" {
	run "$CS" "$T/vmlinux" target
	[ "$status" -eq 0 ]
	[ "$output" = "target by_call .text
target by_jcc .text
target by_jmp .text
target early .init.text" ]
}

@test "an image: several targets at once, each site once" {
	run "$CS" "$T/vmlinux" other target
	[ "$status" -eq 0 ]
	[ "$(grep -c '^other ' <<<"$output")" -eq 2 ]
	[ "$(grep -c '^target ' <<<"$output")" -eq 4 ]
}

@test "a relocatable object: the relocations against the target in executable sections" {
	run "$CS" "$T/a.o" target
	[ "$status" -eq 0 ]
	# by_jmp's short jmp was resolved by the assembler: no relocation.
	[[ $output == *"target by_call .text"* && $output == *"target early .init.text"* ]]
	[[ $output == *"target not_caller .text"* ]]
}

@test "errors: a name the image does not define, no symbol table, not ELF, usage" {
	run "$CS" "$T/vmlinux" missing
	[ "$status" -eq 1 ]
	[[ $output == *"$T/vmlinux: defines no function missing"* ]]
	strip -o "$T/stripped" "$T/vmlinux"
	run "$CS" "$T/stripped" target
	[ "$status" -eq 1 ]
	[[ $output == *"no symbol table"* ]]
	echo text >"$T/text"
	run "$CS" "$T/text" target
	[ "$status" -eq 1 ]
	[[ $output == *"$T/text: not an ELF file"* ]]
	run "$CS" "$T/vmlinux"
	[ "$status" -eq 1 ]
	run "$CS" --help
	[ "$status" -eq 0 ]
	[[ $output == *"Exit status"* ]]
}
