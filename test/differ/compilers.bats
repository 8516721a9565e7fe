#!/usr/bin/env bats
# Objects of other compilers and configurations: UBSAN's per-call-site
# data (GCC and clang), and cold parts, syscall bodies and UBSAN data as
# Debian's GCC 11 emits them.

load helpers

# Distinct sections matching $2 that function $1 (and its .cold part) refers to in $3.
referenced_sections() {
	readelf -rW "$3" | awk -v f="$1" -v pat="$2" '
		/^Relocation section/ { s = $3; gsub(/'"'"'/, "", s)
			r = (s == ".rela.text." f || s == ".rela.text.unlikely." f); next }
		r && $5 ~ pat { print $5 }' | sort -u
}

# Output sections whose name matches $1.
out_sections_named() {
	out_sections | sed 's/\[ */[/' | awk -v pat="$1" '$2 ~ pat { print $2 }' | sort -u
}

ubsan_case() {
	local data=$1 type=$2
	run_cdo
	[ "$status" -eq 0 ]
	[[ $output != *"Lubsan"* && $output != *"unnamed"* ]]
	# later()'s records were renumbered and their lines moved: no change.
	[ "$(out_funcs)" = "vmlinux first 0 first" ]
	# first() carries copies of its records, and of no one else's.
	referenced_sections first "$data" "$T/patched.o" >"$T/want"
	[ "$(wc -l <"$T/want")" -ge 2 ]
	out_sections_named "^$data" >"$T/got"
	diff "$T/want" "$T/got"
	[ "$(out_sections_named "^$type" | wc -l)" -eq 1 ]
	! out_symbols | grep -q 'klp\.sym' || false
}

@test "GCC UBSAN: .data..Lubsan_* records are compared by contents and carried by their function" {
	build_case ubsan
	readelf -SW "$T/orig.o" | grep -q '\.data\.\.Lubsan_data'
	ubsan_case '\.data\.\.Lubsan_data' '\.data\.\.Lubsan_type'
}

@test "clang UBSAN: .data..L__unnamed_* records are compared by contents and carried by their function" {
	CASE_CC=clang build_case ubsan
	readelf -SW "$T/orig.o" | grep -q '\.data\.\.L__unnamed_'
	ubsan_case '\.data\.\.L__unnamed_' '\.rodata\.\.L__unnamed_'
}

@test "clang: a changed module_init function, named init_module only, is copied as a local" {
	CASE_CC=clang build_case alias
	# clang folds the static function into its alias: no real_init.
	! readelf -sW "$T/orig.o" | grep -q ' real_init$' || false
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs | awk '{ print $2 }')" = "init_module" ]
	# The livepatch module defines its own init_module.
	out_symbols | grep -q '^FUNC LOCAL [0-9]* init_module$'
	! out_symbols | grep -q 'GLOBAL [0-9]* init_module$' || false
}

@test "UBSAN: a record whose type descriptor changed changes its function" {
	build_case ubsan
	# The type descriptor later()'s records point to: {kind, info, "'int'"}.
	local sec off
	sec=$(readelf -rW "$T/patched.o" | awk '$5 ~ /^\.data\.\.Lubsan_type/ { print $5; exit }')
	[ -n "$sec" ]
	off=$(readelf -SW "$T/patched.o" | sed 's/\[ */[/' | awk -v s="$sec" '$2 == s { print $5 }')
	[ "$(dd if="$T/patched.o" bs=1 skip=$((16#$off + 5)) count=3 status=none)" = int ]
	printf 'u' | dd of="$T/patched.o" bs=1 seek=$((16#$off + 5)) conv=notrunc status=none
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs | awk '{ print $2 }' | sort | tr '\n' ' ')" = "first later " ]
}

@test "a __LINE__ shift through ___might_sleep, warn_slowpath_null and __warn_printk is not a change" {
	build_case old-line-helpers
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs)" = "vmlinux changed 0 changed" ]
}

# build_units NAME...: $T/orig.o and $T/patched.o each the "ld -r" of the
# units, the parent linked from the original units.
build_units() {
	T=$BATS_TEST_TMPDIR
	local u orig=() patched=()
	for u in "$@"; do
		gcc "${KFLAGS[@]}" -c "$CASES/$u.c" -o "$T/$u.o"
		gcc "${KFLAGS[@]}" -DPATCHED -c "$CASES/$u.c" -o "$T/$u.patched.o"
		orig+=("$T/$u.o")
		patched+=("$T/$u.patched.o")
	done
	ld -r -o "$T/orig.o" "${orig[@]}"
	ld -r -o "$T/patched.o" "${patched[@]}"
	ld -o "$T/vmlinux" -e 0 --unresolved-symbols=ignore-all "${orig[@]}"
	write_symvers /dev/null vmlinux >"$T/Module.symvers"
}

@test "ld -r of two units: each static is matched in its own unit's STT_FILE block" {
	build_units multi-a multi-b
	[ "$(readelf -sW "$T/orig.o" | awk '$4 == "FILE"' | wc -l)" -eq 2 ]
	[ "$(readelf -sW "$T/orig.o" | awk '$8 == "counter"' | wc -l)" -eq 2 ]
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs)" = "vmlinux b_entry 0 b_entry" ]
	# multi-b.c's statics, second by address in the parent, not new copies.
	out_symbols | grep -q 'UND \.klp\.sym\.vmlinux\.counter,2$'
	! out_symbols | grep -q 'OBJECT .* counter$' || false
	! out_symbols | grep -q 'a_entry' || false
}

@test "ld -r of two units: a module's locals are placed in the module's block of their unit" {
	build_units multi-a multi-b
	ld -r -o "$T/mymod.ko" "$T/multi-a.o" "$T/multi-b.o"
	run cdo "$T/orig.o" "$T/patched.o" mymod "$T/mymod.ko" "$T/Module.symvers" test "$T/out.o"
	[ "$status" -eq 0 ]
	out_symbols | grep -q 'UND \.klp\.sym\.mymod\.counter,2$'
}

@test "a global the patch made static is still the kernel's global: patched and referred to by name" {
	build_case made-local
	readelf -sW "$T/patched.o" | grep -q 'FUNC *LOCAL .* clamp_limit$'
	run_cdo
	[ "$status" -eq 0 ]
	[[ $output != *"was removed"* ]]
	[ "$(out_funcs)" = "vmlinux clamp_limit 0 clamp_limit" ]
	out_symbols | grep -q 'UND \.klp\.sym\.vmlinux\.limit_value,0$'
	! out_symbols | grep -q 'OBJECT .* limit_value$' || false
}

@test "new __UNIQUE_ID descriptors: a used one is carried, a .discard one is dropped, the old one keeps its name" {
	build_case new-unique-id
	readelf -sW "$T/patched.o" | grep -q '__UNIQUE_ID___addressable_report0$'
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs)" = "vmlinux report 0 report" ]
	out_symbols | grep -q 'OBJECT LOCAL [0-9]* __UNIQUE_ID_reason1$'
	out_symbols | grep -q 'UND \.klp\.sym\.vmlinux\.__UNIQUE_ID_count0,0$'
	! out_symbols | grep -q 'addressable' || false
}

# Debian's older GCC (test/install-deps installs gcc-11): the same cases read
# exactly as GCC 12's.
@test "GCC 11: a .cold part travels with its function" {
	CASE_CC=gcc-11 build_case cold-part
	readelf -sW "$T/orig.o" | grep -q ' check_range\.cold$'
	run_cdo
	[ "$status" -eq 0 ]
	carried check_range.cold
	[ "$(out_funcs)" = "vmlinux check_range 0 check_range" ]
}

@test "GCC 11: a change only in a .cold part replaces its parent" {
	CASE_CC=gcc-11 build_case cold-only
	run_cdo --debug=compare
	[ "$status" -eq 0 ]
	[[ $output == *"report_range: changed through its cold part report_range.cold"* ]]
	carried report_range.cold
	[ "$(out_funcs)" = "vmlinux report_range 0 report_range" ]
}

@test "GCC 11: a SYSCALL_DEFINE body is patched through its stubs" {
	CASE_CC=gcc-11 build_case untraced-syscall
	run_cdo
	[ "$status" -eq 0 ]
	carried __do_sys_thing
	[ "$(out_funcs | sort)" = "vmlinux __ia32_sys_thing 0 __ia32_sys_thing
vmlinux __x64_sys_thing 0 __x64_sys_thing" ]
}

@test "GCC 11 UBSAN: .data..Lubsan_* records are compared by contents and carried by their function" {
	CASE_CC=gcc-11 build_case ubsan
	readelf -SW "$T/orig.o" | grep -q '\.data\.\.Lubsan_data'
	ubsan_case '\.data\.\.Lubsan_data' '\.data\.\.Lubsan_type'
}
