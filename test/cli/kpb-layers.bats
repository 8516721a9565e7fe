#!/usr/bin/env bats
# The layers of kpatch-build's libraries (README, "Layout"), read from the
# source: the driver sources lib/*.sh bottom layer first, and
#  - a library calls only functions of the libraries sourced before it
#    (nothing calls up, no two files need each other);
#  - each global is written by one file, and that file's header names it
#    ("Owns: ...");
#  - a library reads the state of the libraries below it only (the
#    driver's configuration, OPT_* and the tools' paths, is read by all);
#  - each library's header names its layer.
# A call is a function name in command position; a write an assignment,
# declare, mapfile, read or exec {FD} at the start of a command, `local`s
# left out.

bats_require_minimum_version 1.5.0

TOP=$BATS_TEST_DIRNAME/../..
DRIVER=$TOP/kpatch-build/kpatch-build

# The driver's libraries in the order it sources them, then the driver.
layer_files() {
	sed -n 's|^source "$KPB_LIB_DIR/\(.*\.sh\)"$|\1|p' "$DRIVER" | sed "s|^|$TOP/kpatch-build/lib/|"
	echo "$DRIVER"
}

short() { basename "$1" .sh; }

# Code only: no comment lines, no here-document bodies.
code_of() {
	awk '
		heredoc != "" { if ($0 ~ "^[ \t]*" heredoc "$") heredoc = ""; next }
		/^[ \t]*#/ { next }
		{ print }
		/<<-?[ \t]*\047?[A-Z]+\047?/ {
			h = $0; sub(/.*<<-?[ \t]*\047?/, "", h); sub(/[^A-Z].*/, "", h); heredoc = h
		}' "$1"
}

# "FILE FUNCTION" for each function each file defines.
definitions() {
	local f
	while read -r f; do
		code_of "$f" | sed -n -E 's/^[ \t]*([a-z_][a-z0-9_]*)\(\)[ \t]*\{.*/\1/p' | sed "s|^|$(short "$f") |"
	done < <(layer_files)
}

# "FILE WORD" for each word in command position: at a line's start, after
# ; & | && || ( $( <( ` ! or a case pattern's ), after then do else if elif
# while until trap on_cleanup, or after a leading VAR=value.
commands_of() {
	code_of "$1" | awk -v file="$(short "$1")" '
		function emit(w) { sub(/[^a-z0-9_].*$/, "", w); if (w ~ /^[a-z_][a-z0-9_]*$/) print file, w }
		{
			n = split($0, t, /[ \t]+/)
			cmd = 1
			for (i = 1; i <= n; i++) {
				w = t[i]
				if (w == "") continue
				# Substitutions anywhere in the word start a command.
				x = w
				while (match(x, /\$\(|<\(|`/)) { x = substr(x, RSTART + RLENGTH); emit(x) }
				lead = w; sub(/^[;&|(!`{]+/, "", w)
				if (w != lead) cmd = 1
				if (w ~ /^(&&|\|\||\||;|;;)$/ || w == "") { cmd = 1; continue }
				if (cmd) {
					if (w ~ /^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=/) { cmd = 1; continue }
					if (w ~ /^(then|do|else|if|elif|while|until|trap|on_cleanup|!)$/) { cmd = 1; continue }
					emit(w)
				}
				cmd = 0
				if (w ~ /(;|&&|\|\||\||&)$/ || (w ~ /\)$/ && w !~ /\(/)) cmd = 1
			}
		}'
}

# "FILE CALLEE" for every call from one file to another's function.
cross_calls() {
	local f
	while read -r f; do commands_of "$f"; done < <(layer_files) |
		awk 'NR == FNR { def[$2] = $1; next } ($2 in def) && def[$2] != $1 { print $1, def[$2], $2 }' \
			<(definitions) - | sort -u
}

# "FILE NAME" for every global a file writes (locals left out).
writes_of() {
	code_of "$1" | awk -v file="$(short "$1")" '
		/^[ \t]*local[ \t]/ {
			n = split($0, t, /[ \t=]+/)
			for (i = 1; i <= n; i++) if (t[i] ~ /^[A-Z][A-Z0-9_]*$/) local[t[i]] = 1
			next
		}
		{
			# Quoted text is no command: "...; O= builds ..." writes nothing.
			line = $0; gsub(/"[^"]*"/, "\"\"", line)
			n = split(line, seg, /;|&&|\|\||[ \t]then[ \t]|[ \t]do[ \t]|[ \t]else[ \t]/)
			for (s = 1; s <= n; s++) {
				x = seg[s]; sub(/^[ \t!{(]+/, "", x)
				# VAR=value command: an environment for that command, no global.
				if (x ~ /^[A-Z][A-Z0-9_]*=[^ "(]* +[a-z_]/) continue
				sub(/^(declare|readonly|export)[ \t]+(-[a-zA-Z]+[ \t]+)?/, "", x)
				if (x ~ /^[A-Z][A-Z0-9_]*(\[[^]]*\])?\+?=/) {
					m = split(x, tok, /[ \t]+/)
					for (j = 1; j <= m; j++)
						if (tok[j] ~ /^[A-Z][A-Z0-9_]*(\[[^]]*\])?\+?=/) {
							v = tok[j]; sub(/[[+=].*/, "", v); w[v] = 1
						}
				}
				if (x ~ /^(mapfile|readarray)[ \t]/) { v = x; sub(/[ \t]*<.*/, "", v); sub(/.*[ \t]/, "", v); w[v] = 1 }
				if (x ~ /^read[ \t]/) {
					v = x; sub(/[ \t]*<.*/, "", v); m = split(v, tok, /[ \t]+/)
					for (j = 2; j <= m; j++) if (tok[j] ~ /^[A-Z][A-Z0-9_]*$/) w[tok[j]] = 1
				}
				if (match(x, /^exec \{[A-Z][A-Z0-9_]*\}/)) { v = substr(x, 7, RLENGTH - 7); w[v] = 1 }
				if (match(x, /^unset "?[A-Z][A-Z0-9_]*\[/)) { v = x; sub(/^unset "?/, "", v); sub(/\[.*/, "", v); w[v] = 1 }
			}
		}
		END { for (v in w) if (v ~ /^[A-Z][A-Z0-9_]*$/ && !(v in local)) print file, v }'
}

writes() {
	local f
	while read -r f; do writes_of "$f"; done < <(layer_files) | sort -u
}

# "FILE NAME" for every global a file reads ($NAME, ${NAME, ${#NAME, ${!NAME).
reads() {
	local f
	while read -r f; do
		code_of "$f" | grep -oE '\$\{?[#!]?[A-Z][A-Z0-9_]+' | sed -E 's/^\$\{?[#!]?//' |
			sort -u | sed "s|^|$(short "$f") |"
	done < <(layer_files)
}

# Position of each file in the order: "FILE N".
order() { layer_files | while read -r f; do short "$f"; done | awk '{ print $1, NR }'; }

@test "layers: the driver sources every lib/*.sh but kpatch-package's" {
	run diff <(layer_files | sed -n 's|.*/lib/||p' | sort) \
		<(cd "$TOP/kpatch-build/lib" && for f in *.sh; do [[ $f == package-* ]] || echo "$f"; done | sort)
	[ "$status" -eq 0 ]
}

@test "layers: a library calls only the libraries sourced before it" {
	run awk 'NR == FNR { pos[$1] = $2; next } pos[$2] >= pos[$1] { print $1 " calls " $3 " of " $2 " (a layer above)" }' \
		<(order) <(cross_calls)
	[ -z "$output" ]
	# The measure sees the calls down (the driver's into every layer).
	[ "$(cross_calls | awk '$1 == "kpatch-build"' | wc -l)" -ge 30 ]
	[ "$(cross_calls | awk '$1 == "callers" && $2 == "diff"' | wc -l)" -ge 2 ]
}

@test "layers: each global has one writer" {
	run awk '{ n[$2]++; w[$2] = w[$2] " " $1 } END { for (v in n) if (n[v] > 1) print v ":" w[v] }' <(writes)
	[ -z "$output" ]
	[ "$(writes | awk '$2 == "TARGET_RELEASE" { print $1 }')" = target ]
}

@test "layers: each library's header names its layer and the globals it owns" {
	local f name missing=()
	while read -r f; do
		[[ $f == */lib/* ]] || continue
		name=$(short "$f")
		sed -n '1,/^$/p' "$f" | grep -qE 'Layer [0-9]+' || missing+=("$name: no layer")
		while read -r _ v; do
			sed -n '1,/^$/p' "$f" | grep -qw -- "$v" || missing+=("$name: $v not in its header")
		done < <(writes | awk -v f="$name" '$1 == f')
	done < <(layer_files)
	run printf '%s\n' "${missing[@]}"
	[ -z "$output" ]
}

@test "layers: a library reads the state of the layers below it only (the driver's configuration by all)" {
	run awk 'FILENAME == ARGV[1] { pos[$1] = $2; next }
		FILENAME == ARGV[2] { owner[$2] = $1; next }
		($2 in owner) && owner[$2] != "kpatch-build" && pos[owner[$2]] > pos[$1] {
			print $1 " reads " $2 " of " owner[$2] " (a layer above)" }' <(order) <(writes) <(reads)
	[ -z "$output" ]
}
