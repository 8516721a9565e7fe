# shellcheck shell=bash
# kpatch-build: no reference in an output the assembler resolved to code
# the output does not carry.
#
# Functions of one explicitly named section (__sched's .sched.text,
# __lockfunc's .spinlock.text, noinstr, __kprobes, __cpuidle, ...) share
# that section whatever -ffunction-sections says, and the assembler resolves
# a call, jump or RIP-relative operand from one of them to a static one of
# the same section itself: no relocation is left. create-diff-object copies
# a changed function alone into a section of its own, so such a reference
# would land at the same distance from the copy: in other code, or none
# (6.12's hrtimer_nanosleep_restart() calls the __sched do_nanosleep() at
# +0x6e that way; its copy called 0x150 bytes before itself).
#
# objdump decodes every instruction of each output's code sections; a
# direct branch or RIP-relative operand with no relocation whose target is
# outside its own section is refused (exit 6), naming the function, the
# instruction and, from the patched object, the code it was meant to reach.
#
# Layer 6, a check of one output (README, "Layout"): calls common.sh;
# called by diff.sh (diff_one_object).  Owns no state.

# resolved_outside OUTPUT: one "section<TAB>function<TAB>offset in the
# function<TAB>offset in the section<TAB>instruction<TAB>target" line per
# reference that leaves its section without a relocation.
resolved_outside() {
	local out=$1
	objdump -d -r --no-show-raw-insn "$out" 2>/dev/null | awk -v sizes="$(section_sizes "$out")" '
		function hex(s,   n, i, c) {
			n = 0; s = tolower(s)
			for (i = 1; i <= length(s); i++) {
				c = index("0123456789abcdef", substr(s, i, 1))
				if (!c) break
				n = n * 16 + c - 1
			}
			return n
		}
		function finish() {
			if (insn != "" && target != "" && !reloc && (hex(target) >= size))
				printf "%s\t%s\t%x\t%x\t%s\t%s\n", sec, func, at - fstart, at, insn, target
			insn = ""; target = ""; reloc = 0
		}
		BEGIN {
			n = split(sizes, lines, "\n")
			for (i = 1; i <= n; i++) { split(lines[i], f, "\t"); size_of[f[1]] = hex(f[2]) }
		}
		/^Disassembly of section / {
			finish(); sec = $4; sub(/:$/, "", sec); size = size_of[sec]; next
		}
		/^[0-9a-f]+ <.*>:$/ { finish(); func = $2; gsub(/^<|>:$/, "", func); fstart = hex($1); next }
		/^[ \t]*[0-9a-f]+: R_X86_64_/ { reloc = 1; next }
		/^ *[0-9a-f]+:\t/ {
			finish()
			line = $0; sub(/^ */, "", line)
			at = hex(line); insn = line; sub(/^[0-9a-f]+:\t/, "", insn)
			mnem = insn; sub(/[ \t].*/, "", mnem)
			rest = insn; sub(/^[^ \t]+[ \t]+/, "", rest)
			if (mnem ~ /^(call|jmp|j[a-z]+|loop[a-z]*|xbegin)$/ && rest ~ /^[0-9a-f]+ </)
				target = rest
			else if (insn ~ /\(%rip\)/ && insn ~ /# [0-9a-f]+ </)
				{ target = insn; sub(/.*# /, "", target) }
			sub(/ .*/, "", target)
			sub(/ +#.*/, "", insn)
			gsub(/[ \t]+/, " ", insn)
		}
		END { finish() }'
}

# "name<TAB>size" of each section of an object.
section_sizes() {
	readelf -SW "$1" | sed 's/^ *\[ *[0-9]*\] *//' | awk 'NF >= 6 && $3 ~ /^[0-9a-f]+$/ { print $1 "\t" $5 }'
}

# What a function of the patched object reaches at OFFSET from its start:
# "symbol+0xN in SECTION", from the patched object's symbol table.
resolved_target_name() {
	local patched=$1 func=$2 offset=$3
	readelf -sW "$patched" 2>/dev/null | awk -v f="$func" -v off="$offset" '
		function hex(s,   n, i, c) {
			n = 0
			for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)); n = n * 16 + c - 1 }
			return n
		}
		$4 == "FUNC" || $4 == "NOTYPE" || $4 == "OBJECT" {
			if ($7 !~ /^[0-9]+$/) next
			v = hex($2); sz = $3 + 0
			if ($8 == f && $4 == "FUNC" && base == "") { base = v; ndx = $7 }
			val[NR] = v; size[NR] = sz; name[NR] = $8; sec[NR] = $7
		}
		END {
			if (base == "") exit
			t = base + off
			for (i in val)
				if (sec[i] == ndx && name[i] != "" && t >= val[i] && t < val[i] + (size[i] ? size[i] : 1)) {
					printf "%s+0x%x", name[i], t - val[i]; exit
				}
			printf "offset 0x%x of its section", t
		}'
}

# check_resolved_references OBJ PATCHED OUTPUT: refuse an output that would
# carry a resolved reference to code it does not have.
check_resolved_references() {
	local obj=$1 patched=$2 out=$3 sec func foff soff insn target what bad=0
	while IFS=$'\t' read -r sec func foff soff insn target; do
		[[ -n $sec ]] || continue
		# The copy starts where the function did: the target is at the
		# same distance from the function's start in the patched object.
		what=$(resolved_target_name "$patched" "$func" "$((0x$target - 0x$soff + 0x$foff))")
		echo "  $obj: $func+0x$foff ($insn) reaches ${what:-code outside $func} without a relocation" >&2
		bad=1
	done < <(resolved_outside "$out")
	((bad == 0)) ||
		die "$EXIT_UNSUPPORTED" "$obj: a changed function refers to code of a section it shares with other functions (such as __sched's .sched.text) at a distance the assembler fixed, and its copy would reach other code; cannot be livepatched as is (a patch can drop the section attribute of the function it changes, e.g. __sched)"
}
