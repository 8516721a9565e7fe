#!/usr/bin/env bats
# A line number is never a change: every form in which __LINE__ reaches an
# object (cases/line-forms.h), moved by lines added above, is no change
# (exit 3); a real change next to it still is.

load helpers

# The functions of the output's .kpatch.funcs, sorted, on one line.
out_func_names() {
	out_funcs | awk '{ print $2 }' | sort | tr '\n' ' '
}

@test "lines: bug-table entries of BUG_ON, WARN_ON, WARN, WARN_ON_ONCE, WARN_ONCE and their once-flags moved: no change" {
	build_case line-bug
	cmp -s "$T/orig.o" "$T/patched.o" && false
	# The entries' lines differ (.word at offset 8 of each 12-byte entry).
	objcopy -O binary -j __bug_table "$T/orig.o" "$T/orig.bug"
	objcopy -O binary -j __bug_table "$T/patched.o" "$T/patched.bug"
	! cmp -s "$T/orig.bug" "$T/patched.bug" || false
	readelf -sW "$T/patched.o" | grep -q '__already_done'
	run_cdo
	[ "$status" -eq 3 ]
	[ ! -e "$T/out.o" ]
}

@test "lines: a changed WARN_ON_ONCE() condition among moved lines is a change of its function only" {
	build_case line-bug-cond
	write_line_map '100 1000 5'
	run_cdo --line-map "$T/line.map"
	[ "$status" -eq 0 ]
	[ "$(out_func_names)" = "check_limit " ]
	# Its bug-table entry goes with it.
	readelf -rW "$T/out.o" | grep -A3 "'.rela__bug_table'" | grep -q check_limit
}

@test "lines: __FILE__:__LINE__ in strings (fortify's memcpy check, lock names) moved as --line-map says: no change" {
	build_case line-string
	cmp -s "$T/orig.o" "$T/patched.o" && false
	write_line_map '100 1000 5'
	run_cdo --line-map "$T/line.map"
	[ "$status" -eq 3 ]
	[ ! -e "$T/out.o" ]
}

@test "lines: without --line-map, or with a map that does not move them so, such strings are a change" {
	build_case line-string
	# DEFINE_TIMER()'s lock name is data: a new initial value, refused.
	run_cdo
	[ "$status" -eq 2 ]
	[[ $output == *"data object my_timer (section .data.my_timer) has a new initial value"* ]]
	write_line_map '100 1000 4'
	run_cdo --line-map "$T/line.map"
	[ "$status" -eq 2 ]
	[[ $output == *"data object my_timer"* ]]
	# The functions alone (the timer's line is outside the map's range).
	write_line_map '100 110 5'
	run_cdo --line-map "$T/line.map"
	[ "$status" -eq 2 ]
	[[ $output == *"data object my_timer"* ]]
	[[ $output != *"copy_field"* && $output != *"init_lock"* ]]
}

@test "lines: a header's file:line, or a number after the source's name that did not move so, is a change" {
	build_case line-string-change
	write_line_map '100 1000 5'
	run_cdo --line-map "$T/line.map"
	[ "$status" -eq 0 ]
	[ "$(out_func_names)" = "warn_header warn_number " ]
}

@test "lines: the __LINE__ argument of every line-taking helper of 6.1 and 6.12 moved: no change" {
	build_case line-helpers
	cmp -s "$T/orig.o" "$T/patched.o" && false
	run_cdo
	[ "$status" -eq 3 ]
	[ ! -e "$T/out.o" ]
}

@test "lines: an initcall entry and a PCI fixup named by their line, moved: no change" {
	build_case line-initcall
	readelf -sW "$T/orig.o" | grep -q '__initcall__test__0_[0-9]*_start_thing6$'
	orig_names=$(readelf -sW "$T/orig.o" | grep -o '__initcall__[^ ]*\|__pci_fixup_[^ ]*' | sort)
	patched_names=$(readelf -sW "$T/patched.o" | grep -o '__initcall__[^ ]*\|__pci_fixup_[^ ]*' | sort)
	[ "$orig_names" != "$patched_names" ]
	run_cdo
	[ "$status" -eq 3 ]
	[ ! -e "$T/out.o" ]
}

@test "lines: a tracepoint, a pr_debug() descriptor and a printk index entry moved: no change" {
	build_case line-callsite
	cmp -s "$T/orig.o" "$T/patched.o" && false
	run_cdo
	[ "$status" -eq 3 ]
	[ ! -e "$T/out.o" ]
}

# Known limit: TRACE_RESUME()'s record (CONFIG_PM_TRACE_RTC, in neither
# Debian config) is data of no symbol; a moved one is refused, naming the
# section, never built into a module (README, create-diff-object).
@test "lines: a moved .tracedata record (TRACE_RESUME, an inline asm operand) is refused, naming the section" {
	build_case line-asm
	run_cdo
	[ "$status" -eq 2 ]
	[[ $output == *"section .tracedata changed"* ]]
	[ ! -e "$T/out.o" ]
}

@test "lines: a moved file:line string that gains a digit (9998 to 10003) is no change either" {
	build_case line-string-width
	write_line_map '9998 20000 5'
	run_cdo --line-map "$T/line.map"
	[ "$status" -eq 3 ]
	write_line_map '9998 20000 6'
	run_cdo --line-map "$T/line.map"
	[ "$status" -eq 0 ]
	[ "$(out_func_names)" = "copy_wide " ]
}
