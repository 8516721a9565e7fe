#!/usr/bin/env bats
# kpb-callsites: the functions of a linked image (call, jmp and jcc
# branches to the target's address) or of a relocatable object (relocations
# against the target) that branch to given functions, and every other use
# of their addresses (code: sign-extended or RIP-relative; data: pointers).

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
	.type by_mov, @function
by_mov:	mov $target, %rdi
	ret
	.size by_mov, . - by_mov
	.data
	.type table, @object
table:	.quad 1, target
	.size table, . - table
	.section .init.text, "ax"
	.type early, @function
early:	call target
	ret
	.size early, . - early
S
	as --64 -o "$T/a.o" "$T/a.s"
	# Linked where -mcmodel=kernel code lives: "mov $target" sign-extends.
	ld -e 0 -Ttext=0xffffffff81000000 -o "$T/vmlinux" "$T/a.o"
}

@test "an image: call, jmp and jcc sites by function and section; address uses in code and data" {
	run "$CS" "$T/vmlinux" target
	[ "$status" -eq 0 ]
	[ "$output" = "target by_call .text call
target by_jcc .text call
target by_jmp .text call
target by_mov .text address
target early .init.text call
target not_caller .text address
target table .data address" ]
}

@test "an image: several targets at once, each site once" {
	run "$CS" "$T/vmlinux" other target
	[ "$status" -eq 0 ]
	[ "$(grep -c '^other ' <<<"$output")" -eq 2 ]
	[ "$(grep -c '^target ' <<<"$output")" -eq 7 ]
}

@test "a relocatable object: relocations against the target, calls and address uses" {
	run "$CS" "$T/a.o" target
	[ "$status" -eq 0 ]
	# by_jmp's short jmp was resolved by the assembler: no relocation.
	[[ $output == *"target by_call .text call"* && $output == *"target early .init.text call"* ]]
	[[ $output == *"target not_caller .text address"* && $output == *"target table .data address"* ]]
	[[ $output == *"target by_mov .text address"* ]]
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
