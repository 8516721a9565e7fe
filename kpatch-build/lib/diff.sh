# shellcheck shell=bash
# kpatch-build: create-diff-object per recompiled object and parent.
#
#   diff_objects      every object the patched compile recompiled, its
#                     original (the journal's) against its patched build;
#                     the driver then follows the callers of untraced
#                     globals (callers.sh), which diff again through here
#   diff_one_object   one object: the output, or no change, or a refusal
#                     (and the resolved references checked: resolved.sh)
#
# With the options create-diff-object needs: --line-map (how the patch
# moved the lines of the object's source) and --untraced-out/--untraced-in
# (the untraced globals' list callers.sh keeps in $TMP_DIR/untraced.list).
#
# Layer 7 (README, "Layout"): calls common.sh, module.sh (the parents),
# triage.sh (an update's hint), cache.sh, build.sh (CHANGED, PARENT) and
# resolved.sh; called by
# callers.sh, oot-build.sh and the driver; its results are read by
# origcheck.sh (ORIGINAL_CHECKS) and kmod.sh (OUTPUTS).
#
# Owns: OUTPUTS, ORIGINAL_CHECKS.

declare -a OUTPUTS=()	# create-diff-object outputs
# What check_originals compares, per output:
# "OBJ<tab>ORIGINAL<tab>KLP_OBJECT<tab>BINARY<tab>OUTPUT".
declare -a ORIGINAL_CHECKS=()

# The source file an object is built from (kpb-objmap's third column).
object_source() {
	awk -v o="$1" '$1 == o { print $3; exit }' "$TARGET_DIR/objects.map"
}

# How the patches moved the lines of a source file: "FIRST LAST DELTA"
# for every run of original lines that is DELTA lines away in the patched
# file, from `diff -U0` of ORIGINAL against PATCHED.  With it,
# create-diff-object tells a moved __LINE__ (printk's "%s (%d)", __LINE__)
# from a changed constant.
write_line_map() {
	local orig=$1 patched=$2 out=$3
	[[ -f $orig && -f $patched ]] || return 1
	diff -U0 "$orig" "$patched" | awk -v total="$(wc -l <"$orig")" '
	function emit(first, last) { if (delta != 0 && first <= last) print first, last, delta }
	/^@@ / {
		split(substr($2, 2), o, ","); split(substr($3, 2), n, ",")
		if (!(2 in o)) o[2] = 1
		if (!(2 in n)) n[2] = 1
		start = o[2] > 0 ? o[1] : o[1] + 1
		emit(cursor, start - 1)
		cursor = o[2] > 0 ? o[1] + o[2] : o[1] + 1
		delta = (n[2] > 0 ? n[1] + n[2] : n[1] + 1) - cursor
	}
	BEGIN { cursor = 1; delta = 0 }
	END { emit(cursor, total) }' >"$out"
	[[ -s $out ]]
}

# This create-diff-object knows --line-map.
cdo_has_line_map() { [[ $("$TOOLS_DIR/create-diff-object" --help) == *--line-map* ]]; }

# --line-map for OBJ when its own source was patched: the journal's
# original against the patched copy.
line_map_args() {
	local obj=$1 src map
	src=$(object_source "$obj")
	[[ -n $src && $src != - ]] || return 0
	cdo_has_line_map || return 0
	map=$TMP_DIR/outputs/$(tr / - <<<"${obj%.o}").lines
	if write_line_map "$JOURNAL/src/$src" "$COPY_DIR/$src" "$map"; then printf '%s
' --line-map "$map"; fi
}

# Every object is about to be diffed again (callers.sh).
forget_outputs() { OUTPUTS=(); ORIGINAL_CHECKS=(); }

# The untraced globals (callers.sh): create-diff-object's options.
cdo_has_untraced() { [[ $("$TOOLS_DIR/create-diff-object" --help) == *--untraced-out* ]]; }

# The list create-diff-object writes for OBJ.
untraced_list_of() { echo "$TMP_DIR/outputs/$(tr / - <<<"${1%.o}").untraced"; }

# --untraced-out for OBJ, and --untraced-in once there is a list.
untraced_args() {
	local obj=$1
	cdo_has_untraced || return 0
	rm -f "$(untraced_list_of "$obj")"
	printf '%s\n' --untraced-out "$(untraced_list_of "$obj")"
	# callers.sh writes the list (collect_untraced) after the first diffs.
	if [[ -f $TMP_DIR/untraced.list ]]; then printf '%s\n' --untraced-in "$TMP_DIR/untraced.list"; fi
}

# diff_changed_object OBJ: its original against its patched build.
diff_changed_object() {
	local obj=$1 parent
	local -a args=()
	parent=${PARENT[$obj]:-}
	[[ -n $parent ]] || die "$EXIT_UNSUPPORTED" "$obj was recompiled but is not among the objects the patches affect"
	mapfile -t args < <(line_map_args "$obj"; untraced_args "$obj")
	diff_one_object "$obj" "$JOURNAL/obj/$obj" "$OBJ_DIR/$obj" "$(klp_object_name "$parent")" \
		"$(parent_symtab "$parent")" "${args[@]}"
}

diff_objects() {
	local obj nchanged=0
	stage "diffing ${#CHANGED[@]} recompiled object(s)"
	mkdir -p "$TMP_DIR/outputs"
	for obj in "${CHANGED[@]}"; do
		[[ -e $JOURNAL/obj/$obj ]] ||
			die "$EXIT_UNSUPPORTED" "$obj is a new object; new source files are not supported"
		if diff_changed_object "$obj"; then
			nchanged=$((nchanged + 1))
		fi
	done
	((nchanged)) || die "$EXIT_NO_CHANGE" "no changed functions in ${CHANGED[*]}"
}

# diff_one_object OBJ ORIGINAL PATCHED KLP_OBJECT SYMTAB [create-diff-object
# options]: 0 and the output in OUTPUTS when a function changed, 1 when
# none did; a change that cannot be livepatched ends the run.
diff_one_object() {
	local obj=$1 orig=$2 patched=$3 name=$4 symtab=$5 out msg status=0
	shift 5
	local -a extra=("$@")
	((OPT_DEBUG)) && extra+=(--debug)
	out=$TMP_DIR/outputs/$(tr / - <<<"${obj%.o}")-output.o
	msg=$("$TOOLS_DIR/create-diff-object" "${extra[@]}" "$orig" "$patched" "$name" \
		"$symtab" "$OBJ_DIR/Module.symvers" "$(module_name_of "livepatch-$OPT_NAME")" "$out" 2>&1) || status=$?
	echo "$msg" >>"$LOG"
	case $status in
	0) debug "$obj ($name): changed"; check_resolved_references "$obj" "$patched" "$out"; OUTPUTS+=("$out")
	   ORIGINAL_CHECKS+=("$obj"$'\t'"$orig"$'\t'"$name"$'\t'"$symtab"$'\t'"$out"); return 0 ;;
	3) debug "$obj ($name): no change"; return 1 ;;
	2) indent "$msg"
	   die "$EXIT_UNSUPPORTED" "$obj: the change cannot be livepatched$(update_exclude_hint "$(object_source "$obj")")" ;;
	*) indent "$msg"
	   die "create-diff-object failed on $obj (status $status)" ;;
	esac
}
