#!/usr/bin/env bats
# kpb-layout: a patch that changes the layout of a type the original object
# has is refused (status 2), naming the type, each member that moved, was
# removed, resized or retyped (old and new offset and size), and the first
# changed function that uses it.  A member added into padding, a new type,
# a type declared in a function and a type marked KPATCH_LAYOUT_CHANGE_OK
# pass.  Each case in layout/ is compiled twice (-DPATCHED) with -g and
# kernel-like flags, DWARF 5 unless a test says DWARF 4.

KFLAGS=(-O2 -ffunction-sections -fdata-sections -mcmodel=kernel -fno-pic -mno-red-zone
	-fno-asynchronous-unwind-tables -fno-common -fno-stack-protector -nostdinc -w)

setup() {
	T=$BATS_TEST_TMPDIR
	CASES=$BATS_TEST_DIRNAME/layout
	DWARF=-gdwarf-5
}

# check CASE [kpb-layout option...]: compile CASE original and patched, compare.
check() {
	local name=$1
	shift
	gcc "${KFLAGS[@]}" "$DWARF" -c "$CASES/$name.c" -o "$T/orig.o"
	gcc "${KFLAGS[@]}" "$DWARF" -DPATCHED -c "$CASES/$name.c" -o "$T/patched.o"
	run "$KPB_BIN/kpb-layout" --name "$name.o" "$@" "$T/orig.o" "$T/patched.o"
}

has() { [[ $output == *"$1"* ]] || { echo "missing: $1"; echo "$output"; return 1; }; }

@test "refused: a member inserted in the middle (type, members, offsets, function)" {
	check inserted
	[ "$status" -eq 2 ]
	has "kpb-layout: error: inserted.o: struct conn: member bytes moved from offset 4 to 8 (size 4)"
	has "inserted.o: struct conn: member flags inserted at offset 4 (size 4)"
	has "inserted.o: struct conn: member state moved from offset 8 to 12 (size 1)"
	has "inserted.o: struct conn: size 12 -> 16 bytes"
	has "struct conn ($CASES/inserted.c:2): layout changed; first changed function using it: conn_bytes"
	has "KPATCH_LAYOUT_CHANGE_OK(struct conn)"
}

@test "refused: a member inserted, DWARF 4" {
	DWARF=-gdwarf-4
	check inserted
	[ "$status" -eq 2 ]
	readelf --debug-dump=info "$T/patched.o" | grep -q 'Version: *4'
	has "struct conn: member bytes moved from offset 4 to 8 (size 4)"
	has "first changed function using it: conn_bytes"
}

@test "refused: a member removed" {
	check removed
	[ "$status" -eq 2 ]
	has "struct conn: member unused removed (was at offset 4, size 4)"
	has "struct conn: member state moved from offset 8 to 4 (size 4)"
	has "struct conn: size 12 -> 8 bytes"
	has "first changed function using it: conn_state"
}

@test "refused: a member resized (int -> long)" {
	check resized
	[ "$status" -eq 2 ]
	has "struct counter: member hits resized at offset 0: size 4 -> 8 (int -> long int)"
	has "struct counter: member misses moved from offset 4 to 8 (size 4)"
	has "first changed function using it: count_hit"
}

@test "refused: a member retyped at the same offset and size" {
	check retyped
	[ "$status" -eq 2 ]
	has "struct sample: member value retyped at offset 0 (size 4): int -> unsigned int"
	[[ $output != *"size "*" -> "*" bytes"* ]]
}

@test "refused: members reordered, the size unchanged" {
	check reordered
	[ "$status" -eq 2 ]
	has "struct pair: member first moved from offset 0 to 8 (size 8)"
	has "struct pair: member second moved from offset 8 to 0 (size 8)"
	has "first changed function using it: pair_diff"
}

@test "refused: an array member made longer" {
	check array
	[ "$status" -eq 2 ]
	has "struct task_name: member comm resized at offset 0: size 16 -> 32 (char [16] -> char [32])"
	has "struct task_name: member pid moved from offset 16 to 32 (size 4)"
	has "struct task_name: size 20 -> 36 bytes"
}

@test "refused: an embedded structure grows; the outer one is named, its user found through a global" {
	check embedded
	[ "$status" -eq 2 ]
	has "struct stats: size 8 -> 16 bytes"
	has "struct device: member stats resized at offset 0: size 8 -> 16 (struct stats)"
	has "struct device: member mtu moved from offset 8 to 16 (size 4)"
	has "struct device ($CASES/embedded.c:12): layout changed; first changed function using it: loopback_mtu"
	has "struct stats ($CASES/embedded.c:5): layout changed; first changed function using it: loopback_mtu"
}

@test "refused: a typedef'd anonymous structure, named by its typedef" {
	check typedef
	[ "$status" -eq 2 ]
	has "typedef.o: Node: member next moved from offset 4 to 8 (size 4)"
	has "typedef.o: Node: member hash inserted at offset 4 (size 4)"
	has "Node ($CASES/typedef.c:2): layout changed; first changed function using it: node_next"
}

@test "refused: a bit-field widened moves the next ones by bits" {
	check bitfield
	[ "$status" -eq 2 ]
	has "struct flags: member mode resized at offset 0: 3 bits -> 4 bits (unsigned int)"
	has "struct flags: member dirty moved from offset 0 bit 3 to 0 bit 4 (1 bits)"
}

@test "refused: a bit-field widened, DWARF 4 (DW_AT_bit_offset from the high end)" {
	DWARF=-gdwarf-4
	check bitfield
	[ "$status" -eq 2 ]
	readelf --debug-dump=info "$T/orig.o" | grep -q DW_AT_bit_offset
	has "struct flags: member dirty moved from offset 0 bit 3 to 0 bit 4 (1 bits)"
	has "struct flags: member count moved from offset 0 bit 4 to 0 bit 5 (8 bits)"
}

@test "refused: a member of an anonymous union is a member of the structure around it" {
	check anon-union
	[ "$status" -eq 2 ]
	has "struct msg: member hi moved from offset 6 to 8 (size 2)"
	has "struct msg: member len moved from offset 8 to 12 (size 4)"
	has "first changed function using it: msg_hi"
}

@test "refused even when no changed function uses the type" {
	check unused
	[ "$status" -eq 2 ]
	has "struct table: member total moved from offset 4 to 8 (size 4)"
	has "struct table ($CASES/unused.c:9): layout changed; no changed function of this object uses it"
	[[ $output != *"struct config"* ]]
}

@test "passes: a member added into the trailing padding" {
	check padding
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "passes: a member added into the trailing padding, DWARF 4" {
	DWARF=-gdwarf-4
	check padding
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "passes: a new structure" {
	check new-struct
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "passes: a structure declared inside a function" {
	check local
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "passes with a note: a type marked KPATCH_LAYOUT_CHANGE_OK in the patched object" {
	check marked
	[ "$status" -eq 0 ]
	has "kpb-layout: note: marked.o: struct session: member uid moved from offset 4 to 8 (size 4)"
	has "struct session ($CASES/marked.c:6): layout changed, marked KPATCH_LAYOUT_CHANGE_OK: accepted"
	[[ $output != *error* ]]
}

@test "passes with a note: --safe names the type (a mark in another object of the patch)" {
	check inserted --safe 'struct   conn'
	[ "$status" -eq 0 ]
	has "struct conn ($CASES/inserted.c:2): layout changed, marked KPATCH_LAYOUT_CHANGE_OK: accepted"
}

@test "--safe for another type does not let the change through" {
	check inserted --safe 'struct other'
	[ "$status" -eq 2 ]
	has "struct conn: member bytes moved"
}

@test "--markers prints the types the objects mark" {
	check marked
	run "$KPB_BIN/kpb-layout" --markers "$T/orig.o" "$T/patched.o"
	[ "$status" -eq 0 ]
	[ "$output" = "struct session" ]
}

@test "an object without DWARF is an error naming it" {
	gcc "${KFLAGS[@]}" -c "$CASES/inserted.c" -o "$T/orig.o"
	gcc "${KFLAGS[@]}" -DPATCHED -c "$CASES/inserted.c" -o "$T/patched.o"
	run "$KPB_BIN/kpb-layout" "$T/orig.o" "$T/patched.o"
	[ "$status" -eq 1 ]
	has "kpb-layout: error: $T/orig.o: no DWARF"
	has "compile it with -g"
}

@test "-g changes no code: the same text with and without it" {
	gcc "${KFLAGS[@]}" -c "$CASES/embedded.c" -o "$T/plain.o"
	gcc "${KFLAGS[@]}" -g -c "$CASES/embedded.c" -o "$T/debug.o"
	objcopy -O binary --only-section=.text.loopback_mtu "$T/plain.o" "$T/plain.bin"
	objcopy -O binary --only-section=.text.loopback_mtu "$T/debug.o" "$T/debug.bin"
	[ -s "$T/plain.bin" ]
	cmp "$T/plain.bin" "$T/debug.bin"
}

@test "usage errors" {
	run "$KPB_BIN/kpb-layout" only-one.o
	[ "$status" -eq 1 ]
	has "Usage: kpb-layout"
	run "$KPB_BIN/kpb-layout" --help
	[ "$status" -eq 0 ]
	has "Exit status"
}
