#!/usr/bin/env bats
# Special-section entry layouts of other kernels (asm directives in the
# cases write them): told by their relocations, never by size alone.

load helpers

# The relocations of output section $1: "offset type symbol" a line.
section_relocs() {
	out_relocs | awk -v s="'.rela$1'" '/^Relocation section/ { f = ($3 == s); next }
		f && $3 ~ /^R_X86/ { print $1, $3, $5 }'
}

# section_bytes SECTION SKIP COUNT: bytes of the output's SECTION, in hex.
section_bytes() {
	objcopy -O binary --only-section="$1" "$T/out.o" "$T/section.bin"
	od -An -tx1 -j"$2" -N"$3" "$T/section.bin" | tr -d ' \n'
}

# Size of section $1 of object $2 (the output by default), in decimal.
section_size() {
	local hex
	hex=$(readelf -SW "${2:-$T/out.o}" | sed 's/\[ */[/' | awk -v s="$1" '$2 == s { print $6 }')
	echo $((16#$hex))
}

@test "absolute 24-byte __jump_table entries (48 bytes, also a multiple of 16) keep their key" {
	build_case old-jump-table
	[ "$(section_size __jump_table "$T/orig.o")" -eq 48 ]
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs)" = "vmlinux gated 0 gated" ]
	[ "$(section_size __jump_table)" -eq 24 ]
	[ "$(section_relocs __jump_table | awk '{ print $1, $2 }' | tr '\n' ' ')" = \
		"0000000000000000 R_X86_64_64 0000000000000008 R_X86_64_64 0000000000000010 R_X86_64_64 " ]
	section_relocs __jump_table | grep -q 'feature_key$'
}

@test "a probed entry size that the relocations contradict is refused, naming section, size and stride" {
	build_case old-jump-table
	JUMP_STRUCT_SIZE=16 run_cdo
	[ "$status" -eq 1 ]
	[[ $output == *"section __jump_table: size 48 does not hold entries of JUMP_STRUCT_SIZE=16"*"8-byte absolute"* ]]
	[ ! -e "$T/out.o" ]
	JUMP_STRUCT_SIZE=24 run_cdo
	[ "$status" -eq 0 ]
}

@test "a last entry short by more than tail padding is refused, not padded" {
	build_case bad-short-entry
	run_cdo
	[ "$status" -eq 1 ]
	[[ $output == *"section __jump_table: size 28 fits no known entry layout"*"16 bytes (short by 4"* ]]
	[ ! -e "$T/out.o" ]
}

@test "__ex_table entries with a handler field: kept whole, a changed handler is a change" {
	build_case old-extable
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs | awk '{ print $2 }' | sort | tr '\n' ' ')" = "load_a load_b " ]
	[ "$(section_size __ex_table)" -eq 24 ]
	# insn, fixup, handler of each: the handlers at 0x8 and 0x14.
	[ "$(section_relocs __ex_table | wc -l)" -eq 6 ]
	[ "$(section_relocs __ex_table | awk '$1 ~ /(08|14)$/ { print $3 }' | sort | tr '\n' ' ')" = \
		"ex_handler_default ex_handler_uaccess " ]
}

@test "13-byte .altinstructions: the replacement length is read from byte 11, not the pad byte" {
	build_case old-altinstr
	[ "$(section_size .altinstructions "$T/orig.o")" -eq 26 ]
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs)" = "vmlinux tuned 0 tuned" ]
	[ "$(section_size .altinstructions)" -eq 13 ]
}

@test "a last entry without its tail padding is accepted and padded in the output" {
	build_case short-entry
	[ "$(section_size .parainstructions "$T/orig.o")" -eq 26 ]
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs)" = "vmlinux last_site 0 last_site" ]
	[ "$(section_size .parainstructions)" -eq 16 ]
	[ "$(section_relocs .parainstructions | awk '{ print $1, $2, $3 }')" = \
		"0000000000000000 R_X86_64_64 .text.last_site" ]
	# type 2, len 1, then six bytes of padding.
	[ "$(section_bytes .parainstructions 8 8)" = 0201000000000000 ]
	PARA_STRUCT_SIZE=16 run_cdo
	[ "$status" -eq 0 ]
	PARA_STRUCT_SIZE=24 run_cdo
	[ "$status" -eq 1 ]
	[[ $output == *"section .parainstructions: size 26 does not hold entries of PARA_STRUCT_SIZE=24"* ]]
}

@test ".printk_index: pointers to pi_entry objects; the kept function's entry carries its pi_entry" {
	build_case printk-index
	PRINTK_INDEX_STRUCT_SIZE=44 run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs)" = "vmlinux loud 0 loud" ]
	[ "$(section_size .printk_index)" -eq 8 ]
	entry=$(section_relocs .printk_index | awk '$2 == "R_X86_64_64" { print $3 }')
	[[ $entry == .rodata._entry.* ]]
	[ "$(section_size "$entry")" -eq 44 ]
	# Its func field names loud, through a copied __func__.
	func=$(section_relocs "$entry" | awk '$1 ~ /8$/ { print $3 }')
	[[ $func == __func__.* ]]
	out_symbols | grep -q "OBJECT LOCAL [0-9]* $func$"
	readelf -p ".rodata.$func" "$T/out.o" | grep -q ' loud$'
	! out_symbols | grep -q 'quiet\|klp\.sym' || false
}

@test ".printk_index: a pi_entry of another size than the probed one is refused" {
	build_case printk-index
	PRINTK_INDEX_STRUCT_SIZE=48 run_cdo
	[ "$status" -eq 1 ]
	[[ $output == *".printk_index entry at 0x"*"points at _entry."*"44 bytes; PRINTK_INDEX_STRUCT_SIZE=48"* ]]
}

@test "relative and absolute __jump_table entries in one section are refused" {
	build_case mixed-jump-table
	[ "$(section_size __jump_table "$T/orig.o")" -eq 40 ]
	run_cdo
	[ "$status" -eq 1 ]
	[[ $output == *"section __jump_table: size 40 fits no known entry layout"* ]]
	JUMP_STRUCT_SIZE=24 run_cdo
	[ "$status" -eq 1 ]
	[[ $output == *"size 40 does not hold entries of JUMP_STRUCT_SIZE=24"* ]]
	[ ! -e "$T/out.o" ]
}

@test "__verbose, the older name of __dyndbg: a moved descriptor is no change, the changed function carries its own" {
	build_case old-verbose
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs)" = "vmlinux changed_fn 0 changed_fn" ]
	# changed_fn's descriptor (4 pointers + the line and flags word) and not quiet's.
	[ "$(section_size __verbose)" -eq 40 ]
	[ "$(section_relocs __verbose | wc -l)" -eq 4 ]
	! section_relocs __verbose | grep -q quiet || false
}

@test ".fixup of kernels before 5.17: a fixup-only change is a change; each kept entry's fixup is carried" {
	build_case old-fixup
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs | awk '{ print $2 }' | sort | tr '\n' ' ')" = "load_a load_b " ]
	# load_a's and load_b's fixups, 10 bytes each; not load_c's.
	[ "$(section_size .fixup)" -eq 20 ]
	[ "$(section_relocs __ex_table | awk '$1 ~ /(04|10)$/ { print $3 }' | tr '\n' ' ')" = ".fixup .fixup " ]
	[ "$(section_relocs .fixup | awk '{ print $1, $3 }' | tr '\n' ' ')" = \
		"0000000000000006 .text.load_a 0000000000000010 .text.load_b " ]
	# load_a's new value (-14, 0xfffffff2) in its own fixup, from the patched object.
	[ "$(section_bytes .fixup 0 5)" = baf2ffffff ]
	! section_relocs .fixup | grep -q load_c || false
}

@test "13-byte .altinstructions where an empty replacement has no offset relocation: kept as it is" {
	build_case old-altinstr-norel
	[ "$(section_size .altinstructions "$T/orig.o")" -eq 52 ]
	[ "$(readelf -rW "$T/orig.o" | awk '/^Relocation section .\.rela\.altinstructions/ { f = 1; next }
		/^Relocation/ { f = 0 } f && $3 ~ /^R_X86/' | wc -l)" -eq 6 ]
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs)" = "vmlinux tuned 0 tuned" ]
	[ "$(section_size .altinstructions)" -eq 26 ]
	[ "$(section_relocs .altinstructions | awk '{ print $1, $3 }' | tr '\n' ' ')" = \
		"0000000000000000 .text.tuned 0000000000000004 .altinstr_replacement 000000000000000d .text.tuned " ]
	# The empty one: offset 0, cpuid 9, instrlen 3, replacementlen 0, padlen 3.
	[ "$(section_bytes .altinstructions 17 9)" = 000000000900030003 ]
	ALT_STRUCT_SIZE=13 run_cdo
	[ "$status" -eq 0 ]
}

@test "13-byte .altinstructions: a replacement with a length but no offset relocation is refused" {
	build_case old-altinstr-norel-bad
	run_cdo
	[ "$status" -eq 2 ]
	[[ $output == *".altinstructions entry at 0xd (the site at tuned+0xa, a changed function) has a 3-byte replacement but no relocation for its offset at +4: where the replacement is cannot be told"* ]]
	[ ! -e "$T/out.o" ]
}
