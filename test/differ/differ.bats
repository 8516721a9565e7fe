#!/usr/bin/env bats
# The differ corpus: one behaviour per test, each asserting on the output.

load helpers

@test "string change: only the changed function, strings copied, exports stay plain" {
	build_case string-change kernel-rest
	run_cdo
	[ "$status" -eq 0 ]
	out_symbols | grep -q 'FUNC GLOBAL .* cmdline_proc_show$'
	! out_symbols | grep -q untouched || false
	out_sections | grep -q '\.text\.cmdline_proc_show'
	readelf -p .rodata.cmdline_proc_show.str1.1 "$T/out.o" | grep -q '(livepatched)' ||
		readelf -p .rodata.str1.1 "$T/out.o" | grep -q '(livepatched)'
	out_symbols | grep -q 'NOTYPE GLOBAL UND seq_puts$'
	out_symbols | grep -q 'UND \.klp\.sym\.vmlinux\.saved_command_line,0$'
	[ "$(out_funcs)" = "vmlinux cmdline_proc_show 0 cmdline_proc_show" ]
}

@test "new function and new global variable are included, not patched" {
	build_case new-function
	run_cdo
	[ "$status" -eq 0 ]
	out_symbols | grep -q 'FUNC LOCAL .* new_helper$'
	out_symbols | grep -q 'OBJECT GLOBAL .* new_global_limit$'
	out_symbols | grep -q 'FUNC GLOBAL .* clamp_value$'
	[ "$(out_funcs)" = "vmlinux clamp_value 0 clamp_value" ]
}

# The static local beta() uses: its relocations name the variable's section.
count_used_by_beta() {
	readelf -rW "$1" | awk '/^Relocation section/ { f = /rela.text.beta/; next }
		f && $5 ~ /count/ { sub(/^\.bss\./, "", $5); print $5; exit }'
}

@test "renumbered static locals keep referring to the kernel's variable by its old name" {
	build_case static-local
	orig_name=$(count_used_by_beta "$T/orig.o")
	patched_name=$(count_used_by_beta "$T/patched.o")
	[ "$orig_name" != "$patched_name" ]
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs | awk '{ print $2 }' | sort | tr '\n' ' ')" = "beta " ]
	out_symbols | grep -q "UND \.klp\.sym\.vmlinux\.$orig_name,0$"
	! out_symbols | grep -q 'count.*OBJECT' || false
	out_symbols | grep -q 'FUNC GLOBAL .* first$'
}

# uses_of FILE FUNC: the names FUNC's relocations refer to.
uses_of() {
	readelf -rW "$1" | awk -v s=".rela.text.$2" '/^Relocation section/ { f = index($0, "'"'"'" s "'"'"'"); next }
		f && NF >= 5 { print $5 }' | sort -u
}

@test "a static local moved into a new subfunction (inlined before) is still the kernel's variable" {
	build_case static-local-moved
	orig_name=$(uses_of "$T/orig.o" tally | sed -n 's/^\.bss\.//p')
	patched_name=$(uses_of "$T/patched.o" bump | sed -n 's/^\.bss\.//p')
	[ -n "$orig_name" ] && [ "$orig_name" != "$patched_name" ]
	readelf -sW "$T/patched.o" | grep -q " $orig_name\$"
	run_cdo
	[ "$status" -eq 0 ]
	uses_of "$T/out.o" bump | grep -qx "\.klp\.sym\.vmlinux\.$orig_name,0"
	! out_symbols | grep -q "OBJECT LOCAL [0-9]* $patched_name\$" || false
}

@test "a static local moved into a GCC-split tally.part.0: paired through its caller" {
	OBJCOPY_PATCHED="--redefine-sym bump=tally.part.0"
	build_case static-local-moved
	orig_name=$(uses_of "$T/orig.o" tally | sed -n 's/^\.bss\.//p')
	run_cdo
	[ "$status" -eq 0 ]
	out_symbols | grep -q 'FUNC LOCAL [0-9]* tally\.part\.0$'
	readelf -rW "$T/out.o" | grep -q "\.klp\.sym\.vmlinux\.$orig_name,0"
}

@test "two same-named static locals moved into subfunctions at once are refused, not guessed" {
	build_case static-local-moved-two
	run_cdo
	[ "$status" -eq 2 ]
	[[ $output == *'static local count.0: tally and the subfunctions it calls (new in the patched object) name 2 static locals "count.#", the original tally 2; which of the kernel'"'"'s variables each one is cannot be told'* ]]
	[[ $output == *"2 change(s) cannot be livepatched"* ]]
	[ ! -e "$T/out.o" ]
}

@test "no change: exit 3 and no output file" {
	build_case no-change
	run_cdo
	[ "$status" -eq 3 ]
	[[ $output == *"no changed functions"* ]]
	[ ! -e "$T/out.o" ]
}

@test "a __LINE__-only difference in a __might_sleep() call is not a change" {
	build_case line-only
	cmp -s "$T/orig.o" "$T/patched.o" && false
	run_cdo
	[ "$status" -eq 3 ]
}

@test "refused: changed initial value of existing data" {
	build_case data-change
	run_cdo
	[ "$status" -eq 2 ]
	[[ $output == *"data object tunable"*"new initial value"* ]]
	[ ! -e "$T/out.o" ]
}

@test "refused: data structure size change" {
	build_case size-change
	run_cdo
	[ "$status" -eq 2 ]
	[[ $output == *"global_stats changed size from 16 to 24"* ]]
}

@test "refused: __init function changed" {
	build_case init-change
	run_cdo
	[ "$status" -eq 2 ]
	[[ $output == *"function setup_thing in .init.text changed"* ]]
}

@test "refused: removed global function" {
	build_case removed-global
	run_cdo
	[ "$status" -eq 2 ]
	[[ $output == *"global function going_away was removed"* ]]
}

@test "refused: a global function without __fentry__ (its callers are in other objects)" {
	build_case notrace
	run_cdo
	[ "$status" -eq 2 ]
	[[ $output == *"function untraced has no __fentry__ call and is global"* ]]
}

@test "an untraced changed helper is carried and its traced caller replaced" {
	build_case untraced-caller
	run_cdo --debug=compare
	[ "$status" -eq 0 ]
	[[ $output == *"use_scale: calls untraced scale"* ]]
	carried scale
	[ "$(out_funcs)" = "vmlinux use_scale 0 use_scale" ]
	# The replaced caller calls the carried copy, twice.
	[ "$(out_relocs | awk '/^Relocation section/ { f = /rela.text.use_scale/; next }
		f && $5 ~ /scale$/' | wc -l)" -eq 2 ]
	! out_symbols | grep -q unrelated || false
}

@test "a caller replaced for an untraced helper carries its own .cold part" {
	build_case untraced-cold-caller
	readelf -sW "$T/orig.o" | grep -q ' total_weight\.cold$'
	run_cdo
	[ "$status" -eq 0 ]
	carried weight
	carried total_weight.cold
	[ "$(out_funcs)" = "vmlinux total_weight 0 total_weight" ]
}

@test "two untraced levels: both carried, the traced caller on top replaced" {
	build_case untraced-chain
	run_cdo --debug=compare
	[ "$status" -eq 0 ]
	[[ $output == *"mid: untraced, calls untraced leaf"* ]]
	carried leaf
	carried mid
	[ "$(out_funcs)" = "vmlinux top 0 top" ]
}

@test "a SYSCALL_DEFINE body (__do_sys_*) is patched through __x64_sys_* and __ia32_sys_*" {
	build_case untraced-syscall
	# The stubs tail-call the body: a jmp, not a call.
	objdump -dr "$T/orig.o" --section=.text.__x64_sys_thing | grep -A1 'jmp' |
		grep -q '__do_sys_thing'
	run_cdo
	[ "$status" -eq 0 ]
	carried __do_sys_thing
	[ "$(out_funcs | sort)" = "vmlinux __ia32_sys_thing 0 __ia32_sys_thing
vmlinux __x64_sys_thing 0 __x64_sys_thing" ]
}

@test "KPATCH_SYSCALL_DEFINE: the stubs the original has are replaced, the mark not copied" {
	build_case syscall-mark
	run_cdo --debug=compare
	[ "$status" -eq 0 ]
	[[ $output == *"system call stub __x64_sys_thing"* ]]
	# As for the unmarked untraced-syscall case: the body carried, both stubs replaced.
	carried __do_sys_thing
	[ "$(out_funcs | sort | tr '\n' ' ')" = "vmlinux __ia32_sys_thing 0 __ia32_sys_thing vmlinux __x64_sys_thing 0 __x64_sys_thing " ]
	! out_sections | grep -q 'kpatch\.syscalls' || false
}

@test "refused: KPATCH_SYSCALL_DEFINE of a stub the original object does not have" {
	build_case syscall-mark-new
	run_cdo
	[ "$status" -eq 2 ]
	[[ $output == *"KPATCH_SYSCALL_DEFINE: __x64_sys_added is new (the original object has no such stub): a livepatch cannot add a system call"* ]]
}

@test "refused: an untraced changed helper whose only caller is __init code" {
	build_case untraced-init
	# vmlinux frees its __init code at boot: the change could never run.
	run_cdo
	[ "$status" -eq 2 ]
	[[ $output == *"function parse_limit has no __fentry__ call and only vmlinux __init code, freed at boot, calls it"* ]]
	[ ! -e "$T/out.o" ]
	# A module's __init code runs at its load and calls the old body directly.
	run cdo "$T/orig.o" "$T/patched.o" limits "$T/vmlinux" "$T/Module.symvers" test "$T/out.o"
	[ "$status" -eq 2 ]
	[[ $output == *"function parse_limit has no __fentry__ call and its caller setup_limit is __init code (.init.text)"* ]]
	[ ! -e "$T/out.o" ]
}

@test "an untraced changed helper called from vmlinux __init code and a traced function: the traced one replaced" {
	build_case untraced-init-mixed
	run_cdo --debug=compare
	[ "$status" -eq 0 ]
	[[ $output == *"parse_limit: caller setup_limit is vmlinux __init code, freed at boot: skipped"* ]]
	carried parse_limit
	[ "$(out_funcs)" = "vmlinux read_limit 0 read_limit" ]
}

@test "refused: untraced changed code in or called from noinstr code, even with a traced caller" {
	build_case untraced-noinstr
	run_cdo
	[ "$status" -eq 2 ]
	[[ $output == *"function fixup_flags has no __fentry__ call and its caller enter_from_user is entry or noinstr code (.noinstr.text)"* ]]
	[[ $output == *"function exit_to_user is entry or noinstr code (.noinstr.text): it cannot be patched"* ]]
	[[ $output == *"2 change(s) cannot be livepatched"* ]]
}

@test "refused: an untraced changed helper whose address is taken, in data and in code" {
	build_case untraced-address
	run_cdo
	[ "$status" -eq 2 ]
	[[ $output == *"function handle has no __fentry__ call and its address is stored in handlers+0x0 (.rodata.handlers)"* ]]
	[[ $output == *"function handle has no __fentry__ call and setup_handler+0x"*" takes its address"* ]]
	[[ $output == *"2 change(s) cannot be livepatched"* ]]
}

# run_caller OBJ [OPTION...]: the differ in caller mode on the unchanged
# object OBJ of the case's others (ORIG.o and PATCHED.o the same file),
# with the list the defining object's run wrote.
run_caller() {
	local obj=$1
	shift
	run cdo --untraced-in "$T/untraced" "$@" "$T/$obj.o" "$T/$obj.o" vmlinux "$T/vmlinux" \
		"$T/Module.symvers" test "$T/$obj-out.o"
}

@test "a global untraced function: carried under a module-internal name and listed" {
	build_case xobj-define xobj-caller
	run_cdo --untraced-out "$T/untraced" --debug=compare
	[ "$status" -eq 0 ]
	[ "$(cat "$T/untraced")" = scale_all ]
	[[ $output == *"scale_here: calls untraced scale_all"* ]]
	out_symbols | grep -q "FUNC GLOBAL [0-9]* __kpb_untraced.scale_all\$"
	! out_symbols | grep -q " scale_all\$" || false
	! out_symbols | grep -q "klp\.sym\.vmlinux\.scale_all," || false
	[ "$(out_funcs)" = "vmlinux scale_here 0 scale_here" ]
}

@test "--untraced-out with nothing to carry across objects: an empty list" {
	build_case untraced-caller
	run_cdo --untraced-out "$T/untraced"
	[ "$status" -eq 0 ]
	[ -e "$T/untraced" ] && [ ! -s "$T/untraced" ]
}

@test "callers of a carried global in another object: replaced or carried, bound to the copy" {
	build_case xobj-define xobj-caller
	run_cdo --untraced-out "$T/untraced"
	[ "$status" -eq 0 ]
	run_caller xobj-caller --untraced-out "$T/more" --debug=compare
	[ "$status" -eq 0 ]
	[[ $output == *"direct_user: calls untraced scale_all"* ]]
	[[ $output == *"indirect_user: calls untraced scale_twice"* ]]
	[ ! -s "$T/more" ]
	T_OUT=$T/xobj-caller-out.o
	readelf -sW "$T_OUT" | grep -q "FUNC *LOCAL .* scale_twice\$"
	[ "$(readelf -sW "$T_OUT" | awk '$8 == "__kpb_untraced.scale_all" { print $5, $7 }')" = "GLOBAL UND" ]
	! readelf -sW "$T_OUT" | grep -q "scale_all," || false
	! readelf -sW "$T_OUT" | grep -q bystander || false
	# The module's link binds every call to the one copy.
	ld -r -o "$T/module.o" "$T/out.o" "$T_OUT"
	[ "$(readelf -sW "$T/module.o" | awk '$8 == "__kpb_untraced.scale_all" { print $7 }')" != UND ]
	[ "$(readelf -rW "$T/module.o" | grep -c '__kpb_untraced.scale_all')" -ge 4 ]
}

@test "without --untraced-in the unchanged caller object has no change" {
	build_case xobj-define xobj-caller
	run cdo "$T/xobj-caller.o" "$T/xobj-caller.o" vmlinux "$T/vmlinux" "$T/Module.symvers" test "$T/o.o"
	[ "$status" -eq 3 ]
}

@test "refused: a global untraced function that is exported" {
	build_case xobj-exported
	run_cdo --untraced-out "$T/untraced"
	[ "$status" -eq 2 ]
	[[ $output == *"function scale_exported has no __fentry__ call and is exported ($T/Module.symvers lists it): its callers in modules cannot all be found"* ]]
	[ ! -e "$T/out.o" ] && [ ! -e "$T/untraced" ]
}

@test "refused: a carried global's address taken in another object, in data and in code" {
	build_case xobj-define xobj-address
	echo scale_all >"$T/untraced"
	run_caller xobj-address
	[ "$status" -eq 2 ]
	[[ $output == *"function scale_all has no __fentry__ call and its address is stored in scalers+0x0 (.rodata.scalers)"* ]]
	[[ $output == *"function scale_all has no __fentry__ call and scaler_address+0x"*" takes its address"* ]]
	[ ! -e "$T/xobj-address-out.o" ]
}

@test "a carried global called from __init code of another object: skipped in vmlinux, refused in a module" {
	build_case xobj-define xobj-init-caller
	printf '# from xobj-define.o\nscale_all\n' >"$T/untraced"
	run_caller xobj-init-caller --debug=compare
	[ "$status" -eq 0 ]
	[[ $output == *"scale_all: caller setup_scale is vmlinux __init code, freed at boot: skipped"* ]]
	cp "$T/xobj-init-caller-out.o" "$T/out.o"
	[ "$(out_funcs)" = "vmlinux later_user 0 later_user" ]
	run cdo --untraced-in "$T/untraced" "$T/xobj-init-caller.o" "$T/xobj-init-caller.o" scaler \
		"$T/vmlinux" "$T/Module.symvers" test "$T/mod-out.o"
	[ "$status" -eq 2 ]
	[[ $output == *"function scale_all has no __fentry__ call and its caller setup_scale is __init code (.init.text)"* ]]
	[ ! -e "$T/mod-out.o" ]
}

@test "--untraced-in: a bad list is an input error naming the line" {
	build_case xobj-define xobj-caller
	printf 'scale_all extra\n' >"$T/untraced"
	run_caller xobj-caller
	[ "$status" -eq 1 ]
	[[ $output == *"$T/untraced:1: expected one function name"* ]]
	run cdo --untraced-in "$T/missing" "$T/orig.o" "$T/patched.o" vmlinux "$T/vmlinux" "$T/Module.symvers" test "$T/o.o"
	[ "$status" -eq 1 ]
}

@test "duplicate local names get their kallsyms position; non-exported globals become klp symbols" {
	build_case dup-static kernel-rest
	run_cdo
	[ "$status" -eq 0 ]
	# helper: dup-static.o is linked first, so its helper comes first by address.
	out_symbols | grep -q 'UND \.klp\.sym\.vmlinux\.helper,1$'
	out_symbols | grep -q 'UND \.klp\.sym\.vmlinux\.not_exported_counter,0$'
	[ "$(out_funcs)" = "vmlinux use_helper 0 use_helper" ]
}

@test "a .cold part travels with its function and is not patched itself" {
	build_case cold-part
	readelf -sW "$T/orig.o" | grep -q 'check_range.cold'
	run_cdo
	[ "$status" -eq 0 ]
	out_symbols | grep -q 'FUNC LOCAL .* check_range.cold$'
	[ "$(out_funcs)" = "vmlinux check_range 0 check_range" ]
}

@test "a change only in a .cold part replaces its parent, carried with its new cold part" {
	build_case cold-only
	diff <(objdump -d "$T/orig.o" --section=.text.report_range | tail -n +4) \
		<(objdump -d "$T/patched.o" --section=.text.report_range | tail -n +4)
	run_cdo --debug=compare
	[ "$status" -eq 0 ]
	[[ $output == *"report_range: changed through its cold part report_range.cold"* ]]
	carried report_range.cold
	[ "$(out_funcs)" = "vmlinux report_range 0 report_range" ]
	grep -qa 'in the range table' "$T/out.o"
}

@test "GCC < 8 cold part without a symbol (.text.unlikely.FN): carried whole with its changed function" {
	build_case cold-nosym
	! readelf -sW "$T/patched.o" | grep -q 'split_sum\.cold' || false
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs)" = "vmlinux split_sum 0 split_sum" ]
	out_sections | grep -q ' \.text\.unlikely\.split_sum '
	# Into it and back: the output's own cold part and split_sum.
	out_section_relocs .text.split_sum | grep -qx 'R_X86_64_PC32 .text.unlikely.split_sum -4'
	out_section_relocs .text.unlikely.split_sum | grep -qx 'R_X86_64_PC32 .text.split_sum +c'
	out_section_relocs .text.unlikely.split_sum | grep -qx 'R_X86_64_PLT32 report_negative -4'
}

@test "GCC < 8 cold part without a symbol: a change confined to it replaces its function" {
	build_case cold-nosym-only
	cmp <(objcopy -O binary -j .text.split_sum "$T/orig.o" /dev/stdout) \
		<(objcopy -O binary -j .text.split_sum "$T/patched.o" /dev/stdout)
	run_cdo --debug=compare
	[ "$status" -eq 0 ]
	[[ $output == *"split_sum: changed through its cold part .text.unlikely.split_sum"* ]]
	[ "$(out_funcs)" = "vmlinux split_sum 0 split_sum" ]
	out_sections | grep -q ' \.text\.unlikely\.split_sum '
}

@test "GCC < 11 cold parts (foo.cold.N, renumbered) are parts of their parent" {
	OBJCOPY_ORIG="--redefine-sym check_range.cold=check_range.cold.3"
	OBJCOPY_PATCHED="--redefine-sym check_range.cold=check_range.cold.7"
	build_case cold-part
	readelf -sW "$T/orig.o" | grep -q ' check_range\.cold\.3$'
	run_cdo
	[ "$status" -eq 0 ]
	carried check_range.cold.7
	[ "$(out_funcs)" = "vmlinux check_range 0 check_range" ]
}

@test "GCC < 11 cold parts: a change in foo.cold.N alone replaces foo" {
	# shellcheck disable=SC2034 # read by build_case (helpers.bash)
	OBJCOPY_ORIG="--redefine-sym report_range.cold=report_range.cold.2"
	# shellcheck disable=SC2034 # ditto
	OBJCOPY_PATCHED="--redefine-sym report_range.cold=report_range.cold.4"
	build_case cold-only
	run_cdo --debug=compare
	[ "$status" -eq 0 ]
	[[ $output == *"report_range: changed through its cold part report_range.cold.4"* ]]
	carried report_range.cold.4
	[ "$(out_funcs)" = "vmlinux report_range 0 report_range" ]
}

@test "callback sections are copied with the callback function" {
	build_case callbacks
	run_cdo
	[ "$status" -eq 0 ]
	out_sections | grep -q '\.kpatch\.callbacks\.pre_patch'
	out_symbols | grep -q 'FUNC LOCAL .* pre_patch$'
	out_relocs | grep -A3 "rela.kpatch.callbacks.pre_patch" | grep -q 'pre_patch'
}

@test "a function marked with KPATCH_IGNORE_FUNCTION is not a change" {
	build_case ignored
	run_cdo
	[ "$status" -eq 3 ]
}

@test "KPATCH_LAYOUT_CHANGE_OK's section is read by kpb-layout, never copied to the output" {
	build_case layout-marker
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs)" = "vmlinux changed 0 changed" ]
	! out_sections | grep -q layout_change_ok || false
	! out_symbols | grep -q layout_ok || false
}

@test "a changed constant table replaces the functions that read it" {
	build_case const-table
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs)" = "vmlinux weigh 0 weigh" ]
	out_symbols | grep -q 'OBJECT LOCAL .* weights$'
}

# The output's relocations of section $1: "type symbol addend" a line.
out_section_relocs() {
	out_relocs | awk -v s="'.rela$1'" '/^Relocation section/ { f = ($3 == s); next }
		f && $3 ~ /^R_X86/ { print $3, $5, $6 $7 }'
}

# table_refs FUNC REGEX: the relocations of FUNC's output section to symbols
# matching REGEX, "type addend" each, on one line.
table_refs() {
	out_section_relocs ".text.$1" | awk -v s="$2" '$2 ~ s { print $1, $3 }' | tr '\n' ' '
}

@test "one past the end of a static table: the kernel's unchanged or writable one, the copy of a changed constant" {
	build_case table-end
	readelf -rW "$T/patched.o" | grep -Eq '\.rodata\.names\.[0-9]+ \+ 40$'
	run_cdo
	[ "$status" -eq 0 ]
	[[ $(out_funcs | awk '{ print $2 }' | sort | tr '\n' ' ') == "count_all sum_names weigh_all " ]]
	# Each table at offset 0 and at its end: names[4] (0x40 bytes), unchanged: the kernel's.
	[ "$(table_refs sum_names '^\\.klp\\.sym\\.vmlinux\\.names\\.')" = "R_X86_64_32S +10 R_X86_64_32S +40 " ]
	! out_symbols | grep -q ' names\.[0-9]*$' || false
	# weights[6] (0x18), changed and read-only: the output's copy.
	out_symbols | grep -Eq '^OBJECT LOCAL [0-9]+ weights\.[0-9]+$'
	[ "$(table_refs weigh_all '^\\.rodata\\.weights\\.')" = "R_X86_64_32S +0 R_X86_64_32S +18 " ]
	! out_symbols | grep -q 'klp\.sym\.vmlinux\.weights' || false
	# counts[6] (0x18), writable: never copied, the kernel's.
	[ "$(table_refs count_all '^\\.klp\\.sym\\.vmlinux\\.counts\\.')" = "R_X86_64_32S +0 R_X86_64_32S +18 " ]
	! out_symbols | grep -Eq 'OBJECT .* counts\.[0-9]+$' || false
}

@test "refused: just past an object that bytes of no symbol follow (not taken for its end)" {
	build_case table-end-blob
	run_cdo
	[ "$status" -eq 2 ]
	[[ $output == *".text.read_limits+0x8 refers to .rodata.limits+0x8, where no symbol is defined"* ]]
	[ ! -e "$T/out.o" ]
}

@test "a jump label's NOP (objtool's R_X86_64_NONE, the jmp's addend) into the start of the cold part" {
	build_case jump-label-cold
	readelf -rW "$T/patched.o" | grep -Eq 'R_X86_64_NONE +0+ \.text\.unlikely\.gated - 4$'
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs)" = "vmlinux gated 0 gated" ]
	out_symbols | grep -q 'FUNC LOCAL .* gated.cold$'
	# The NOP's relocation and the entry's target: the output's cold part, at its start.
	out_section_relocs .text.gated | grep -qx 'R_X86_64_NONE .text.unlikely.gated -4'
	[ "$(out_section_relocs __jump_table | tr '\n' ' ')" = \
		"R_X86_64_PC32 .text.gated +8 R_X86_64_PC32 .text.unlikely.gated +0 R_X86_64_PC64 feature_key +2 " ]
}

@test "refused: new entry in a load-time table (__param)" {
	build_case new-param
	run_cdo
	[ "$status" -eq 2 ]
	[[ $output == *"new section __param"* ]]
}

@test "a GCC clone (constprop/isra) is patched under the kernel's name for it" {
	build_case clone
	clone=$(readelf -sW "$T/orig.o" | awk '$8 ~ /^helper\./ { print $8 }' | head -n1)
	[ -n "$clone" ]
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs)" = "vmlinux $clone 0 $(readelf -sW "$T/patched.o" | awk '$8 ~ /^helper\./ { print $8 }' | head -n1)" ]
}

@test "string literals that only moved are not changes" {
	build_case string-shift
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs | awk '{ print $2 }')" = "first" ]
}

@test "reordered functions are not a change" {
	build_case reorder
	run_cdo
	[ "$status" -eq 3 ]
}

@test "a renumbered __UNIQUE_ID_ static is referred to by its original name" {
	build_case unique-id
	readelf -sW "$T/orig.o" | grep -q '__UNIQUE_ID_state0$'
	readelf -sW "$T/patched.o" | grep -q '__UNIQUE_ID_state1$'
	run_cdo
	[ "$status" -eq 0 ]
	out_symbols | grep -q 'UND \.klp\.sym\.vmlinux\.__UNIQUE_ID_state0,0$'
}

@test "the parent symbol table can be readelf -s --wide text" {
	build_case string-change kernel-rest
	readelf -s --wide "$T/vmlinux" >"$T/vmlinux.symtab"
	run cdo "$T/orig.o" "$T/patched.o" vmlinux "$T/vmlinux.symtab" "$T/Module.symvers" test "$T/out.o"
	[ "$status" -eq 0 ]
	out_symbols | grep -q 'UND \.klp\.sym\.vmlinux\.saved_command_line,0$'
}

@test "module object: its own exports and globals are klp symbols of the module" {
	build_case module-ref module-rest
	ld -r -o "$T/mymod.ko" "$T/orig.o" "$T/module-rest.o"
	{
		write_symvers "$CASES/module-ref.c" vmlinux
		printf '0x0\tmod_exported\tdrivers/misc/mymod\tEXPORT_SYMBOL\t\n'
	} >"$T/Module.symvers"
	run cdo "$T/orig.o" "$T/patched.o" mymod "$T/mymod.ko" "$T/Module.symvers" test "$T/out.o"
	[ "$status" -eq 0 ]
	out_symbols | grep -q 'UND \.klp\.sym\.mymod\.mod_exported,0$'
	out_symbols | grep -q 'UND \.klp\.sym\.mymod\.mod_internal,0$'
	out_symbols | grep -q 'UND printk$'
	[ "$(out_funcs)" = "mymod mod_entry 0 mod_entry" ]
}

@test "the object's own MODULE_IMPORT_NS reaches the output's .modinfo, once, without its other lines" {
	build_case import-ns
	! grep -q CRYPTO_INTERNAL "$T/Module.symvers" || false
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(readelf -p .modinfo "$T/out.o" | sed -n 's/^ *\[ *[0-9a-f]*\] *//p')" = import_ns=CRYPTO_INTERNAL ]
}

@test "a namespaced export adds import_ns to .modinfo" {
	build_case string-change kernel-rest
	sed -i 's/^\(0x00000000\tseq_puts\tvmlinux\tEXPORT_SYMBOL\)\t$/\1_NS\tSEQ_NS/' "$T/Module.symvers"
	grep -q SEQ_NS "$T/Module.symvers"
	run_cdo
	[ "$status" -eq 0 ]
	readelf -p .modinfo "$T/out.o" | grep -q 'import_ns=SEQ_NS'
}

@test "a special-section entry's string label renumbered by the patch is copied" {
	build_case bug-string
	readelf -sW "$T/orig.o" | grep -q '\.LC'
	run_cdo
	[ "$status" -eq 0 ]
	out_relocs | awk '/^Relocation section .\.rela__bug_table/ { f = 1; next } /^Relocation/ { f = 0 } f' | grep -q 'check_task'
	[ "$(out_relocs | awk '/^Relocation section .\.rela__bug_table/ { f = 1; next } /^Relocation/ { f = 0 } f && /R_X86/' | wc -l)" -eq 2 ]
	readelf -p .rodata.str1.1 "$T/out.o" | grep -q 'include/fake/file.h' ||
		readelf -p .rodata.check_task.str1.1 "$T/out.o" | grep -q 'include/fake/file.h'
}

@test "an alias (init_module) is one function: one entry, no global alias defined" {
	build_case alias
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs | awk '{ print $2 }')" = "real_init" ]
	! out_symbols | grep -q 'GLOBAL [0-9]* init_module$' || false
}

@test "__func__ constants are copied rather than reached through a klp symbol" {
	build_case func-name
	run_cdo
	[ "$status" -eq 0 ]
	out_symbols | grep -q 'OBJECT LOCAL [0-9]* __func__\.'
	! out_symbols | grep -q 'klp\.sym' || false
}

@test "__patchable_function_entries: only the kept function's entry, linked to its section" {
	build_case patchable
	readelf -rW "$T/orig.o" | grep -A2 'rela__patchable' | grep -q '\.init\.text'
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_relocs | awk '/^Relocation section .\.rela__patchable/ { f = 1; next } /^Relocation/ { f = 0 } f && /R_X86/' | wc -l)" -eq 1 ]
	out_relocs | awk '/^Relocation section .\.rela__patchable/ { f = 1; next } /^Relocation/ { f = 0 } f' | grep -q '\.text\.changed'
	out_sections | grep -E '__patchable_function_entries .* WAL ' 
}

@test "special-section entries reached through an alias stay with the function" {
	build_case alias
	readelf -rW "$T/orig.o" | grep -A3 'rela__mcount_loc' | grep -q 'real_init\|init_module\|\.text'
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_relocs | awk '/^Relocation section .\.rela__mcount_loc/ { f = 1; next } /^Relocation/ { f = 0 } f && /R_X86/' | wc -l)" -eq 1 ]
}

@test "a renamed function's __func__ is a new constant, not a resized one" {
	build_case func-rename
	readelf -sW "$T/orig.o" | grep -q ' __func__\.0$'
	readelf -sW "$T/patched.o" | grep -q ' __func__\.0$'
	run_cdo
	[ "$status" -eq 0 ]
	[[ $output != *"changed size"* ]]
	[ "$(out_funcs)" = "vmlinux caller 0 caller" ]
	readelf -p .rodata.__func__.0 "$T/out.o" | grep -q report_state_verbosely ||
		readelf -x .rodata "$T/out.o" | grep -q report_state
}

@test "a __LINE__ shift in the ext4/xfs/btrfs helpers' line argument is not a change" {
	build_case fs-line
	run_cdo
	[ "$status" -eq 0 ]
	# Only the calls whose non-line arguments changed are patched.
	[ "$(out_funcs | awk '{ print $2 }' | sort | tr '\n' ' ')" = "ext4_credits ext4_type " ]
}

@test "__init code that differs only in line numbers is not refused" {
	build_case init-line
	run_cdo
	[ "$status" -eq 0 ]
	[[ $output != *"setup_early"* ]]
	[ "$(out_funcs)" = "vmlinux runtime 0 runtime" ]
	! out_symbols | grep -q setup_early || false
}

@test "a printk __LINE__ moved as --line-map says is not a change; a printed value that changed is" {
	build_case printk-line
	write_line_map '100 1000 5'
	run_cdo --line-map "$T/line.map"
	[ "$status" -eq 0 ]
	[ "$(out_funcs)" = "vmlinux count_things 0 count_things" ]
	! out_symbols | grep -q 'report_kset\|report_dev' || false
}

@test "without --line-map, or with a map the values do not fit, a printk line shift is a change" {
	build_case printk-line
	run_cdo
	[ "$status" -eq 0 ]
	[ "$(out_funcs | awk '{ print $2 }' | sort | tr '\n' ' ')" = "count_things report_dev report_kset " ]
	# Moved by another amount, or a range that does not hold the old line.
	write_line_map '100 1000 4'
	run_cdo --line-map "$T/line.map"
	[ "$status" -eq 0 ]
	[ "$(out_funcs | awk '{ print $2 }' | sort | tr '\n' ' ')" = "count_things report_dev report_kset " ]
	write_line_map '1 99 5' '200 300 5'
	run_cdo --line-map "$T/line.map"
	[ "$(out_funcs | awk '{ print $2 }' | sort | tr '\n' ' ')" = "count_things report_dev report_kset " ]
}

@test "__init code whose only difference is a printk line moved as --line-map says is not refused" {
	build_case printk-init-line
	run_cdo
	[ "$status" -eq 2 ]
	[[ $output == *"setup_kset"* ]]
	write_line_map '50 2000 3'
	run_cdo --line-map "$T/line.map"
	[ "$status" -eq 0 ]
	[[ $output != *"setup_kset"* ]]
	[ "$(out_funcs)" = "vmlinux runtime 0 runtime" ]
	! out_symbols | grep -q setup_kset || false
}

@test "the table helpers' lines need no map, and a map does not change them" {
	build_case fs-line
	write_line_map '1 10 1'
	run_cdo --line-map "$T/line.map"
	[ "$status" -eq 0 ]
	[ "$(out_funcs | awk '{ print $2 }' | sort | tr '\n' ' ')" = "ext4_credits ext4_type " ]
}

@test "a malformed --line-map is refused naming the file and the line" {
	build_case printk-line
	local bad
	for bad in '100 1000' '100 1000 5 7' '100 x 5' '100 90 5' '100 1000 0' '3 9 -5' '-1 9 5'; do
		write_line_map '10 20 1' "$bad"
		run_cdo --line-map "$T/line.map"
		[ "$status" -eq 1 ]
		[[ $output == *"$T/line.map:3: "* ]]
		[ ! -e "$T/out.o" ]
	done
	write_line_map '10 20 1' '15 30 2'
	run_cdo --line-map "$T/line.map"
	[ "$status" -eq 1 ]
	[[ $output == *"line.map:3: range 15-30 is not after the previous range 10-20"* ]]
	run_cdo --line-map "$T/missing.map"
	[ "$status" -eq 1 ]
	[[ $output == *"missing.map: cannot read the line map"* ]]
}

# The strings the output's __func__ constants hold.
out_func_names() {
	local s
	for s in $(out_sections | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\.rodata\.__func__/) print $i }'); do
		readelf -p "$s" "$T/out.o" | sed -n 's/^ *\[ *[0-9a-f]*\] *//p'
	done
}

@test "pr_debug descriptors: line and counter shifts are no change; carried functions get their own __dyndbg" {
	build_case dyndbg
	run_cdo
	[ "$status" -eq 0 ]
	[[ $output != *"new initial value"* ]]
	# quiet's descriptor only moved; reworded's format changed with the same code.
	[ "$(out_funcs | awk '{ print $2 }' | sort | tr '\n' ' ')" = "changed_fn reworded " ]
	# The descriptors of the carried functions, and only those, in __dyndbg.
	[ "$(out_symbols | awk '$1 == "OBJECT" && $4 ~ /^__UNIQUE_ID_ddebug/' | wc -l)" -eq 3 ]
	out_sections | grep -qE '__dyndbg +PROGBITS +0+ [0-9a-f]+ 0+a8 .* WA '
	[ "$(out_func_names | sort | tr '\n' ' ')" = "changed_fn reworded " ]
	# Each jump label's key is the static key (+0x28) of a copied descriptor.
	out_relocs | awk '/^Relocation section .\.rela__jump_table/ { f = 1; next } /^Relocation/ { f = 0 }
		f && $3 == "R_X86_64_PC64" { print $5, $7 }' >"$T/keys"
	[ "$(wc -l <"$T/keys")" -eq 3 ]
	! grep -v '^__UNIQUE_ID_ddebug[0-9.]* 28$' "$T/keys" || false
	! out_symbols | grep -q 'klp\.sym' || false
}

# jump_keys: the symbol and addend of each key of the output's __jump_table.
jump_keys() {
	out_relocs | awk '/^Relocation section .\.rela__jump_table/ { f = 1; next } /^Relocation/ { f = 0 }
		f && $3 == "R_X86_64_PC64" { print $5, $7 }'
}

@test "a descriptor only a jump label's key names (_dynamic_func_call_no_desc) is carried, new or not" {
	build_module_case dyndbg-nodesc
	! uses_of "$T/patched.o" changed_dump | grep -q dyndbg || false
	for parent in vmlinux mymod; do
		obj=$T/vmlinux
		[ "$parent" = vmlinux ] || obj=$T/mymod.ko
		run cdo "$T/orig.o" "$T/patched.o" "$parent" "$obj" "$T/Module.symvers" test "$T/out.o"
		[ "$status" -eq 0 ]
		[ "$(out_funcs | awk '{ print $2 }')" = changed_dump ]
		[ "$(out_symbols | awk '$1 == "OBJECT" && $4 ~ /^__UNIQUE_ID_ddebug/' | wc -l)" -eq 2 ]
		out_sections | grep -qE '__dyndbg +PROGBITS +0+ [0-9a-f]+ 0+70 .* WA '
		[ "$(jump_keys | grep -c '^__UNIQUE_ID_ddebug[0-9.]* 28$')" -eq 2 ]
		! out_symbols | grep -q 'klp\.sym' || false
	done
}

@test "static_cpu_has: .altinstr_aux pieces are compared by contents and carried with their function" {
	build_case altinstr-aux
	run_cdo
	[ "$status" -eq 0 ]
	# steady()'s piece only moved; tuned() gained a use.
	[ "$(out_funcs)" = "vmlinux tuned 0 tuned" ]
	# tuned's two pieces (testb 7 + jnz 6 + jmp 5 bytes each), not steady's.
	out_sections | grep -qE '\.altinstr_aux +PROGBITS +0+ [0-9a-f]+ 0+24 .* AX '
	out_relocs | awk '/^Relocation section .\.rela\.altinstr_aux/ { f = 1; next } /^Relocation/ { f = 0 }
		f && /R_X86/ { print $5 }' | sort | uniq -c >"$T/aux"
	[ "$(awk '$2 == ".text.tuned" { print $1 }' "$T/aux")" -eq 4 ]
	[ "$(awk '$2 == "boot_cpu_data" { print $1 }' "$T/aux")" -eq 2 ]
	[ "$(wc -l <"$T/aux")" -eq 2 ]
	out_relocs | awk '/^Relocation section .\.rela\.text\.tuned/ { f = 1; next } /^Relocation/ { f = 0 } f' | grep -q '\.altinstr_aux'
}

# A module's symbol table stripped of STT_FILE symbols, as Debian installs
# its modules (the -dbg package keeps them).
strip_file_symbols() {
	local f args=()
	for f in $(readelf -sW "$1" | awk '$4 == "FILE" { print $8 }'); do args+=(-N "$f"); done
	objcopy "${args[@]}" "$1"
	! readelf -sW "$1" | awk '$4 == "FILE"' | grep -q . || false
}

@test "module without STT_FILE symbols: a unique local is placed by its name" {
	build_case dup-static
	ld -r -o "$T/mymod.ko" "$T/orig.o"
	strip_file_symbols "$T/mymod.ko"
	run cdo "$T/orig.o" "$T/patched.o" mymod "$T/mymod.ko" "$T/Module.symvers" test "$T/out.o"
	[ "$status" -eq 0 ]
	out_symbols | grep -q 'UND \.klp\.sym\.mymod\.helper,0$'
}

@test "module without STT_FILE symbols: a local whose name is not unique is refused, naming it" {
	build_case dup-static kernel-rest
	ld -r -o "$T/mymod.ko" "$T/orig.o" "$T/kernel-rest.o"
	strip_file_symbols "$T/mymod.ko"
	run cdo "$T/orig.o" "$T/patched.o" mymod "$T/mymod.ko" "$T/Module.symvers" test "$T/out.o"
	[ "$status" -eq 2 ]
	[[ "$output" == *"local helper: 2 symbols of that name in"*"no STT_FILE symbols"* ]]
	[ ! -e "$T/out.o" ]
}

# build_module_case NAME: NAME.c as an object of the module mymod, with module-key-rest.c.
build_module_case() {
	build_case "$1" module-key-rest
	ld -r -o "$T/mymod.ko" "$T/orig.o" "$T/module-key-rest.o"
}

@test "a changed function's jump label on its module's key or tracepoint is refused, naming function and key" {
	build_module_case module-key
	run cdo "$T/orig.o" "$T/patched.o" mymod "$T/mymod.ko" "$T/Module.symvers" test "$T/out.o"
	[ "$status" -eq 2 ]
	[[ $output == *"__jump_table entry at 0x0 (the site at gated_count+0x"*", a changed function) uses the key mod_key of module mymod (.klp.sym.mymod.mod_key,0), which the module loader cannot resolve"* ]]
	[[ $output == *"__jump_table entry at 0x10 (the site at traced_count+0x"*", a changed function) uses the key of tracepoint kpb_probe of module mymod (.klp.sym.mymod.__tracepoint_kpb_probe,0)"* ]]
	[[ $output == *"2 change(s) cannot be livepatched"* ]]
	[ ! -e "$T/out.o" ]
}

@test "a once flag moved by a new one before it leaves its function unchanged, and its jump label out" {
	build_module_case once-flag-key
	run cdo --debug=compare "$T/orig.o" "$T/patched.o" mymod "$T/mymod.ko" "$T/Module.symvers" test "$T/out.o"
	[ "$status" -eq 0 ]
	[[ $output != *"changed function warn_once_keyed"* ]]
	[ "$(out_funcs)" = "mymod told_once 0 told_once" ]
	! out_symbols | grep -q 'warn_once_keyed\|mod_key' || false
	# told_once's own site is kept, on the kernel's key; warn_once_keyed's is not.
	[ "$(out_sections | sed 's/\[ */[/' | awk '$2 == "__jump_table" { print $6 }')" = 000010 ]
	out_relocs | awk '/^Relocation section .\.rela__jump_table/ { f = 1; next } /^Relocation/ { f = 0 }
		f && $1 ~ /^[0-9a-f]+$/ { print $5 }' | tr '\n' ' ' | grep -qx '\.text\.told_once \.text\.told_once feature_key '
}
