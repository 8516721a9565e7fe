#!/usr/bin/env bats
# The differ on real kernel objects: kfix.c built against the 6.1 target's
# headers with kbuild's own flags and objtool, so every special section has
# the layout of the kernel being patched.

load helpers

@test "kernel: __bug_table entries of the changed function only" {
	kfix_case -DPATCHED_WARN
	[ "$status" -eq 0 ]
	relocs_of __bug_table | grep -q 'kfix_warn'
	! relocs_of __bug_table | grep -qv 'kfix_warn\|str\|\.LC[0-9]' || false
	readelf -sW "$T/out.o" | grep -q 'FUNC .* kfix_warn$'
	! readelf -sW "$T/out.o" | grep -q 'kfix_user$' || false
}

@test "kernel: a __LINE__-only change (might_sleep, WARN_ON) is no change" {
	kfix_case -DPATCHED_LINES
	[ "$status" -eq 3 ]
}

@test "kernel: __ex_table follows the changed function, fixups included" {
	kfix_case -DPATCHED_USER
	[ "$status" -eq 0 ]
	[ "$(relocs_of __ex_table | wc -l)" -ge 2 ]
	! relocs_of __ex_table | grep -qv 'kfix_user' || false
}

@test "kernel: .altinstructions kept with its replacement" {
	kfix_case -DPATCHED_ALT
	[ "$status" -eq 0 ]
	relocs_of .altinstructions | grep -q 'kfix_alt'
	relocs_of .altinstructions | grep -q 'altinstr_replacement'
	readelf -SW "$T/out.o" | grep -q '\.altinstr_replacement'
}

@test "kernel: a change only in an alternative's replacement replaces the function" {
	kfix_case -DPATCHED_ALT_ONLY
	[ "$status" -eq 0 ]
	readelf -sW "$T/out.o" | grep -q 'FUNC .* kfix_alt$'
	relocs_of .kpatch.funcs | grep -q kfix_alt
	[ "$(relocs_of .altinstructions | grep -c kfix_alt)" -eq 1 ]
}

@test "kernel: a jump label on a key of the patched module is refused" {
	kfix_case -DPATCHED_JUMP
	[ "$status" -eq 2 ]
	[[ $output == *"__jump_table entry at"*".klp.sym.kfix.kfix_key,0"* ]]
}

@test "kernel: a static call site on a key of the patched module is dropped, the call stays" {
	kfix_case -DPATCHED_SCALL
	[ "$status" -eq 0 ]
	! readelf -SW "$T/out.o" | grep -q '\.static_call_sites' || false
	relocs_of .text.kfix_scall | grep -q '\.klp\.sym\.kfix\.__SCT__kfix_call,0'
}

# With IBT (6.12) objtool runs at module link, not on each object: then
# neither the input nor the output carries its sections.
has_section() {
	readelf -SW "$1" | grep -q " $2 "
}

@test "kernel: ORC, return and retpoline sites are kept for the changed function only" {
	kfix_case -DPATCHED_WARN
	[ "$status" -eq 0 ]
	if ! has_section "$BATS_FILE_TMPDIR/orig/kfix.o" .orc_unwind_ip; then
		! has_section "$T/out.o" .orc_unwind_ip || false
		! has_section "$T/out.o" .return_sites || false
		return
	fi
	relocs_of .orc_unwind_ip | grep -q kfix_warn
	! relocs_of .orc_unwind_ip | grep -qv kfix_warn || false
	n_ip=$(readelf -SW "$T/out.o" | sed 's/\[ */[/' | awk '$2 == ".orc_unwind_ip" { print $6 }')
	n_orc=$(readelf -SW "$T/out.o" | sed 's/\[ */[/' | awk '$2 == ".orc_unwind" { print $6 }')
	[ $((16#$n_ip / 4)) -eq $((16#$n_orc / 6)) ]
	relocs_of .return_sites | grep -q kfix_warn
	! relocs_of .return_sites | grep -qv kfix_warn || false
}

@test "kernel: entry sizes from the environment (as kpatch-build's probe sets them)" {
	BUG_STRUCT_SIZE=12 EX_STRUCT_SIZE=12 JUMP_STRUCT_SIZE=16 \
		ORC_STRUCT_SIZE=6 STATIC_CALL_STRUCT_SIZE=8 kfix_case -DPATCHED_WARN -DPATCHED_USER
	[ "$status" -eq 0 ]
	relocs_of __ex_table | grep -q kfix_user
	has_section "$BATS_FILE_TMPDIR/orig/kfix.o" .orc_unwind_ip || return 0
	n_ip=$(readelf -SW "$T/out.o" | sed 's/\[ */[/' | awk '$2 == ".orc_unwind_ip" { print $6 }')
	n_orc=$(readelf -SW "$T/out.o" | sed 's/\[ */[/' | awk '$2 == ".orc_unwind" { print $6 }')
	[ $((16#$n_ip / 4)) -eq $((16#$n_orc / 6)) ]
}

@test "kernel: an entry size that does not divide the section is an error naming the variable" {
	BUG_STRUCT_SIZE=7 kfix_case -DPATCHED_WARN
	[ "$status" -eq 1 ]
	[[ $output == *"section __bug_table: size "*" does not hold entries of BUG_STRUCT_SIZE=7: "* ]]
	[ ! -e "$T/out.o" ]
}

@test "kernel: .printk_index (6.1's pi_entry): the changed function's entry and its pi_entry only" {
	T=$BATS_TEST_TMPDIR
	kfix_build "$T/orig" -DCONFIG_PRINTK_INDEX
	kfix_build "$T/patched" -DCONFIG_PRINTK_INDEX -DPATCHED_PRINT
	[ "$(readelf -SW "$T/orig/kfix.o" | sed 's/\[ */[/' | awk '$2 == ".printk_index" { print $6 }')" != "" ]
	PRINTK_INDEX_STRUCT_SIZE=44 run "$KPB_BIN/create-diff-object" "$T/orig/kfix.o" \
		"$T/patched/kfix.o" kfix "$T/orig/kfix.ko" "$KPB_KERNEL_BUILD/Module.symvers" test "$T/out.o"
	[ "$status" -eq 0 ]
	readelf -sW "$T/out.o" | grep -q 'FUNC .* kfix_print$'
	[ "$(relocs_of .printk_index | wc -l)" -eq 1 ]
	entry=$(relocs_of .printk_index | awk '{ print $2 }')
	readelf -sW "$T/out.o" | grep -qE " 44 OBJECT +LOCAL .* _entry\.[0-9]+$"
	[[ $entry == *_entry* ]]
}

@test "kernel: a namespaced export the changed function uses adds its import_ns (real Module.symvers)" {
	grep -qP '\tinsert_resource_expand_to_fit\tvmlinux\tEXPORT_SYMBOL_GPL\tCXL$' \
		"$KPB_KERNEL_BUILD/Module.symvers"
	kfix_case -DPATCHED_NS
	[ "$status" -eq 0 ]
	readelf -sW "$T/out.o" | grep -q 'FUNC .* kfix_ns$'
	readelf -sW "$T/out.o" | grep -q 'UND insert_resource_expand_to_fit$'
	[ "$(readelf -p .modinfo "$T/out.o" | grep -c 'import_ns=')" -eq 1 ]
	readelf -p .modinfo "$T/out.o" | grep -q 'import_ns=CXL$'
}
