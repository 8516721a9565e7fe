# shellcheck shell=bash
# kpatch-build: the callers, in other objects, of changed global functions
# without __fentry__.
#
# In Linux 6.1 all of lib/ is built without ftrace: a fix to a lib/
# function changes a global function the livepatch core cannot redirect.
# create-diff-object carries it under a module-internal name and lists it
# (--untraced-out); its callers in the other objects of the same parent are
# then found, compiled unchanged, and diffed with the list (--untraced-in):
# each function calling it is replaced (or carried, if untraced, which may
# list more globals: the search runs again until the list stops growing).
#
#   follow_untraced_callers   after diff_objects (the driver calls it);
#                             re-diffs every object with the final list,
#                             then checks the parent's binary: every
#                             function branching to a listed name must be
#                             one the outputs define
#
# The target tree is not built: candidates come from a word search of the
# source for the names (and, where a header names one, for the inline
# functions and macros of that header that mention it, as show_mem() calls
# __show_mem()), mapped to objects by the object map, and kept when their
# symbol table refers to a name.
#
# Layer 8 (README, "Layout"): calls common.sh, module.sh, cache.sh
# (keep_as_originals), build.sh (the compiles, CHANGED, PARENT) and diff.sh
# (the diffs, OUTPUTS; diff.sh passes the list, $TMP_DIR/untraced.list
# written here, to create-diff-object); called by the driver.
#
# Owns: UNTRACED_PARENT, CALLER_PARENT (and follow_untraced_callers'
# CALLER_CANDIDATES).  Constant: WRAPPER_DEPTH.

declare -gA UNTRACED_PARENT=()	# carried global -> parent of its object
declare -gA CALLER_PARENT=()	# caller object -> parent
readonly WRAPPER_DEPTH=3	# inline wrappers of wrappers followed

# Reads what every diffed object listed; 0 when the list grew.
collect_untraced() {
	local before=${#UNTRACED_PARENT[@]} obj name list
	for obj in "${CHANGED[@]}" "${!CALLER_PARENT[@]}"; do
		list=$(untraced_list_of "$obj")
		[[ -f $list ]] || continue
		while read -r name; do
			[[ -n $name ]] && UNTRACED_PARENT[$name]=${PARENT[$obj]:-${CALLER_PARENT[$obj]:-}}
		done <"$list"
	done
	printf '%s\n' "${!UNTRACED_PARENT[@]}" | sort >"$TMP_DIR/untraced.list"
	((${#UNTRACED_PARENT[@]} > before))
}

# Kernel sources (relative to the copy) in which any of the words appears.
files_naming() {
	(
		cd "$COPY_DIR" || exit
		grep -rlw --include='*.[chS]' "${@/#/-e}" --exclude-dir=tools \
			--exclude-dir=Documentation --exclude-dir=samples . || true
	) |
		sed 's|^\./||' | awk -v arch="arch/x86/" '!/^arch\// || index($0, arch) == 1'
}

# The functions and macros of header H whose body mentions one of the words.
wrappers_in() {
	local h=$1
	shift
	awk -v words="$(IFS='|'; echo "$*")" '
	BEGIN { re = "(^|[^A-Za-z0-9_])(" words ")([^A-Za-z0-9_]|$)" }
	# A macro with arguments: its body starts after the parameter list.
	/^#[ \t]*define[ \t]+[A-Za-z_][A-Za-z0-9_]*\(/ {
		fn = $0; sub(/^#[ \t]*define[ \t]+/, "", fn); sub(/\(.*/, "", fn)
		body = $0; sub(/^[^)]*\)/, "", body)
		if (body ~ re) print fn
		if (!/\\$/) fn = ""
		next
	}
	/^[A-Za-z_].*\(/ && !/;[ \t]*$/ {
		fn = $0; sub(/\(.*/, "", fn); sub(/.*[^A-Za-z0-9_]/, "", fn)
		next
	}
	/^}/ { fn = "" }
	# A line of a function body or of a macro continued from its #define.
	/^[ \t]/ && $0 ~ re && fn != "" { print fn }' "$COPY_DIR/$h" | sort -u
}

# The .c/.S files that may call the words, through header wrappers too.
caller_sources() {
	local -a words=("$@") more files
	local depth h w
	declare -A seen=()
	for w in "${words[@]}"; do seen[$w]=1; done
	for ((depth = 0; depth <= WRAPPER_DEPTH && ${#words[@]}; depth++)); do
		mapfile -t files < <(files_naming "${words[@]}")
		printf '%s\n' "${files[@]}" | grep -E '\.[cS]$' || true
		more=()
		for h in "${files[@]}"; do
			[[ $h == *.h ]] || continue
			while read -r w; do
				[[ -n $w && -z ${seen[$w]:-} ]] || continue
				seen[$w]=1
				more+=("$w")
			done < <(wrappers_in "$h" "${words[@]}")
		done
		debug "wrappers of ${words[*]}: ${more[*]:-none}"
		words=("${more[@]}")
	done
}

# The objects of each name's parent built from those sources, not already diffed.
find_caller_objects() {
	local obj parent src
	declare -A parents=() diffed=()
	for src in "${UNTRACED_PARENT[@]}"; do parents[$src]=1; done
	for obj in "${CHANGED[@]}"; do diffed[$obj]=1; done
	while read -r obj parent src; do
		[[ -n ${parents[$parent]:-} && -z ${diffed[$obj]:-} ]] || continue
		CALLER_CANDIDATES+=("$obj")
		CALLER_PARENT[$obj]=$parent
	done < <(awk 'NR == FNR { want[$0] = 1; next } ($3 in want)' \
		<(caller_sources "${!UNTRACED_PARENT[@]}" | sort -u) "$TARGET_DIR/objects.map")
}

# Compiles the candidates (unchanged sources: they are originals, kept for
# later runs) and keeps those whose symbol table refers to a listed name.
compile_caller_objects() {
	local obj missing=()
	for obj in "${CALLER_CANDIDATES[@]}"; do
		original_is_built "$obj" || missing+=("$obj")
	done
	if ((${#missing[@]})); then
		stage "compiling ${#missing[@]} object(s) that may call them"
		kmake "${missing[@]}" || die "$EXIT_BUILD" "compiling the callers' objects failed"
		keep_as_originals "${missing[@]}"
	fi
	for obj in "${CALLER_CANDIDATES[@]}"; do
		# awk reads to the end: "grep -q" ending first would fail the pipe.
		nm -u "$OBJ_DIR/$obj" | awk 'NR == FNR { want[$1] = 1; next }
			($NF in want) { found = 1 } END { exit !found }' "$TMP_DIR/untraced.list" - ||
			unset "CALLER_PARENT[$obj]"
	done
}

# Every object again, with the list: the changed ones (their own calls to
# a name carried elsewhere) and the callers (ORIG.o = PATCHED.o).
rediff_with_untraced() {
	local obj name
	local -a lines=() callers
	forget_outputs
	for obj in "${CHANGED[@]}"; do
		diff_changed_object "$obj" || true
	done
	mapfile -t callers < <(printf '%s\n' "${!CALLER_PARENT[@]}" | sort)
	for obj in "${callers[@]}"; do
		name=$(klp_object_name "${CALLER_PARENT[$obj]}")
		mapfile -t lines < <(untraced_args "$obj")
		diff_one_object "$obj" "$OBJ_DIR/$obj" "$OBJ_DIR/$obj" "$name" \
			"$(parent_symtab "${CALLER_PARENT[$obj]}")" "${lines[@]}" ||
			note "$obj: refers to $(tr '\n' ' ' <"$TMP_DIR/untraced.list")but calls none of them"
	done
}

# Function names the outputs define: what the module replaces or carries.
output_functions() {
	local out
	for out in "${OUTPUTS[@]}"; do
		readelf -sW "$out" | awk '$4 == "FUNC" && $7 != "UND" { print $8 }'
	done | sort -u
}

# The check against the binary: every function of the parent that branches
# directly to a carried name (kpb-callsites) must be one the outputs define
# (a .cold part counts as its function), and nothing may use its address.
# A caller the source search missed, or a pointer, would keep reaching the
# old body: refused, naming it. Sites in .init.* sections of vmlinux are
# gone once the kernel has booted.
check_untraced_call_sites() {
	local parent name caller section checked sites
	local -a names
	local -A covered=()
	while IFS= read -r name; do covered[$name]=1; done < <(output_functions)
	for parent in $(printf '%s\n' "${UNTRACED_PARENT[@]}" | sort -u); do
		mapfile -t names < <(for name in "${!UNTRACED_PARENT[@]}"; do
			[[ ${UNTRACED_PARENT[$name]} == "$parent" ]] && echo "$name"; done | sort)
		checked=0 sites=$TMP_DIR/callsites.${parent//\//-}
		"$TOOLS_DIR/kpb-callsites" "$(parent_symtab "$parent")" "${names[@]}" >"$sites" ||
			die "$EXIT_ERROR" "kpb-callsites failed on $(parent_symtab "$parent")"
		while read -r name caller section kind; do
			checked=$((checked + 1))
			[[ $parent == vmlinux && $section == .init.* ]] && continue
			[[ $kind == address ]] &&
				die "$EXIT_UNSUPPORTED" "$parent: $caller ($section) uses the address of $name, which the patch changes and ftrace cannot redirect: calls through that pointer would reach the old $name"
			caller=${caller%.cold*}
			[[ $caller == "$name" || -n ${covered[$caller]:-} ]] && continue
			die "$EXIT_UNSUPPORTED" "$parent: $caller ($section) calls $name, which the patch changes and ftrace cannot redirect, but kpatch-build found no source of it among the callers: refusing rather than leaving $caller on the old $name"
		done <"$sites"
		note "$parent: $checked site(s) of ${names[*]}, each a call from a function the module replaces or carries"
	done
}

follow_untraced_callers() {
	local -a CALLER_CANDIDATES=() callers
	collect_untraced || return 0
	while :; do
		stage "finding the callers of $(tr '\n' ' ' <"$TMP_DIR/untraced.list")(global, without __fentry__)"
		CALLER_CANDIDATES=()
		find_caller_objects
		compile_caller_objects
		callers=("${!CALLER_PARENT[@]}")
		note "their callers in other objects: ${callers[*]:-none}"
		stage "diffing ${#CHANGED[@]} changed and ${#CALLER_PARENT[@]} calling object(s) with the list"
		rediff_with_untraced
		collect_untraced || break
	done
	check_untraced_call_sites
}
