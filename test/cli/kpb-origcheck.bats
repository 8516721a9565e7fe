#!/usr/bin/env bats
# kpb-origcheck: the functions a livepatch replaces, as compiled from the
# source (the original object), against the target's binary: a linked
# image (ET_EXEC, relocations resolved into the bytes) or a module (ET_REL,
# relocations kept). Inputs are built here from fixtures/origcheck.c: the
# original with -ffunction-sections, the binaries from variants of it.

FIX=$BATS_TEST_DIRNAME/fixtures

setup() {
	T=$BATS_TEST_TMPDIR
	OC=$KPB_BIN/kpb-origcheck
	CFLAGS=(-O2 -fno-pic -mcmodel=kernel -mno-red-zone -fno-asynchronous-unwind-tables
		-fno-stack-protector -pg -mfentry)
	gcc "${CFLAGS[@]}" -ffunction-sections -fdata-sections -c "$FIX/origcheck.c" -o "$T/orig.o"
	gcc "${CFLAGS[@]}" -ffunction-sections -c "$FIX/origcheck-other.c" -o "$T/other.o"
}

# image NAME GCC-OPTION...: a non-PIE static ET_EXEC "vmlinux" with
# symbols, where -mcmodel=kernel code is linked.
image() {
	local name=$1
	shift
	gcc "${CFLAGS[@]}" -ffunction-sections -fdata-sections "$@" -c "$FIX/origcheck.c" -o "$T/$name.o"
	ld -e 0 -Ttext=0xffffffff81000000 -o "$T/$name" "$T/$name.o" "$T/other.o"
}

# module NAME GCC-OPTION...: a .ko-like ld -r object, built as kbuild
# builds modules (no -ffunction-sections).
module() {
	local name=$1
	shift
	gcc "${CFLAGS[@]}" "$@" -c "$FIX/origcheck.c" -o "$T/$name.o"
	ld -r -o "$T/$name.ko" "$T/$name.o"
}

@test "identical code: the same, with its .cold part" {
	image vmlinux
	[ "$(readelf -h "$T/vmlinux" | awk '/Type:/ { print $2 }')" = EXEC ]
	run "$OC" "$T/orig.o" "$T/vmlinux" target with_cold local_fn,1
	[ "$status" -eq 0 ]
	# target, with_cold, with_cold.cold (found through with_cold), local_fn
	[[ $output == *"orig.o: 4 function(s) the same in $T/vmlinux"* ]]
}

@test "a changed constant is refused, naming the function, the object and the bytes" {
	image vmlinux -DK=6
	run "$OC" "$T/orig.o" "$T/vmlinux" target
	[ "$status" -eq 2 ]
	[[ $output == *"error: $T/orig.o: function target differs in $T/vmlinux: at target+0x"*" the original has 05 "*", $T/vmlinux has 06 "* ]]
}

@test "a changed call target is refused, naming both functions" {
	image vmlinux -DCALL=helper_b
	run "$OC" "$T/orig.o" "$T/vmlinux" target
	[ "$status" -eq 2 ]
	[[ $output == *"function target differs"*"the original refers to helper_a, $T/vmlinux to helper_b (0xffffffff81"* ]]
}

@test "a changed string is refused, quoting both strings" {
	image vmlinux '-DSTR="bye %d\n"'
	run "$OC" "$T/orig.o" "$T/vmlinux" target
	[ "$status" -eq 2 ]
	[[ $output == *'function target differs'*'the original refers to the string "hello %d\n", '*' to the string "bye %d\n" at 0x'* ]]
}

@test "a different instruction is refused" {
	image vmlinux -DSHIFT
	run "$OC" "$T/orig.o" "$T/vmlinux" local_fn,1
	[ "$status" -eq 2 ]
	[[ $output == *"function local_fn differs in $T/vmlinux: at local_fn+0x"* ]]
}

@test "a change confined to the .cold part is refused, naming the part" {
	image vmlinux -DCOLDK=2
	run "$OC" "$T/orig.o" "$T/vmlinux" with_cold
	[ "$status" -eq 2 ]
	[[ $output == *"function with_cold.cold differs in $T/vmlinux: at with_cold.cold+0x"* ]]
}

@test "call __fentry__ NOPed and a jump label's jmp NOPed (objtool) are the same" {
	image vmlinux -mnop-mcount -DNOPPED
	objdump -d --disassemble=target "$T/vmlinux" | grep -q 'nopl   0x0(%rax,%rax,1)'
	! objdump -d --disassemble=target "$T/vmlinux" | grep -q '__fentry__' || false
	objdump -dr --disassemble=target "$T/orig.o" | grep -q '__fentry__'
	run "$OC" "$T/orig.o" "$T/vmlinux" target
	[ "$status" -eq 0 ]
}

@test "a NOP where the jump label has no hack bit is a difference" {
	gcc "${CFLAGS[@]}" -ffunction-sections -fdata-sections -DHACK_BIT=0 -c "$FIX/origcheck.c" -o "$T/orig.o"
	image vmlinux -DHACK_BIT=0 -DNOPPED
	run "$OC" "$T/orig.o" "$T/vmlinux" target
	[ "$status" -eq 2 ]
	[[ $output == *"the original has eb "*", $T/vmlinux has 66 90 "* ]]
}

@test "sympos picks one of two same-named locals as the livepatch core counts them" {
	image vmlinux
	[ "$(nm "$T/vmlinux" | grep -c ' t local_fn$')" -eq 2 ]
	run "$OC" "$T/orig.o" "$T/vmlinux" local_fn,1
	[ "$status" -eq 0 ]
	run "$OC" "$T/orig.o" "$T/vmlinux" local_fn,2
	[ "$status" -eq 2 ]
	[[ $output == *"function local_fn differs"* ]]
}

@test "--funcs: the functions a create-diff-object output replaces" {
	image vmlinux
	gcc "${CFLAGS[@]}" -ffunction-sections -fdata-sections -DK=9 -c "$FIX/origcheck.c" -o "$T/patched.o"
	: >"$T/symvers"
	"$KPB_BIN/create-diff-object" "$T/orig.o" "$T/patched.o" vmlinux "$T/vmlinux" "$T/symvers" livepatch_t "$T/out.o"
	run "$OC" --funcs "$T/out.o" "$T/orig.o" "$T/vmlinux"
	[ "$status" -eq 0 ]
	[[ $output == *"1 function(s) the same"* ]]
	image other-vmlinux -DK=6
	run "$OC" --funcs "$T/out.o" "$T/orig.o" "$T/other-vmlinux"
	[ "$status" -eq 2 ]
	[[ $output == *"function target differs"* ]]
}

@test "--accept FUNC: its difference is a warning" {
	image vmlinux -DK=6
	run "$OC" --accept target "$T/orig.o" "$T/vmlinux" target with_cold
	[ "$status" -eq 0 ]
	[[ $output == *"warning: $T/orig.o: function target differs"*"(accepted: --accept-original target)"* ]]
	[[ $output == *"2 function(s) the same in $T/vmlinux, the others' differences accepted"* ]]
	run "$OC" --accept with_cold "$T/orig.o" "$T/vmlinux" target with_cold
	[ "$status" -eq 2 ]
}

@test "a module (ET_REL): identical code the same, though the assembler resolved its local calls" {
	module mod
	readelf -rW "$T/mod.ko" | grep -q '__fentry__'
	run "$OC" "$T/orig.o" "$T/mod.ko" target with_cold local_fn
	[ "$status" -eq 0 ]
	[[ $output == *"4 function(s) the same"* ]]
}

@test "a module: a changed constant, call target or string is refused" {
	module mod -DK=6
	run "$OC" "$T/orig.o" "$T/mod.ko" target
	[ "$status" -eq 2 ]
	[[ $output == *"function target differs in $T/mod.ko: at target+0x"*"the original has 05 "* ]]
	module mod -DCALL=helper_b
	run "$OC" "$T/orig.o" "$T/mod.ko" target
	[ "$status" -eq 2 ]
	[[ $output == *"the original refers to helper_a, $T/mod.ko to helper_b"* ]]
	module mod '-DSTR="bye %d\n"'
	run "$OC" "$T/orig.o" "$T/mod.ko" target
	[ "$status" -eq 2 ]
	[[ $output == *'the original refers to the string "hello %d\n", '*' to the string "bye %d\n"'* ]]
}

@test "a module: the jump label NOPed is the same" {
	module mod -DNOPPED
	run "$OC" "$T/orig.o" "$T/mod.ko" target
	[ "$status" -eq 0 ]
}

@test "errors: a function the original or the binary lacks, a bad sympos, usage" {
	image vmlinux
	run "$OC" "$T/orig.o" "$T/vmlinux" no_such_fn
	[ "$status" -eq 1 ]
	[[ $output == *"$T/orig.o: defines no function no_such_fn"* ]]
	run "$OC" "$T/orig.o" "$T/vmlinux" local_fn,3
	[ "$status" -eq 1 ]
	[[ $output == *"$T/vmlinux: no function local_fn,3"* ]]
	run "$OC" "$T/orig.o" "$T/vmlinux" local_fn,x
	[ "$status" -eq 1 ]
	[[ $output == *"local_fn,x: bad sympos"* ]]
	run "$OC" "$T/orig.o"
	[ "$status" -eq 1 ]
	[[ $output == *Usage:* ]]
	run "$OC" --funcs "$T/orig.o" "$T/orig.o" "$T/vmlinux"
	[ "$status" -eq 1 ]
	[[ $output == *"no .kpatch.funcs table"* ]]
}

@test "a module: a tail call the target's assembler shortened is refused, and said so" {
	gcc "${CFLAGS[@]}" -fno-ipa-sra -ffunction-sections -c "$FIX/origcheck-relax.c" -o "$T/orig.o"
	gcc "${CFLAGS[@]}" -fno-ipa-sra -c "$FIX/origcheck-relax.c" -o "$T/relax.o"
	ld -r -o "$T/relax.ko" "$T/relax.o"
	objdump -d --disassemble=lm_put_owner "$T/relax.ko" | grep -qE '\beb [0-9a-f]{2} .*jmp .*<put_owner>'
	run "$OC" "$T/orig.o" "$T/relax.ko" lm_put_owner
	[ "$status" -eq 2 ]
	[[ $output == *"function lm_put_owner differs in $T/relax.ko: at lm_put_owner+0x"*"the target's assembler shortened the jmp to put_owner to 2 bytes"*"--accept-original)"* ]]
	run "$OC" --accept lm_put_owner "$T/orig.o" "$T/relax.ko" lm_put_owner
	[ "$status" -eq 0 ]
}
